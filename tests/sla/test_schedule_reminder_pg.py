"""Two workers run the missing-schedule reminder at the same moment (two schedulers by mistake, a
retried job): each (calendar, year) is claimed by one of them — the first reminder by the unique
row's INSERT (the other's waits on the index, then fails and sends nothing) — so every
administrator hears of it once. PostgreSQL, real threads."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from aftersales.accounts.models import Role
from aftersales.notifications.models import Notification
from aftersales.sla.calendar_selectors import calendars_needing_schedule
from aftersales.sla.models import OFFICE_HOURS, Calendar, ScheduleReminder, SlaPolicy
from aftersales.sla.services.readiness import calendars_remind_missing_schedule
from tests.clock import freeze_time
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_two_workers_at_once_remind_of_each_missing_year_once() -> None:
    admins = [UserFactory(role=Role.ADMINISTRATOR) for _ in range(2)]
    # Own calendars in use (an earlier test's flush may have removed the migration's defaults).
    for name in ("华东办公日历", "华南办公日历"):
        calendar = Calendar.objects.create(name=name, working_hours=OFFICE_HOURS)
        SlaPolicy.objects.create(
            name=f"{name} 默认", calendar=calendar, first_response_minutes=540, solution_minutes=1080, resolution_minutes=2700
        )
    moment = dt.datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)
    with freeze_time(moment):
        expected = len(calendars_needing_schedule(today=moment.date()))
    assert expected >= 2  # 2027 is unknown to the holiday package
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            counts.append(calendars_remind_missing_schedule())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    with freeze_time(moment):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors
    assert sum(counts) == expected == ScheduleReminder.objects.count()
    for admin in admins:
        assert Notification.objects.filter(template="sla.calendar_schedule_missing", user=admin).count() == expected
