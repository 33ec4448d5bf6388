"""Authorising a return or exchange (the RMA number, the replacement reserved) and cancelling it
(the reservation given back).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductUnit, UnitStatus
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.parts import stock
from aftersales.parts.models import Warehouse, WarehouseKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import MeasureStatus, PlanMeasure, PlanStatus
from aftersales.tickets.permissions import ticket_check_action
from aftersales.tickets.process.common import optional_text, required_text
from aftersales.tickets.process.execution import ticket_update_measure

from ..audit_actions import ReturnsAudit
from ..effects import rma_status_changed
from ..models import (
    ReplacementProduct,
    ReturnAuthorization,
    RmaKind,
)
from ..permissions import can_authorise, check_handler
from .common import (
    KIND_OF_MEASURE,
    R,
    _move,
    _next_number,
    _record,
    _refuse_step,
    lock_rma,
)


@transaction.atomic
def rma_authorise(*, measure: PlanMeasure, actor: User, warehouse: Warehouse | None, reason: str = "") -> ReturnAuthorization:
    """Authorise the return or exchange of a measure of the ticket's agreed plan: an RMA number,
    the receiving warehouse and, for an exchange, the replacement reserved there. A second
    authorisation of the same measure (a retry) is refused naming the first RMA."""
    if not can_authorise(actor):
        raise PermissionDenied(_("Your role cannot authorise returns."), code="role_not_allowed")
    kind = KIND_OF_MEASURE.get(measure.kind)  # type: ignore[call-overload]
    if kind is None:
        raise ValidationFailed(
            {"measure": [_("Only a return or an exchange measure is authorised as a return.")]}, code="measure_kind_not_return"
        )
    text = optional_text(reason, field="reason")
    if warehouse is None:
        raise ValidationFailed({"warehouse": [_("Choose the warehouse that receives the goods.")]}, code="warehouse_required")
    if warehouse.kind == WarehouseKind.VAN or not warehouse.active:
        raise ValidationFailed({"warehouse": [_("Choose an active central or regional warehouse.")]}, code="warehouse_invalid")
    ticket = lock_ticket(measure.plan.ticket_id)
    ticket_check_action(user=actor, ticket=ticket, action="update_measure")
    measure = PlanMeasure.objects.select_related("plan").get(pk=measure.pk)
    if not measure.plan.is_current or measure.plan.status != PlanStatus.AGREED:
        raise DomainError(
            _("Returns come from the current plan agreed by the customer."), code="plan_not_agreed", field="measure"
        )
    if measure.status in {MeasureStatus.DONE, MeasureStatus.CANCELLED}:
        raise DomainError(_("This measure is already finished."), code="measure_finished", field="measure")
    existing = ReturnAuthorization.objects.filter(measure=measure).exclude(status=R.CANCELLED).first()
    if existing is not None:
        raise Conflict(
            _("This measure already has the return %(number)s.") % {"number": existing.number},
            code="rma_exists",
            field="measure",
        )
    unit_id = ticket.product_unit_id
    unit = ProductUnit.objects.select_related("model").filter(pk=unit_id).first() if unit_id is not None else None
    if unit is None:
        raise ValidationFailed(
            {"unit": [_("Register the customer's unit (serial number) on the ticket first.")]}, code="unit_required"
        )
    if unit.status != UnitStatus.IN_SERVICE:
        raise ValidationFailed(
            {"unit": [_("The unit %(serial)s was already returned.") % {"serial": unit.serial_number}]},
            code="unit_not_in_service",
        )
    part = None
    if kind == RmaKind.EXCHANGE:
        item = ReplacementProduct.objects.select_related("part").filter(product_model_id=unit.model_id, active=True).first()
        if item is None:
            raise ValidationFailed(
                {"warehouse": [_("No replacement of the model %(model)s is kept in stock.") % {"model": unit.model.code}]},
                code="no_replacement_item",
            )
        part = item.part
        row = stock.lock_stock([(warehouse.pk, part.pk)])[(warehouse.pk, part.pk)]
        try:
            stock.reserve(row, quantity=1, urgent=False)
        except DomainError as refused:
            raise DomainError(refused.message, code="insufficient_stock", field="warehouse") from None
    now = clock.now()
    rma = ReturnAuthorization.objects.create(
        number=_next_number(),
        kind=kind,
        status=R.AUTHORISED,
        ticket=ticket,
        measure=measure,
        customer_id=ticket.customer_id,
        unit=unit,
        warehouse=warehouse,
        reason=text,
        replacement_part=part,
        reserved=part is not None,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    rma.ticket = ticket
    _record(
        rma,
        actor=actor,
        action=ReturnsAudit.AUTHORISED,
        text=deferred(
            _("%(kind)s authorised for the unit %(serial)s; the goods go to %(warehouse)s."),
            kind=RmaKind(kind).label,
            serial=unit.serial_number,
            warehouse=warehouse.name_text,
        ),
        changes={"measure": measure.pk, "kind": kind, "warehouse": warehouse.pk, "reserved": part.number if part else None},
        message=(
            _("Your %(kind)s %(rma)s is authorised"),
            _(
                "your %(kind)s for request %(number)s is authorised under the number %(rma)s. We will tell you how to send the product back."
            ),
        ),
    )
    if measure.status == MeasureStatus.PENDING:
        ticket_update_measure(
            measure=measure,
            actor=None,
            status=MeasureStatus.IN_PROGRESS,
            progress_text=deferred(_("Return %(rma)s authorised."), rma=rma.number),
        )
    rma_status_changed(rma=rma, before=None)
    return rma


@transaction.atomic
def rma_cancel(*, rma: ReturnAuthorization, actor: User, reason: str, expected_version: int | None = None) -> ReturnAuthorization:
    """Cancel a return not inspected yet (or after a failed inspection); the reserved replacement
    goes back to the available stock."""
    text = required_text(reason, field="reason", message=_("Say why the return is cancelled."))
    locked = lock_rma(rma, expected_version=expected_version, allow_final_ticket=True)
    check_handler(actor, locked, allow_final_ticket=True)
    _refuse_step(locked, R.CANCELLED, message=_("This return can no longer be cancelled."), code="cannot_cancel")
    if locked.reserved and locked.replacement_part_id is not None:
        key = (locked.warehouse_id, locked.replacement_part_id)
        stock.release(stock.lock_stock([key])[key], quantity=1)
    return _move(
        locked,
        to=R.CANCELLED,
        actor=actor,
        text=deferred(_("Cancelled: %(reason)s"), reason=text),
        fields={"cancelled_at": clock.now(), "cancel_reason": text, "reserved": False},
        message=(
            _("Your %(kind)s %(rma)s is cancelled"),
            _("your %(kind)s %(rma)s for request %(number)s is cancelled: %(reason)s"),
        ),
        params={"reason": text},
    )
