"""Two drafts of one outlet's month at the same moment (the monthly job and a supervisor, or two
schedulers): the outlet's row is locked first, so one statement is drafted and the other caller
gets it back; a work order is on one statement only. PostgreSQL, real threads."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from aftersales.accounts.models import Role
from aftersales.outlets import services
from aftersales.outlets.models import Settlement, SettlementLine

from .factories import accepted_job, last_month, local, outlet_with_people, staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_drafts_of_one_month_make_one_statement() -> None:
    outlet, _leader, tech = outlet_with_people()
    start, _end = last_month()
    job = accepted_job(outlet=outlet, technician=tech, accepted_at=local(start))
    actors = [staff(Role.SUPERVISOR), None]  # a supervisor and the monthly job
    barrier = threading.Barrier(2)
    created: list[bool] = []
    errors: list[BaseException] = []

    def worker(actor) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            drafted = services.settlement_draft(outlet=outlet, actor=actor, period_start=start)
            created.append(drafted.created)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(created) == [False, True]
    assert Settlement.objects.count() == 1
    assert list(SettlementLine.objects.values_list("work_order_id", flat=True)) == [job.pk]
