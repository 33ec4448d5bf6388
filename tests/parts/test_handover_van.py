"""A technician leaves (the staff handover, docs/staff-handover.md): their van's stock is listed on
the preview, moved on leaving by transfers (ledger lines, audit rows: as by hand) to the
successor's van or back to a warehouse, quantities kept; the open requisitions into the van are
cancelled; the emptied van is closed; what no transfer moves stays, listed for a person."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum
from django.utils import translation

from aftersales.accounts.effects import STAFF_LEAVING
from aftersales.accounts.models import DataScope, Role, User
from aftersales.accounts.offboarding import staff_holdings, staff_offboard
from aftersales.audit.models import AuditEvent
from aftersales.fieldservice.models import WorkOrderStatus
from aftersales.notifications.models import Notification
from aftersales.parts import receivers, services
from aftersales.parts.models import (
    MovementKind,
    Part,
    RequisitionStatus,
    Stock,
    StockMovement,
    Transfer,
    TransferStatus,
    Warehouse,
)
from aftersales.tickets.models import TicketEvent
from tests.accounts.handover_helpers import administrator
from tests.factories import UserFactory
from tests.parts.conftest import assert_ledger_balances, level
from tests.parts.factories import PartFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return administrator()


@pytest.fixture
def van(technician, stocked, board, sensor, keeper) -> Warehouse:
    """The leaving technician's van with 3 boards and 5 sensors, transferred from the regional
    warehouse by hand."""
    van = services.warehouse_for_technician(technician=technician)
    services.transfer_create(from_warehouse=stocked, to_warehouse=van, lines=[(board, 3), (sensor, 5)], actor=keeper)
    return van


def kinds(holdings: list[Any]) -> dict[str, tuple[int, bool]]:
    return {h.kind: (h.count, h.moved) for h in holdings if h.kind.startswith("van_")}


def total(part: Part) -> int:
    """Every unit of the part on hand anywhere (a handover moves stock, it never makes or loses it)."""
    return int(Stock.objects.filter(part=part).aggregate(n=Sum("on_hand"))["n"] or 0)


def test_the_preview_lists_the_van_s_parts_and_quantities_and_its_open_requisitions(
    admin, technician, van, stocked, board, work_order
):
    requisition = services.requisition_request(work_order=work_order, warehouse=stocked, lines=[(board, 2)], actor=technician)
    assert requisition.status == RequisitionStatus.APPROVED  # reserved in the warehouse, for the van
    preview = staff_holdings(actor=admin, user_id=technician.pk)
    assert kinds(preview.holdings) == {"van_stock": (8, True), "van_requisitions": (1, True), "van_stock_left": (0, False)}
    held = next(h for h in preview.holdings if h.kind == "van_stock")
    assert held.url == f"/parts/?warehouse={van.pk}"
    with translation.override("en"):
        assert str(held.label) == "Parts in the van: 电脑板×3, 温度传感器×5"
    with translation.override("zh-hans"):
        assert str(held.label).endswith("电脑板×3、温度传感器×5")


def test_the_api_lists_the_van_with_the_other_holdings(admin, technician, van):
    from tests.api.conftest import api_client

    response = api_client(admin, scopes=["staff:read"]).get(f"/api/v1/staff/{technician.pk}/holdings")
    assert response.status_code == 200, response.content
    found = {h["kind"]: h for h in response.json()["holdings"]}
    assert found["van_stock"]["count"] == 8 and found["van_stock"]["moved"] is True
    assert "电脑板×3" in found["van_stock"]["label"]
    assert found["van_stock_left"]["moved"] is False


def test_leaving_moves_the_van_stock_to_the_successor_s_van_and_closes_the_van(
    admin, technician, van, stocked, board, sensor, keeper, region
):
    successor = UserFactory(role=Role.TECHNICIAN, region=region, data_scope=DataScope.OWN)
    theirs = services.warehouse_for_technician(technician=successor)
    services.transfer_create(from_warehouse=stocked, to_warehouse=theirs, lines=[(board, 1)], actor=keeper)
    services.stock_set_levels(warehouse=van, part=board, min_level=2, emergency_reserve=0, actor=keeper)
    before = {part: total(part) for part in (board, sensor)}
    alerts = Notification.objects.filter(template="parts_low_stock").count()

    done = staff_offboard(actor=admin, user_id=technician.pk, successor_id=successor.pk, reason="离职")

    assert {h.kind: h.count for h in done.moved if h.kind.startswith("van_")} == {"van_stock": 8}
    assert (level(van, board).on_hand, level(van, sensor).on_hand) == (0, 0)
    assert (level(theirs, board).on_hand, level(theirs, sensor).on_hand) == (1 + 3, 5)
    assert {part: total(part) for part in (board, sensor)} == before  # nothing lost, nothing made
    transfer = Transfer.objects.get(from_warehouse=van)
    assert (transfer.to_warehouse_id, transfer.status, transfer.created_by_id) == (theirs.pk, TransferStatus.RECEIVED, admin.pk)
    assert {(line.part_id, line.quantity) for line in transfer.lines.all()} == {(board.pk, 3), (sensor.pk, 5)}
    ledger = set(
        StockMovement.objects.filter(reference=transfer.number).values_list("warehouse_id", "part_id", "kind", "quantity")
    )
    assert ledger == {
        (van.pk, board.pk, MovementKind.TRANSFER_OUT, -3),
        (van.pk, sensor.pk, MovementKind.TRANSFER_OUT, -5),
        (theirs.pk, board.pk, MovementKind.TRANSFER_IN, 3),
        (theirs.pk, sensor.pk, MovementKind.TRANSFER_IN, 5),
    }
    assert_ledger_balances()
    van.refresh_from_db()
    assert not van.active and van.movements.count() == 2 + 2  # closed; its ledger kept (in by hand, out on leaving)
    for action, obj in (("parts.transfer_created", transfer), ("parts.transfer_received", transfer), ("parts.van_closed", van)):
        assert AuditEvent.objects.filter(action=action, object_id=str(obj.pk), actor=admin).exists(), action
    offboarded = AuditEvent.objects.get(action="account.offboarded")
    assert offboarded.changes["moved"]["van_stock"] == 8
    assert Notification.objects.filter(template="parts_low_stock").count() == alerts  # an emptied van is not "low"
    with translation.override("en"):
        held = next(h for h in done.moved if h.kind == "van_stock")
        assert str(held.label) == f"Van stock, moved to Van of {successor}: 电脑板×3, 温度传感器×5"


@pytest.mark.parametrize("successor_role", [None, Role.TECHNICIAN, Role.SUPERVISOR])
def test_without_a_successor_s_van_the_stock_goes_back_to_the_van_s_regional_warehouse(
    admin, technician, van, stocked, central, board, sensor, region, successor_role
):
    successor = UserFactory(role=successor_role, region=region) if successor_role else None  # no van of their own
    before = (level(stocked, board).on_hand, level(stocked, sensor).on_hand)
    staff_offboard(actor=admin, user_id=technician.pk, successor_id=successor.pk if successor else None, reason="离职")
    assert (level(stocked, board).on_hand, level(stocked, sensor).on_hand) == (before[0] + 3, before[1] + 5)
    assert not Stock.objects.filter(warehouse=central, on_hand__gt=0).exists()
    assert Transfer.objects.get(from_warehouse=van).to_warehouse_id == stocked.pk
    van.refresh_from_db()
    assert not van.active
    assert_ledger_balances()


def test_without_an_open_regional_warehouse_the_stock_goes_to_the_central_one(
    admin, technician, van, stocked, central, board, sensor
):
    Warehouse.objects.filter(pk=stocked.pk).update(active=False)
    staff_offboard(actor=admin, user_id=technician.pk, reason="离职")
    assert (level(central, board).on_hand, level(central, sensor).on_hand) == (3, 5)
    assert_ledger_balances()


def test_open_requisitions_into_the_van_are_cancelled_and_free_their_reservation(
    admin, technician, van, stocked, board, work_order
):
    requisition = services.requisition_request(work_order=work_order, warehouse=stocked, lines=[(board, 2)], actor=technician)
    assert level(stocked, board).reserved == 2
    done = staff_offboard(actor=admin, user_id=technician.pk, reason="离职")
    assert {h.kind: h.count for h in done.moved if h.kind.startswith("van_")} == {"van_stock": 8, "van_requisitions": 1}
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.CANCELLED
    assert level(stocked, board).reserved == 0
    assert AuditEvent.objects.filter(action="parts.requisition_cancelled", object_id=str(requisition.pk), actor=admin).exists()
    assert TicketEvent.objects.filter(ticket=work_order.ticket, data__action="requisition_cancelled").exists()
    work_order.refresh_from_db()
    assert (work_order.status, work_order.technician_id) == (WorkOrderStatus.TO_DISPATCH, None)


def test_what_no_transfer_moves_stays_in_the_van_which_stays_open(admin, technician, van, stocked, board, sensor, keeper):
    old = PartFactory(number="P-OLD", name="旧款门封")
    services.stock_receive(warehouse=stocked, lines=[(old, 4)], actor=keeper)
    services.transfer_create(from_warehouse=stocked, to_warehouse=van, lines=[(old, 4)], actor=keeper)
    Part.objects.filter(pk=old.pk).update(active=False)  # out of the catalogue since: no transfer takes it
    services.transfer_create(from_warehouse=stocked, to_warehouse=van, lines=[(board, 2)], actor=keeper, in_transit=True)
    preview = staff_holdings(actor=admin, user_id=technician.pk)
    assert kinds(preview.holdings) == {"van_stock": (8, True), "van_requisitions": (0, True), "van_stock_left": (4 + 2, False)}

    done = staff_offboard(actor=admin, user_id=technician.pk, reason="离职")

    assert {h.kind: h.count for h in done.attention if h.kind.startswith("van_")} == {"van_stock_left": 6}
    assert (level(van, old).on_hand, level(van, board).on_hand, level(van, sensor).on_hand) == (4, 0, 0)
    van.refresh_from_db()
    assert van.active  # still holds stock and expects a transfer: a person sees to it
    assert not AuditEvent.objects.filter(action="parts.van_closed").exists()
    assert AuditEvent.objects.get(action="account.offboarded").changes["attention"]["van_stock_left"] == 6
    assert_ledger_balances()


def test_with_no_open_warehouse_to_take_it_everything_stays(admin, technician, van, stocked, board, sensor):
    Warehouse.objects.filter(pk=stocked.pk).update(active=False)  # and there is no central warehouse
    done = staff_offboard(actor=admin, user_id=technician.pk, reason="离职")
    assert {h.kind: h.count for h in done.attention if h.kind.startswith("van_")} == {"van_stock_left": 8}
    assert not Transfer.objects.filter(from_warehouse=van).exists()
    assert (level(van, board).on_hand, level(van, sensor).on_hand) == (3, 5)
    van.refresh_from_db()
    assert van.active


def test_a_big_van_takes_several_transfers_and_a_big_quantity_several_lines(
    admin, technician, van, stocked, board, sensor, monkeypatch
):
    monkeypatch.setattr(receivers, "MAX_LINES", 1)  # one part per transfer
    monkeypatch.setattr(receivers, "MAX_QUANTITY", 2)  # 5 sensors: lines of 2, 2 and 1, merged by the transfer
    staff_offboard(actor=admin, user_id=technician.pk, reason="离职")
    transfers = list(Transfer.objects.filter(from_warehouse=van).order_by("pk"))
    assert [[(line.part_id, line.quantity) for line in t.lines.all()] for t in transfers] == [[(board.pk, 3)], [(sensor.pk, 5)]]
    assert level(van, sensor).on_hand == 0 and not Warehouse.objects.get(pk=van.pk).active


def test_a_receiver_that_fails_after_the_van_undoes_the_transfer_too(admin, technician, van, stocked, board, sensor):
    def broken(**kwargs: object) -> list[object]:
        raise RuntimeError("a later app is down")

    before = (level(van, board).on_hand, level(van, sensor).on_hand, level(stocked, board).on_hand)
    with STAFF_LEAVING.override(*STAFF_LEAVING.receivers, broken), pytest.raises(RuntimeError):
        staff_offboard(actor=admin, user_id=technician.pk, reason="离职")
    assert (level(van, board).on_hand, level(van, sensor).on_hand, level(stocked, board).on_hand) == before
    assert not Transfer.objects.filter(from_warehouse=van).exists()
    assert Warehouse.objects.get(pk=van.pk).active and User.objects.get(pk=technician.pk).is_active
    assert not AuditEvent.objects.filter(action__in=["parts.van_closed", "account.offboarded"]).exists()


def test_a_person_without_a_van_holds_no_stock(admin, keeper):
    preview = staff_holdings(actor=admin, user_id=keeper.pk)
    assert kinds(preview.holdings) == {"van_stock": (0, True), "van_requisitions": (0, True), "van_stock_left": (0, False)}
    done = staff_offboard(actor=admin, user_id=keeper.pk, reason="离职")
    assert not [h for h in done.holdings if h.kind.startswith("van_") and h.count]


def test_a_van_closes_only_when_empty(admin, van, keeper):
    from aftersales.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.van_close(van=van, actor=admin)
    assert refused.value.code == "van_not_empty"
    assert Warehouse.objects.get(pk=van.pk).active
