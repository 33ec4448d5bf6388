"""The RMA's steps: authorisation with the replacement reserved, handover, receipt, inspection,
the replacement issued through the stock ledger and registered to the customer, completion of
the measure (then the ticket resolves), and every refusal leaving nothing half-done."""

from __future__ import annotations

import io

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.catalog.models import ProductUnit, UnitStatus
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.notifications.models import Notification
from aftersales.parts.models import MovementKind, StockMovement
from aftersales.portal.timeline import customer_timeline
from aftersales.returns import selectors, services
from aftersales.returns.models import ReturnAuthorization, RmaPhoto, RmaStatus
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import MeasureKind, MeasureStatus, PlanMeasure, Ticket, TicketEvent
from aftersales.tickets.process import ticket_resolve
from aftersales.tickets.states import TicketStatus
from tests.factories import UserFactory

from .helpers import fresh, walk_to, world

pytestmark = pytest.mark.django_db


def test_exchange_walks_to_completion_and_the_ticket_resolves() -> None:
    w = world(stock=2)
    rma = w.authorise(MeasureKind.EXCHANGE)
    assert rma.number.startswith(f"RMA{clock.local_today():%Y%m%d}")
    assert rma.status == RmaStatus.AUTHORISED and rma.reserved
    assert (w.stock().on_hand, w.stock().reserved) == (2, 1)
    measure = PlanMeasure.objects.get(pk=rma.measure_id)
    assert measure.status == MeasureStatus.IN_PROGRESS

    rma = walk_to(rma, "replacement_shipped", w)
    assert rma.status == RmaStatus.REPLACEMENT_SHIPPED
    assert (w.stock().on_hand, w.stock().reserved) == (1, 0)
    issue = StockMovement.objects.get(reference=rma.number)
    assert issue.kind == MovementKind.ISSUE and issue.quantity == -1 and issue.serial == f"NEW{w.unit.serial_number}"
    new_unit = ProductUnit.objects.get(serial_number=f"NEW{w.unit.serial_number}")
    assert new_unit.customer_id == rma.customer_id and new_unit.replaces_id == w.unit.pk
    assert new_unit.purchase_date == clock.local_today()  # the warranty counts from the exchange
    assert ProductUnit.objects.get(pk=w.unit.pk).status == UnitStatus.REFURBISHED
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.IN_PROGRESS

    rma = walk_to(rma, "delivered", w)
    assert rma.status == RmaStatus.COMPLETED and rma.completed_at is not None
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.DONE
    ticket = Ticket.objects.get(pk=rma.ticket_id)
    ticket = ticket_resolve(ticket=ticket, actor=w.agent, summary="已换新机。")
    assert ticket.status == TicketStatus.RESOLVED

    # Each step: a public timeline entry (the customer's portal shows it), audit, a message.
    steps = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_OUT, data__rma=rma.number)
    assert {e.data["status"] for e in steps} == {
        "authorised",
        "in_transit",
        "received",
        "inspected",
        "replacement_shipped",
        "delivered",
        "completed",
    }
    assert all(e.public for e in steps)
    actions = set(
        AuditEvent.objects.filter(object_type="returns.returnauthorization", object_id=str(rma.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"returns.authorised", "returns.status.received", "returns.status.completed"} <= actions
    templates = set(Notification.objects.filter(ticket=ticket).values_list("template", flat=True))
    assert {"returns.authorised", "returns.in_transit", "returns.replacement_shipped", "returns.completed"} <= templates
    public = list(TicketEvent.objects.filter(ticket=ticket, public=True).order_by("created_at", "id"))
    shown = [s.text for s in customer_timeline(ticket_id=ticket.pk, events=public)]
    assert any(rma.number in text and "SF1234567890" in text for text in shown)


def test_a_return_completes_on_inspection_and_tells_the_refund() -> None:
    w = world(stock=0)
    rma = w.authorise(MeasureKind.RETURN)
    assert not rma.reserved and rma.replacement_part_id is None
    assert selectors.rma_for_measure(measure_id=rma.measure_id).received_and_inspected is False  # type: ignore[union-attr]
    rma = walk_to(rma, "received", w)
    assert not selectors.goods_received_and_inspected(measure_id=rma.measure_id)
    rma = walk_to(rma, "inspected", w)
    assert rma.status == RmaStatus.COMPLETED
    assert RmaPhoto.objects.filter(rma=rma, content_type="image/png").count() == 1
    assert PlanMeasure.objects.get(pk=rma.measure_id).status == MeasureStatus.DONE
    fact = selectors.rma_for_measure(measure_id=rma.measure_id)
    assert fact is not None and fact.received_and_inspected and fact.number == rma.number
    assert ProductUnit.objects.get(pk=w.unit.pk).status == UnitStatus.REFURBISHED


def test_a_second_authorisation_of_the_measure_is_refused_naming_the_first() -> None:
    w = world(stock=3)
    _ticket, measure = w.ticket(MeasureKind.EXCHANGE)
    first = services.rma_authorise(measure=measure, actor=w.agent, warehouse=w.warehouse)
    with pytest.raises(Conflict) as refused:
        services.rma_authorise(measure=measure, actor=w.agent, warehouse=w.warehouse)
    assert refused.value.code == "rma_exists" and refused.value.field == "measure"
    assert first.number in str(refused.value)
    assert ReturnAuthorization.objects.filter(measure=measure).count() == 1
    assert w.stock().reserved == 1


def test_no_stock_for_the_replacement_leaves_nothing_behind() -> None:
    w = world(stock=0)
    _ticket, measure = w.ticket(MeasureKind.EXCHANGE)
    with pytest.raises(DomainError) as refused:
        services.rma_authorise(measure=measure, actor=w.agent, warehouse=w.warehouse)
    assert refused.value.code == "insufficient_stock" and refused.value.field == "warehouse"
    assert not ReturnAuthorization.objects.exists()
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.PENDING


def test_only_return_and_exchange_measures_and_a_registered_unit() -> None:
    w = world()
    _ticket, measure = w.ticket(MeasureKind.REFUND)
    with pytest.raises(ValidationFailed) as refused:
        services.rma_authorise(measure=measure, actor=w.agent, warehouse=w.warehouse)
    assert refused.value.field == "measure"
    with pytest.raises(ValidationFailed) as no_warehouse:
        services.rma_authorise(measure=measure, actor=w.agent, warehouse=None)
    assert no_warehouse.value.field in {"measure", "warehouse"}


def test_inspection_before_receipt_and_receipt_after_cancel_are_refused() -> None:
    w = world()
    rma = w.authorise(MeasureKind.EXCHANGE)
    with pytest.raises(DomainError) as early:
        services.rma_inspect(
            rma=rma,
            actor=w.keeper,
            serial=w.unit.serial_number,
            accessories_complete=True,
            condition="used",
            disposition="returned",
            passed=True,
        )
    assert early.value.code == "not_received" and early.value.field == "status"
    cancelled = services.rma_cancel(rma=fresh(rma), actor=w.agent, reason="客户改为维修")
    assert cancelled.status == RmaStatus.CANCELLED
    assert w.stock().reserved == 0  # the reservation is released
    with pytest.raises(DomainError) as late:
        services.rma_receive(rma=fresh(rma), actor=w.keeper)
    assert late.value.code == "rma_not_authorised"
    # A new RMA may be authorised for the measure once the first is cancelled.
    again = services.rma_authorise(measure=rma.measure, actor=w.agent, warehouse=w.warehouse)
    assert again.number != rma.number and w.stock().reserved == 1


def test_failed_inspection_goes_back_to_the_agent() -> None:
    w = world(stock=0)
    rma = walk_to(w.authorise(MeasureKind.RETURN), "received", w)
    base = {"accessories_complete": False, "condition": "damaged", "disposition": "scrapped"}
    with pytest.raises(ValidationFailed) as mismatch:
        services.rma_inspect(rma=rma, actor=w.keeper, serial="OTHER123", passed=True, **base)
    assert mismatch.value.field == "serial" and mismatch.value.code == "serial_mismatch"
    with pytest.raises(ValidationFailed) as reason:
        services.rma_inspect(rma=fresh(rma), actor=w.keeper, serial="OTHER123", passed=False, **base)
    assert reason.value.field == "notes"
    assert fresh(rma).status == RmaStatus.RECEIVED
    failed = services.rma_inspect(rma=fresh(rma), actor=w.keeper, serial="OTHER123", passed=False, notes="机身有摔痕", **base)
    assert failed.status == RmaStatus.INSPECTION_FAILED and failed.serial_matches is False
    assert Notification.objects.filter(template="returns.inspection_failed", recipient=str(w.agent.pk)).exists()
    assert PlanMeasure.objects.get(pk=rma.measure_id).status == MeasureStatus.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        services.rma_accept_inspection(rma=fresh(rma), actor=w.keeper, reason="x")
    done = services.rma_accept_inspection(rma=fresh(rma), actor=w.agent, reason="经鉴定为质量问题，同意退货")
    assert done.status == RmaStatus.COMPLETED
    assert ProductUnit.objects.get(pk=w.unit.pk).status == UnitStatus.SCRAPPED


def test_photos_are_checked_from_their_bytes() -> None:
    w = world(stock=0)
    rma = walk_to(w.authorise(MeasureKind.RETURN), "received", w)
    fake = io.BytesIO(b"not an image at all, just text")
    fake.name = "photo.png"
    with pytest.raises(ValidationFailed) as refused:
        services.rma_inspect(
            rma=rma,
            actor=w.keeper,
            serial=w.unit.serial_number,
            accessories_complete=True,
            condition="used",
            disposition="returned",
            passed=True,
            photos=[fake],
        )
    assert refused.value.field == "photos"
    assert fresh(rma).status == RmaStatus.RECEIVED and not RmaPhoto.objects.exists()


def test_stale_version_and_wrong_people_are_refused() -> None:
    w = world()
    rma = w.authorise(MeasureKind.EXCHANGE)
    with pytest.raises(Conflict):
        services.rma_handover(rma=rma, actor=w.agent, method="drop_off", outlet="徐汇服务网点", expected_version=rma.version + 5)
    other = world(stock=0, code="south")
    with pytest.raises(PermissionDenied):
        services.rma_receive(rma=fresh(rma), actor=other.keeper)
    with pytest.raises(PermissionDenied):
        services.rma_receive(rma=fresh(rma), actor=w.agent)
    with pytest.raises(PermissionDenied):
        services.rma_cancel(rma=fresh(rma), actor=other.agent, reason="x")
    customer = UserFactory(role="customer")
    with pytest.raises(PermissionDenied):
        services.rma_authorise(measure=rma.measure, actor=customer, warehouse=w.warehouse)
    assert fresh(rma).status == RmaStatus.AUTHORISED


def test_handover_by_drop_off_then_carrier() -> None:
    w = world()
    rma = w.authorise(MeasureKind.EXCHANGE)
    with pytest.raises(ValidationFailed) as missing:
        services.rma_handover(rma=rma, actor=w.agent, method="drop_off")
    assert missing.value.field == "outlet"
    rma = services.rma_handover(rma=fresh(rma), actor=w.agent, method="drop_off", outlet="徐汇服务网点", expected_version=1)
    assert rma.status == RmaStatus.AWAITING_PICKUP and rma.version == 2
    rma = services.rma_handover(rma=fresh(rma), actor=w.keeper, method="carrier", carrier="京东物流", tracking_number="JD0001")
    assert rma.status == RmaStatus.IN_TRANSIT and rma.tracking_number == "JD0001"
    with pytest.raises(DomainError):
        services.rma_handover(rma=fresh(rma), actor=w.agent, method="carrier", carrier="京东物流")


def test_replacement_serial_of_another_customer_is_refused() -> None:
    w = world()
    rma = walk_to(w.authorise(MeasureKind.EXCHANGE), "inspected", w)
    from tests.factories import CustomerFactory

    taken = ProductUnit.objects.create(serial_number="TAKEN1", model=w.unit.model, customer=CustomerFactory())
    with pytest.raises(ValidationFailed) as refused:
        services.rma_ship_replacement(rma=rma, actor=w.keeper, serial=taken.serial_number, carrier="顺丰", tracking_number="SF1")
    assert refused.value.field == "serial"
    assert w.stock().reserved == 1 and fresh(rma).status == RmaStatus.INSPECTED
