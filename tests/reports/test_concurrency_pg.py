"""Two schedulers at the same moment on PostgreSQL, each on its own connection: every period's
report is mailed once. The delivery row's unique key lets one INSERT win; the attempt's
conditional UPDATE lets one worker send. (SQLite serialises every write, so the race this test
provokes cannot happen there: the test runs in the PostgreSQL pass.)"""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from aftersales.reports.models import DeliveryStatus, ReportDelivery
from aftersales.reports.services import send_due_reports

from .helpers import at, staff, subscribe

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 3
SUBSCRIPTIONS = 6


def test_two_schedulers_at_once_send_each_periods_report_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writes, so two schedulers cannot race there")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    owners = [staff(email=f"owner{n}@example.com") for n in range(SUBSCRIPTIONS)]
    for owner in owners:
        subscribe(owner, created="2026-03-01 09:00")
    for day in range(ROUNDS):
        now = at(f"2026-03-0{day + 2} 08:00")
        barrier = threading.Barrier(2)
        sent: list[int] = []
        errors: list[BaseException] = []

        def worker(now=now, barrier=barrier, sent=sent, errors=errors) -> None:  # type: ignore[no-untyped-def]
            try:
                barrier.wait(timeout=30)
                sent.append(send_due_reports(now=now).sent)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        assert sum(sent) == SUBSCRIPTIONS, sent
        assert len(mail.outbox) == SUBSCRIPTIONS * (day + 1)
    assert ReportDelivery.objects.filter(status=DeliveryStatus.SENT).count() == SUBSCRIPTIONS * ROUNDS
    assert sorted(m.to[0] for m in mail.outbox) == sorted([o.email for o in owners] * ROUNDS)
