"""Stock services: every rule of requisitions, use, returns, transfers and alerts, with the ledger
invariant (on hand = sum of movements) checked after each story."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.notifications.models import Notification
from aftersales.parts import services
from aftersales.parts.models import (
    AppraisalResult,
    FaultyStatus,
    MovementKind,
    PartReturnStatus,
    PartUsage,
    RequisitionApprovalRule,
    RequisitionStatus,
    Stock,
    StockMovement,
    TransferStatus,
    WarehouseKind,
)
from aftersales.parts.services import FaultyInput, UsedPartInput
from aftersales.tickets.choices import Priority
from aftersales.tickets.models import TicketEvent
from tests.factories import RegionFactory, UserFactory
from tests.parts.conftest import assert_ledger_balances, level


def issued_to_van(work_order, warehouse, lines, *, keeper, actor):  # type: ignore[no-untyped-def]
    requisition = services.requisition_create(work_order=work_order, warehouse=warehouse, lines=lines, actor=actor)
    services.requisition_submit(requisition=requisition, actor=actor)
    return services.requisition_issue(requisition=requisition, actor=keeper)


# --- Ledger and database invariants -------------------------------------------------------------


def test_receipt_writes_movements_and_the_ledger_balances(stocked, board, sensor):
    assert level(stocked, board).on_hand == 10
    assert level(stocked, sensor).on_hand == 20
    movements = StockMovement.objects.filter(warehouse=stocked)
    assert {(m.part_id, m.quantity, m.kind, m.balance_after) for m in movements} == {
        (board.pk, 10, MovementKind.RECEIPT, 10),
        (sensor.pk, 20, MovementKind.RECEIPT, 20),
    }
    assert AuditEvent.objects.filter(action="parts.stock_received").count() == 1
    assert_ledger_balances()


def test_the_ledger_is_append_only(stocked):
    movement = StockMovement.objects.first()
    movement.note = "changed"
    with pytest.raises(TypeError):
        movement.save()
    with pytest.raises(TypeError):
        movement.delete()
    with pytest.raises(TypeError):
        StockMovement.objects.filter(pk=movement.pk).update(note="x")
    with pytest.raises(TypeError):
        StockMovement.objects.all().delete()


@pytest.mark.parametrize(("on_hand", "reserved"), [(-1, 0), (5, -1), (5, 6)])
def test_the_database_refuses_negative_or_over_reserved_stock(stocked, board, on_hand, reserved):
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(warehouse=stocked, part=board).update(on_hand=on_hand, reserved=reserved)


def test_an_adjustment_cannot_take_stock_below_zero(stocked, board, keeper):
    with pytest.raises(DomainError) as refused:
        services.stock_adjust(warehouse=stocked, part=board, quantity=-11, actor=keeper, reason="盘点")
    assert refused.value.code == "insufficient_stock"
    services.stock_adjust(warehouse=stocked, part=board, quantity=-3, actor=keeper, reason="盘点损坏3个")
    assert level(stocked, board).on_hand == 7
    assert StockMovement.objects.filter(kind=MovementKind.ADJUSTMENT, quantity=-3).exists()
    assert_ledger_balances()


def test_only_stock_staff_of_the_region_receive_goods(stocked, board, technician, region):
    with pytest.raises(PermissionDenied):
        services.stock_receive(warehouse=stocked, lines=[(board, 1)], actor=technician)
    other_keeper = UserFactory(role=Role.WAREHOUSE, data_scope="region", region=RegionFactory(code="south"))
    with pytest.raises(PermissionDenied) as refused:
        services.stock_receive(warehouse=stocked, lines=[(board, 1)], actor=other_keeper)
    assert refused.value.code == "warehouse_out_of_scope"


# --- Vans -----------------------------------------------------------------------------------------


def test_each_technician_gets_one_van_created_on_demand(technician, region):
    van = services.warehouse_for_technician(technician=technician)
    assert van.kind == WarehouseKind.VAN and van.technician == technician and van.region == region
    assert services.warehouse_for_technician(technician=technician) == van


# --- Requisitions -------------------------------------------------------------------------------


def test_without_a_rule_a_requisition_is_approved_on_submit_and_reserves_stock(stocked, board, work_order, technician):
    requisition = services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 3)], actor=technician)
    assert requisition.status == RequisitionStatus.DRAFT
    assert requisition.total_cost == Decimal("540.00")
    services.requisition_submit(requisition=requisition, actor=technician)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.APPROVED
    row = level(stocked, board)
    assert (row.on_hand, row.reserved) == (10, 3)
    assert TicketEvent.objects.filter(ticket=work_order.ticket, data__requisition=requisition.pk).count() == 2


def test_a_value_threshold_rule_sends_the_requisition_to_a_supervisor(
    stocked, board, sensor, work_order, technician, supervisor, keeper
):
    RequisitionApprovalRule.objects.create(name="500元以上主管审批", min_total=Decimal("500"), approver_role="supervisor")
    cheap = services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(sensor, 2)], actor=technician)
    assert services.requisition_submit(requisition=cheap, actor=technician).status == RequisitionStatus.APPROVED

    dear = services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 3)], actor=technician)
    dear = services.requisition_submit(requisition=dear, actor=technician)
    assert dear.status == RequisitionStatus.SUBMITTED and dear.approver_role == "supervisor"
    assert level(stocked, board).reserved == 0, "nothing is promised before the approval"
    with pytest.raises(PermissionDenied):
        services.requisition_decide(requisition=dear, actor=keeper, approve=True)
    with pytest.raises(DomainError):
        services.requisition_issue(requisition=dear, actor=keeper)
    services.requisition_decide(requisition=dear, actor=supervisor, approve=True, comment="同意")
    dear.refresh_from_db()
    assert dear.status == RequisitionStatus.APPROVED and dear.decided_by == supervisor
    assert level(stocked, board).reserved == 3


def test_a_warehouse_kind_rule_needs_the_warehouse_keeper(central, board, work_order, technician, keeper, supervisor):
    services.stock_receive(warehouse=central, lines=[(board, 5)], actor=UserFactory(role=Role.ADMINISTRATOR))
    RequisitionApprovalRule.objects.create(name="中央仓领料", warehouse_kind=WarehouseKind.CENTRAL, approver_role="warehouse")
    requisition = services.requisition_create(work_order=work_order, warehouse=central, lines=[(board, 1)], actor=technician)
    requisition = services.requisition_submit(requisition=requisition, actor=technician)
    assert requisition.status == RequisitionStatus.SUBMITTED and requisition.approver_role == "warehouse"
    with pytest.raises(PermissionDenied):
        services.requisition_decide(requisition=requisition, actor=technician, approve=True)
    services.requisition_decide(requisition=requisition, actor=keeper, approve=True)
    assert level(central, board).reserved == 1


def test_a_rejection_needs_a_reason_and_reserves_nothing(stocked, board, work_order, technician, supervisor):
    RequisitionApprovalRule.objects.create(name="全部审批", approver_role="supervisor")
    requisition = services.requisition_submit(
        requisition=services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 2)], actor=technician),
        actor=technician,
    )
    with pytest.raises(ValidationFailed):
        services.requisition_decide(requisition=requisition, actor=supervisor, approve=False)
    services.requisition_decide(requisition=requisition, actor=supervisor, approve=False, comment="先用旧件")
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.REJECTED and requisition.decision_comment == "先用旧件"
    assert level(stocked, board).reserved == 0


def test_nobody_approves_their_own_requisition(stocked, board, work_order, supervisor):
    RequisitionApprovalRule.objects.create(name="全部审批", approver_role="supervisor")
    requisition = services.requisition_submit(
        requisition=services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 1)], actor=supervisor),
        actor=supervisor,
    )
    with pytest.raises(PermissionDenied):
        services.requisition_decide(requisition=requisition, actor=supervisor, approve=True)


def test_reserved_stock_cannot_be_promised_twice(stocked, board, work_order_for, technician):
    first = services.requisition_create(work_order=work_order_for(), warehouse=stocked, lines=[(board, 7)], actor=technician)
    services.requisition_submit(requisition=first, actor=technician)
    second = services.requisition_create(work_order=work_order_for(), warehouse=stocked, lines=[(board, 4)], actor=technician)
    with pytest.raises(DomainError) as refused:
        services.requisition_submit(requisition=second, actor=technician)
    assert refused.value.code == "insufficient_stock"
    second.refresh_from_db()
    assert second.status == RequisitionStatus.DRAFT
    assert level(stocked, board).reserved == 7


def test_the_emergency_reserve_is_only_for_urgent_work(stocked, board, work_order_for, technician, keeper):
    services.stock_set_levels(warehouse=stocked, part=board, min_level=0, emergency_reserve=4, actor=keeper)
    normal = services.requisition_create(work_order=work_order_for(), warehouse=stocked, lines=[(board, 7)], actor=technician)
    with pytest.raises(DomainError) as refused:
        services.requisition_submit(requisition=normal, actor=technician)
    assert refused.value.code == "insufficient_stock"
    assert "6 available" in refused.value.message
    urgent_order = work_order_for(priority=Priority.URGENT)
    urgent = services.requisition_create(work_order=urgent_order, warehouse=stocked, lines=[(board, 7)], actor=technician)
    assert urgent.urgent
    assert services.requisition_submit(requisition=urgent, actor=technician).status == RequisitionStatus.APPROVED
    assert level(stocked, board).reserved == 7
    # A transfer never draws the emergency reserve either: 10 on hand, 7 promised, 4 kept.
    with pytest.raises(DomainError):
        services.transfer_create(
            from_warehouse=stocked,
            to_warehouse=services.warehouse_for_technician(technician=technician),
            lines=[(board, 1)],
            actor=keeper,
        )


def test_issue_moves_stock_into_the_van_and_consumes_the_reservation(stocked, board, sensor, work_order, technician, keeper):
    requisition = services.requisition_create(
        work_order=work_order, warehouse=stocked, lines=[(board, 2), (sensor, 5), (board, 1)], actor=technician
    )
    assert [(line.part, line.quantity) for line in requisition.lines.all()] == [(board, 3), (sensor, 5)]
    services.requisition_submit(requisition=requisition, actor=technician)
    with pytest.raises(PermissionDenied):
        services.requisition_issue(requisition=requisition, actor=technician)
    services.requisition_issue(requisition=requisition, actor=keeper)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.ISSUED and requisition.issued_by == keeper
    van = services.warehouse_for_technician(technician=technician)
    assert (level(stocked, board).on_hand, level(stocked, board).reserved) == (7, 0)
    assert level(van, board).on_hand == 3 and level(van, sensor).on_hand == 5
    issues = StockMovement.objects.filter(kind=MovementKind.ISSUE, reference=requisition.number)
    assert sorted(m.quantity for m in issues) == [-5, -3, 3, 5]
    assert all(m.work_order_id == work_order.pk for m in issues)
    with pytest.raises(DomainError):
        services.requisition_issue(requisition=requisition, actor=keeper)
    assert_ledger_balances()


def test_cancelling_an_approved_requisition_frees_its_reservation(stocked, board, work_order, technician):
    requisition = services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 4)], actor=technician)
    services.requisition_submit(requisition=requisition, actor=technician)
    services.requisition_cancel(requisition=requisition, actor=technician)
    requisition.refresh_from_db()
    assert requisition.status == RequisitionStatus.CANCELLED
    assert level(stocked, board).reserved == 0


def test_requisition_input_is_checked(stocked, board, regional, work_order_for, technician):
    work_order = work_order_for()
    with pytest.raises(ValidationFailed):
        services.requisition_create(work_order=work_order, warehouse=stocked, lines=[], actor=technician)
    with pytest.raises(ValidationFailed):
        services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 0)], actor=technician)
    van = services.warehouse_for_technician(technician=technician)
    with pytest.raises(DomainError) as refused:
        services.requisition_create(work_order=work_order, warehouse=van, lines=[(board, 1)], actor=technician)
    assert refused.value.code == "van_not_allowed"
    other = UserFactory(role=Role.TECHNICIAN)
    with pytest.raises(PermissionDenied):
        services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 1)], actor=other)
    undispatched = work_order_for(tech=None)
    with pytest.raises(PermissionDenied):
        services.requisition_create(work_order=undispatched, warehouse=stocked, lines=[(board, 1)], actor=technician)


# --- Parts used, returns ----------------------------------------------------------------------------


def test_parts_used_are_consumed_from_the_van_with_the_unit_and_serial(stocked, board, sensor, work_order, technician, keeper):
    issued_to_van(work_order, stocked, [(board, 2), (sensor, 2)], keeper=keeper, actor=technician)
    usages = services.parts_record_used(
        work_order=work_order,
        lines=[UsedPartInput(part=board, quantity=1, serial="NEW-123", removed_serial="OLD-9")],
        actor=technician,
    )
    van = services.warehouse_for_technician(technician=technician)
    assert level(van, board).on_hand == 1
    usage = usages[0]
    assert (usage.unit_cost, usage.unit_price, usage.warranty_months) == (Decimal("180.00"), Decimal("320.00"), 6)
    assert usage.product_unit == work_order.ticket.product_unit is not None
    consumption = StockMovement.objects.get(kind=MovementKind.CONSUMPTION)
    assert (consumption.quantity, consumption.serial, consumption.work_order_id) == (-1, "NEW-123", work_order.pk)
    assert consumption.product_unit == work_order.ticket.product_unit
    with pytest.raises(DomainError) as refused:
        services.parts_record_used(work_order=work_order, lines=[UsedPartInput(part=board, quantity=2)], actor=technician)
    assert refused.value.code == "insufficient_stock"
    assert PartUsage.objects.count() == 1
    assert_ledger_balances()


def test_only_the_work_orders_technician_records_parts(stocked, board, work_order, keeper):
    with pytest.raises(PermissionDenied):
        services.parts_record_used(
            work_order=work_order, lines=[UsedPartInput(part=board, quantity=1)], actor=UserFactory(role=Role.TECHNICIAN)
        )


def test_a_return_sends_unused_parts_back_and_faulty_ones_to_appraisal(stocked, board, sensor, work_order, technician, keeper):
    issued_to_van(work_order, stocked, [(board, 2), (sensor, 3)], keeper=keeper, actor=technician)
    van = services.warehouse_for_technician(technician=technician)
    part_return = services.return_create(
        work_order=work_order,
        technician=technician,
        warehouse=stocked,
        unused=[(sensor, 3)],
        faulty=[FaultyInput(part=board, serial="OLD-9", condition="烧毁")],
        actor=technician,
    )
    assert level(van, sensor).on_hand == 0
    assert level(stocked, sensor).on_hand == 17, "in transit: not yet back in the warehouse"
    faulty = part_return.faulty.get()
    assert faulty.status == FaultyStatus.SENT and faulty.product_unit == work_order.ticket.product_unit
    with pytest.raises(DomainError):
        services.faulty_appraise(faulty=faulty, actor=keeper, result=AppraisalResult.SUPPLIER_DEFECT)
    with pytest.raises(PermissionDenied):
        services.return_receive(part_return=part_return, actor=technician)
    services.return_receive(part_return=part_return, actor=keeper)
    part_return.refresh_from_db()
    assert part_return.status == PartReturnStatus.RECEIVED
    assert level(stocked, sensor).on_hand == 20
    assert not Stock.objects.filter(part=board, warehouse=stocked, on_hand__gt=8).exists(), "faulty parts are not stock"
    faulty.refresh_from_db()
    assert faulty.status == FaultyStatus.RECEIVED
    services.faulty_appraise(faulty=faulty, actor=keeper, result=AppraisalResult.SUPPLIER_DEFECT, note="供应商索赔")
    faulty.refresh_from_db()
    assert faulty.status == FaultyStatus.APPRAISED and faulty.appraised_by == keeper
    with pytest.raises(DomainError):
        services.return_receive(part_return=part_return, actor=keeper)
    assert_ledger_balances()


def test_a_technician_cannot_return_more_than_the_van_holds(stocked, sensor, technician):
    with pytest.raises(DomainError) as refused:
        services.return_create(
            work_order=None, technician=technician, warehouse=stocked, unused=[(sensor, 1)], faulty=[], actor=technician
        )
    assert refused.value.code == "insufficient_stock"
    with pytest.raises(ValidationFailed):
        services.return_create(work_order=None, technician=technician, warehouse=stocked, unused=[], faulty=[], actor=technician)


# --- Transfers ---------------------------------------------------------------------------------------


def test_a_transfer_in_transit_arrives_on_receipt(stocked, central, board, keeper):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    transfer = services.transfer_create(
        from_warehouse=stocked, to_warehouse=central, lines=[(board, 4)], actor=keeper, in_transit=True
    )
    assert transfer.status == TransferStatus.IN_TRANSIT
    assert level(stocked, board).on_hand == 6
    assert not Stock.objects.filter(warehouse=central, part=board, on_hand__gt=0).exists()
    services.transfer_receive(transfer=transfer, actor=admin)
    assert level(central, board).on_hand == 4
    kinds = sorted(StockMovement.objects.filter(reference=transfer.number).values_list("kind", "quantity"))
    assert kinds == [(MovementKind.TRANSFER_IN, 4), (MovementKind.TRANSFER_OUT, -4)]
    with pytest.raises(ValidationFailed):
        services.transfer_create(from_warehouse=central, to_warehouse=central, lines=[(board, 1)], actor=admin)
    with pytest.raises(DomainError):
        services.transfer_create(from_warehouse=central, to_warehouse=stocked, lines=[(board, 5)], actor=admin)
    assert_ledger_balances()


# --- Low-stock alerts ----------------------------------------------------------------------------------


def test_low_stock_alerts_warehouse_staff_once_per_crossing(stocked, board, central, keeper, django_capture_on_commit_callbacks):
    services.stock_set_levels(warehouse=stocked, part=board, min_level=5, emergency_reserve=0, actor=keeper)
    assert not Notification.objects.exists()
    services.stock_adjust(warehouse=stocked, part=board, quantity=-6, actor=keeper, reason="盘亏")  # 4 < 5
    services.stock_adjust(warehouse=stocked, part=board, quantity=-1, actor=keeper, reason="盘亏")  # still low
    alerts = Notification.objects.filter(template="parts_low_stock")
    assert alerts.count() == 1 and alerts.get().user == keeper
    assert "P-BOARD" in alerts.get().body
    services.stock_receive(warehouse=stocked, lines=[(board, 10)], actor=keeper)  # back above
    assert not level(stocked, board).low_alerted
    services.stock_adjust(warehouse=stocked, part=board, quantity=-10, actor=keeper, reason="盘亏")  # low again
    assert alerts.count() == 2


def test_a_reservation_that_leaves_too_little_available_also_alerts(stocked, board, work_order, technician, keeper):
    services.stock_set_levels(warehouse=stocked, part=board, min_level=3, emergency_reserve=0, actor=keeper)
    requisition = services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 8)], actor=technician)
    services.requisition_submit(requisition=requisition, actor=technician)
    assert Notification.objects.filter(template="parts_low_stock", user=keeper).count() == 1


# --- Audit and timeline ----------------------------------------------------------------------------


def test_every_step_is_audited_and_on_the_tickets_timeline(stocked, board, work_order, technician, keeper):
    requisition = issued_to_van(work_order, stocked, [(board, 2)], keeper=keeper, actor=technician)
    services.parts_record_used(work_order=work_order, lines=[UsedPartInput(part=board, quantity=1)], actor=technician)
    services.return_create(
        work_order=work_order, technician=technician, warehouse=stocked, unused=[(board, 1)], faulty=[], actor=technician
    )
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    for action in (
        "parts.requisition_created",
        "parts.requisition_approved",
        "parts.requisition_issued",
        "parts.part_used",
        "parts.return_created",
    ):
        assert action in actions
    issued = AuditEvent.objects.get(action="parts.requisition_issued")
    assert issued.object_id == str(requisition.pk) and issued.actor == keeper
    events = TicketEvent.objects.filter(ticket=work_order.ticket, data__parts=True)
    assert [e.data["action"] for e in events.order_by("id")] == [
        "requisition_created",
        "requisition_submitted",
        "requisition_issued",
        "parts_used",
        "return_created",
    ]
    assert not events.filter(public=True).exists(), "parts entries are internal"


# --- Admin ------------------------------------------------------------------------------------------


def test_admin_keeps_the_ledger_read_only_and_sets_levels_through_the_service(stocked, board, client):
    from django.urls import reverse

    admin_user = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    movement = StockMovement.objects.first()
    assert client.get(reverse("admin:parts_stockmovement_add")).status_code == 403
    assert client.post(reverse("admin:parts_stockmovement_delete", args=[movement.pk]), {"post": "yes"}).status_code == 403
    row = level(stocked, board)
    response = client.post(
        reverse("admin:parts_stock_change", args=[row.pk]), {"min_level": 12, "emergency_reserve": 2, "_save": "Save"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.on_hand, row.min_level, row.emergency_reserve) == (10, 12, 2)
    assert row.low_alerted, "the new level put it below the minimum: alert raised"
    assert AuditEvent.objects.filter(action="parts.levels_set", actor=admin_user).exists()


def test_no_parts_are_requested_or_recorded_on_a_closed_work_order(stocked, board, work_order_for, technician):
    closed = work_order_for()
    type(closed).objects.filter(pk=closed.pk).update(status="cancelled")
    closed.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.requisition_create(work_order=closed, warehouse=stocked, lines=[(board, 1)], actor=technician)
    assert refused.value.code == "work_order_closed"
    with pytest.raises(DomainError):
        services.parts_record_used(work_order=closed, lines=[UsedPartInput(part=board, quantity=1)], actor=technician)


def test_locking_no_rows_locks_nothing(stocked):
    from aftersales.parts.stock import lock_stock

    assert lock_stock([]) == {}
