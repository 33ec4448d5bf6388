"""Two workers run the overdue reminder job at the same moment (two schedulers by mistake, a
retried job): each overdue advance is claimed by one of them (a conditional UPDATE, re-checked by
PostgreSQL after the other's commit), so every person hears of it once. PostgreSQL, real threads."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from aftersales.audit.models import AuditEvent
from aftersales.notifications.models import Notification
from aftersales.travel import services
from tests.clock import freeze_time

from .factories import finance, paid_advance, technician

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_two_workers_at_once_remind_of_each_advance_once(settings) -> None:
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 5
    payer = finance()
    techs = [technician() for _ in range(4)]
    with freeze_time(dt.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)):
        advances = [paid_advance(tech, "100.00", payer=payer) for tech in techs for _ in range(2)]
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            counts.append(services.advances_remind_overdue())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    with freeze_time(dt.datetime(2026, 6, 10, 9, 0, tzinfo=SHANGHAI)):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors
    assert sum(counts) == len(advances) == 8
    reminded = Notification.objects.filter(template="travel.advance_overdue")
    assert reminded.filter(user=payer).count() == 8
    for tech in techs:
        assert reminded.filter(user=tech).count() == 2
    assert AuditEvent.objects.filter(action="travel.advance_overdue_reminded").count() == 8
