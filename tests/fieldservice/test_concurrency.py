"""Two dispatchers assign the same job at the same moment: the row lock and the version check
let exactly one win; the other is told to reload (runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from aftersales.core.errors import Conflict
from aftersales.fieldservice import services
from aftersales.fieldservice.models import WorkOrder

from .helpers import agent, dispatcher, in_progress_ticket, new_job, technician, unit_in_warranty, window


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatch_of_one_job_lets_exactly_one_dispatcher_win():
    handler = agent()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = new_job(handler=handler, measure=measure)
    bosses = [dispatcher(), dispatcher()]
    techs = [technician(), technician()]
    start, end = window()
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def dispatch(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            services.work_order_dispatch(
                work_order=WorkOrder.objects.get(pk=job.pk),
                actor=bosses[index],
                technician=techs[index],
                appointment_start=start,
                appointment_end=end,
                expected_version=job.version,
            )
            with lock:
                results.append("won")
        except Conflict:
            with lock:
                results.append("conflict")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatch, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(results) == ["conflict", "won"]
    final = WorkOrder.objects.get(pk=job.pk)
    assert final.status == "dispatched" and final.version == job.version + 1
    assert final.technician in techs
