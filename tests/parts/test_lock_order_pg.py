"""A parts document and a field-service step on the same job must not deadlock.

Field service locks the ticket, then the work order, then (recording the parts fitted) the van's
stock rows. Issuing a requisition used to lock the requisition and the stock rows first; its
ledger lines, which refer to the work order, then waited for the work order's row (a foreign key
takes a share lock on the row it names) while the field step held the work order and waited for
the stock rows: PostgreSQL's deadlock detector aborted one of them. Every parts service that
concerns a work order now locks its ticket and the work order first (``parts.services.common.
lock_job``, the order of ``tickets.locking``). Each worker thread has its own connection.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from aftersales.fieldservice.models import WorkOrder
from aftersales.parts import services
from aftersales.parts.models import RequisitionStatus, Stock
from aftersales.parts.services import UsedPartInput
from aftersales.tickets.locking import lock_ticket
from tests.parts.conftest import assert_ledger_balances

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_issuing_a_requisition_while_the_technician_records_parts_on_the_job_never_deadlocks(
    regional, board, keeper, technician, work_order
):
    services.stock_receive(warehouse=regional, lines=[(board, 10)], actor=keeper)
    first = services.requisition_create(work_order=work_order, warehouse=regional, lines=[(board, 1)], actor=technician)
    services.requisition_submit(requisition=first, actor=technician)
    services.requisition_issue(requisition=first, actor=keeper)  # one board in the van to fit
    second = services.requisition_create(work_order=work_order, warehouse=regional, lines=[(board, 2)], actor=technician)
    services.requisition_submit(requisition=second, actor=technician)

    job_locked = threading.Event()
    errors: list[BaseException] = []

    def field_step() -> None:
        """Field service's order: the ticket, the work order, then (a moment later) the van's stock."""
        try:
            with transaction.atomic():
                lock_ticket(work_order.ticket_id)
                locked = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
                job_locked.set()
                time.sleep(0.5)  # the issue starts meanwhile
                services.parts_record_used(work_order=locked, lines=[UsedPartInput(part=board, quantity=1)], actor=technician)
        except BaseException as exc:  # noqa: BLE001 - a deadlock arrives here as OperationalError
            errors.append(exc)
        finally:
            connection.close()

    def issue() -> None:
        try:
            assert job_locked.wait(timeout=30)
            services.requisition_issue(requisition=second, actor=keeper)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=field_step), threading.Thread(target=issue)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker is still waiting"

    assert not [e for e in errors if isinstance(e, OperationalError)], f"deadlock: {errors}"
    assert errors == []
    second.refresh_from_db()
    assert second.status == RequisitionStatus.ISSUED
    van = services.warehouse_for_technician(technician=technician)
    assert Stock.objects.get(warehouse=van, part=board).on_hand == 1 + 2 - 1
    assert_ledger_balances()
