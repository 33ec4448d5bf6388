"""The staff handover and the technician's last step on a job, at the same moment (PostgreSQL,
one connection per worker): the handover locks the job's ticket and work order before the van's
stock rows, as every parts document does, so the two wait for each other instead of
deadlocking, and no unit is lost: what was fitted is consumed, the rest moves, the van closes."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from aftersales.accounts.offboarding import staff_offboard
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.parts import services
from aftersales.parts.models import Warehouse
from aftersales.parts.services import UsedPartInput
from aftersales.tickets.locking import lock_ticket
from tests.accounts.handover_helpers import administrator
from tests.parts.conftest import assert_ledger_balances, level
from tests.parts.test_handover_van import total

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_handover_and_parts_fitted_on_the_job_at_once_never_deadlock_nor_lose_a_unit(
    technician, stocked, regional, board, sensor, keeper, work_order
):
    admin = administrator()
    van = services.warehouse_for_technician(technician=technician)
    services.transfer_create(from_warehouse=stocked, to_warehouse=van, lines=[(board, 3), (sensor, 5)], actor=keeper)
    before = (total(board), total(sensor))
    job_locked = threading.Event()
    errors: list[BaseException] = []

    def fit_a_board() -> None:
        """Field service's order: the ticket, the work order, then (a moment later) the van's stock."""
        try:
            with transaction.atomic():
                lock_ticket(work_order.ticket_id)
                locked = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
                job_locked.set()
                time.sleep(0.5)  # the handover starts meanwhile
                services.parts_record_used(work_order=locked, lines=[UsedPartInput(part=board, quantity=1)], actor=technician)
        except BaseException as exc:  # noqa: BLE001 - a deadlock arrives here as OperationalError
            errors.append(exc)
        finally:
            connection.close()

    def hand_over() -> None:
        try:
            assert job_locked.wait(timeout=30)
            staff_offboard(actor=admin, user_id=technician.pk, reason="离职")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fit_a_board), threading.Thread(target=hand_over)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker is still waiting"
    assert not [e for e in errors if isinstance(e, OperationalError)], f"deadlock: {errors}"
    assert errors == []

    assert (total(board), total(sensor)) == (before[0] - 1, before[1])  # one fitted, none lost
    assert (level(van, board).on_hand, level(van, sensor).on_hand) == (0, 0)
    assert not Warehouse.objects.get(pk=van.pk).active
    assert WorkOrder.objects.get(pk=work_order.pk).status == WorkOrderStatus.TO_DISPATCH
    assert level(regional, board).on_hand == 10 - 3 + 2
    assert_ledger_balances()
