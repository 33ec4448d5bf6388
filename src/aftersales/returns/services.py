"""Every write of a return or exchange (RMA): one service per step, each in one transaction that
locks the ticket, then the RMA (then stock rows, in key order, through ``parts.stock``), checks
the RMA's version, moves the status through the one table (``states.TABLE``), writes the typed
audit row, a public timeline entry the customer reads on their portal, and the customer's
message (outbox). The measure of the plan is done when its RMA completes (a return: goods
received and inspected; an exchange: the replacement delivered), as a work order completes its
measure — so the ticket goes on to be resolved, surveyed and closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductUnit, UnitStatus
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import Deferred, deferred
from aftersales.fieldservice.uploads import check_photo
from aftersales.parts import stock
from aftersales.parts.models import MovementKind, Warehouse, WarehouseKind
from aftersales.tickets.choices import EventKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import MeasureKind, MeasureStatus, PlanMeasure, PlanStatus
from aftersales.tickets.permissions import ticket_check_action
from aftersales.tickets.process.common import optional_text, required_text, timeline
from aftersales.tickets.process.execution import ticket_update_measure
from aftersales.tickets.process.notify import notify_customer, notify_staff_users, ticket_link
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES
from aftersales.tickets.states import TicketStatus

from .audit_actions import ReturnsAudit
from .models import (
    Disposition,
    HandoverMethod,
    ReplacementProduct,
    ReturnAuthorization,
    RmaKind,
    RmaNumberSequence,
    RmaPhoto,
    RmaStatus,
    UnitCondition,
)
from .permissions import can_authorise, check_handler, check_handler_or_keeper, check_keeper
from .states import TABLE, sources

R = RmaStatus
MAX_PHOTOS = 10
KIND_OF_MEASURE = {MeasureKind.RETURN: RmaKind.RETURN, MeasureKind.EXCHANGE: RmaKind.EXCHANGE}
UNIT_STATUS_OF = {
    Disposition.RETURNED: UnitStatus.RETURNED,
    Disposition.REFURBISHED: UnitStatus.REFURBISHED,
    Disposition.SCRAPPED: UnitStatus.SCRAPPED,
}


# --- shared steps ------------------------------------------------------------------------------


def _next_number() -> str:
    day = clock.local_today()
    seq, _created = RmaNumberSequence.objects.select_for_update().get_or_create(day=day)
    RmaNumberSequence.objects.filter(pk=seq.pk).update(last_value=F("last_value") + 1)
    seq.refresh_from_db()
    return f"RMA{day:%Y%m%d}{seq.last_value:04d}"


def lock_rma(rma: ReturnAuthorization, *, expected_version: int | None, allow_final_ticket: bool = False) -> ReturnAuthorization:
    """Lock the ticket, then the RMA (``tickets.locking``'s order); check the RMA's version. A
    closed ticket takes no more steps (only cancelling, which gives the reserved stock back)."""
    ticket = lock_ticket(rma.ticket_id)
    if ticket.status in TICKET_FINAL_STATUSES and not allow_final_ticket:
        raise DomainError(_("The ticket is closed; its returns can only be cancelled."), code="ticket_final", field="status")
    locked = ReturnAuthorization.objects.select_for_update().select_related("unit", "warehouse").get(pk=rma.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This return was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )
    locked.ticket = ticket
    return locked


def _step_text(rma: ReturnAuthorization, text: Deferred) -> Deferred:
    return deferred(_("%(number)s: %(text)s"), number=rma.number, text=text)


def _record(
    rma: ReturnAuthorization,
    *,
    actor: User | None,
    action: ReturnsAudit,
    text: Deferred,
    changes: dict[str, Any],
    message: tuple[Any, Any] | None,
    params: dict[str, Any] | None = None,
) -> None:
    """The audit row, the public timeline entry (the customer's portal shows it with its text)
    and, with ``message`` (subject, body), the customer's SMS/e-mail/inbox with their link."""
    audit_record(action=action, obj=rma, actor=actor, changes=changes)
    timeline(
        ticket=rma.ticket,
        actor=actor,
        text=_step_text(rma, text),
        public=True,
        kind=EventKind.MESSAGE_OUT,
        data={"rma": rma.number, "action": f"rma_{rma.status}", "status": rma.status},
    )
    if message is not None:
        subject, body = message
        notify_customer(
            ticket=rma.ticket,
            template=f"returns.{rma.status}",
            subject=subject,
            body=body,
            params={"rma": rma.number, "kind": RmaKind(rma.kind).label, **(params or {})},
            link=ticket_link(rma.ticket),
            link_text=_("Follow your request:"),
        )


def _move(
    rma: ReturnAuthorization,
    *,
    to: str,
    actor: User | None,
    text: Deferred,
    fields: dict[str, Any] | None = None,
    message: tuple[Any, Any] | None = None,
    params: dict[str, Any] | None = None,
) -> ReturnAuthorization:
    """The one door for status changes: the table's check, the fields, the version, the records."""
    before = rma.status
    TABLE.check(before, to)
    now = clock.now()
    updates: dict[str, Any] = {"status": to, "updated_at": now, **(fields or {})}
    ReturnAuthorization.objects.filter(pk=rma.pk).update(version=F("version") + 1, **updates)
    for name, value in updates.items():
        setattr(rma, name, value)
    rma.version += 1
    changes: dict[str, Any] = {"status": [before, to]}
    for name, value in (fields or {}).items():
        changes[name] = value.pk if hasattr(value, "pk") else (value.isoformat() if hasattr(value, "isoformat") else value)
    _record(
        rma, actor=actor, action=ReturnsAudit(f"returns.status.{to}"), text=text, changes=changes, message=message, params=params
    )
    return rma


def _refuse_step(rma: ReturnAuthorization, target: str, *, message: Any, code: str) -> None:
    if rma.status not in sources(target):
        raise DomainError(message, code=code, field="status")


def _set_unit_status(unit: ProductUnit, *, status: str, actor: User | None, rma: ReturnAuthorization) -> None:
    locked = ProductUnit.objects.select_for_update().get(pk=unit.pk)
    before = locked.status
    if before == status:
        return
    ProductUnit.objects.filter(pk=locked.pk).update(status=status, status_changed_at=clock.now())
    audit_record(
        action=ReturnsAudit.UNIT_STATUS_CHANGED, obj=locked, actor=actor, changes={"status": [before, status], "rma": rma.number}
    )


def _complete(rma: ReturnAuthorization, *, actor: User | None) -> ReturnAuthorization:
    """The RMA is done; so is its measure, when it still belongs to the current plan of a ticket
    being worked on (as ``fieldservice``'s ``complete_measure_if_done``)."""
    text = (
        deferred(_("Exchange completed: the replacement %(serial)s was delivered."), serial=rma.replacement_unit.serial_number)
        if rma.is_exchange and rma.replacement_unit is not None
        else deferred(_("Return completed: the goods were received and inspected."))
    )
    _move(
        rma,
        to=R.COMPLETED,
        actor=actor,
        text=text,
        fields={"completed_at": clock.now()},
        message=(_("Your %(kind)s %(rma)s is completed"), _("your %(kind)s %(rma)s for request %(number)s is completed.")),
    )
    measure = PlanMeasure.objects.select_related("plan").get(pk=rma.measure_id)
    ticket = rma.ticket
    if measure.status in {MeasureStatus.DONE, MeasureStatus.CANCELLED} or not measure.plan.is_current:
        return rma
    if ticket.status not in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}:
        return rma
    ticket_update_measure(
        measure=measure,
        actor=None,
        status=MeasureStatus.DONE,
        progress_text=deferred(_("Done: %(kind)s %(rma)s completed."), kind=RmaKind(rma.kind).label, rma=rma.number),
    )
    return rma


def _check_photos(photos: Sequence[IO[bytes]]) -> list[tuple[IO[bytes], Any]]:
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed({"photos": [_("At most %(limit)d photos.") % {"limit": MAX_PHOTOS}]}, code="too_many_photos")
    return [(f, check_photo(f, field="photos")) for f in photos]


def _save_photo(rma: ReturnAuthorization, fileobj: IO[bytes], sniffed: Any, actor: User) -> RmaPhoto:
    photo = RmaPhoto(
        rma=rma,
        original_name=(getattr(fileobj, "name", "") or f"photo{sniffed.extension}").rsplit("/", 1)[-1][:200],
        content_type=sniffed.content_type,
        size=sniffed.size,
        sha256=sniffed.sha256,
        uploaded_by=actor,
        created_at=clock.now(),
    )
    photo.file.save(f"inspection{sniffed.extension}", File(fileobj), save=False)
    photo.save()
    return photo


def _choice(value: str, choices: Any, *, field: str, message: Any) -> str:
    if value not in choices.values:
        raise ValidationFailed({field: [message]}, code=f"{field}_invalid")
    return str(value)


# --- the steps ---------------------------------------------------------------------------------


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
    return rma


@transaction.atomic
def rma_handover(
    *,
    rma: ReturnAuthorization,
    actor: User,
    method: str,
    carrier: str = "",
    tracking_number: str = "",
    outlet: str = "",
    expected_version: int | None = None,
) -> ReturnAuthorization:
    """How the goods come back: a carrier's pickup (booked → awaiting pickup; with the tracking
    number → in transit) or a drop-off at a service outlet (awaiting drop-off; once the outlet
    sends it on with a tracking number → in transit)."""
    chosen = _choice(method, HandoverMethod, field="method", message=_("Choose pickup by carrier or drop-off at an outlet."))
    carrier_text = optional_text(carrier, field="carrier", limit=64)
    tracking = optional_text(tracking_number, field="tracking_number", limit=64)
    outlet_text = optional_text(outlet, field="outlet", limit=128)
    if chosen == HandoverMethod.CARRIER and not carrier_text:
        raise ValidationFailed({"carrier": [_("Name the carrier.")]}, code="carrier_required")
    if chosen == HandoverMethod.DROP_OFF and not outlet_text:
        raise ValidationFailed({"outlet": [_("Name the service outlet.")]}, code="outlet_required")
    if tracking and not carrier_text:
        raise ValidationFailed({"carrier": [_("Name the carrier of this tracking number.")]}, code="carrier_required")
    locked = lock_rma(rma, expected_version=expected_version)
    check_handler_or_keeper(actor, locked)
    target = R.IN_TRANSIT if tracking else R.AWAITING_PICKUP
    _refuse_step(
        locked, target, message=_("The goods of this return are already on their way or received."), code="handover_not_open"
    )
    fields = {"handover_method": chosen, "carrier": carrier_text, "tracking_number": tracking, "outlet": outlet_text}
    if target == R.IN_TRANSIT:
        text = deferred(_("Picked up by %(carrier)s, tracking number %(tracking)s."), carrier=carrier_text, tracking=tracking)
        message = (
            _("Your product is on its way back (%(rma)s)"),
            _("your product for request %(number)s was handed to %(carrier)s, tracking number %(tracking)s."),
        )
    elif chosen == HandoverMethod.CARRIER:
        text = deferred(_("Pickup by %(carrier)s booked."), carrier=carrier_text)
        message = (
            _("Pickup booked for %(rma)s"),
            _("%(carrier)s will collect the product of request %(number)s; please have it packed with its accessories."),
        )
    else:
        text = deferred(_("To be dropped off at %(outlet)s."), outlet=outlet_text)
        message = (
            _("Please bring your product (%(rma)s)"),
            _("please bring the product of request %(number)s with its accessories to %(outlet)s, quoting %(rma)s."),
        )
    return _move(
        locked,
        to=target,
        actor=actor,
        text=text,
        fields=fields,
        message=message,
        params={"carrier": carrier_text, "tracking": tracking, "outlet": outlet_text},
    )


@transaction.atomic
def rma_receive(
    *, rma: ReturnAuthorization, actor: User, note: str = "", expected_version: int | None = None
) -> ReturnAuthorization:
    """The warehouse receives the goods of an authorised return (its keeper, in their scope)."""
    text = optional_text(note, field="note")
    locked = lock_rma(rma, expected_version=expected_version)
    check_keeper(actor, locked)
    if locked.status == R.CANCELLED:
        raise DomainError(
            _("The return %(number)s was cancelled; it is not authorised any more.") % {"number": locked.number},
            code="rma_not_authorised",
            field="number",
        )
    _refuse_step(locked, R.RECEIVED, message=_("The goods of this return were already received."), code="already_received")
    return _move(
        locked,
        to=R.RECEIVED,
        actor=actor,
        text=deferred(_("Goods received at %(warehouse)s."), warehouse=locked.warehouse.name_text),
        fields={"received_at": clock.now(), "received_by": actor, "inspection_notes": text},
        message=(
            _("We received your product (%(rma)s)"),
            _("we received the product of request %(number)s and will inspect it now."),
        ),
    )


@transaction.atomic
def rma_inspect(
    *,
    rma: ReturnAuthorization,
    actor: User,
    serial: str,
    accessories_complete: bool,
    condition: str,
    disposition: str,
    passed: bool,
    notes: str = "",
    photos: Sequence[IO[bytes]] = (),
    expected_version: int | None = None,
) -> ReturnAuthorization:
    """Inspect the received goods: the serial found (must match the authorised unit to pass),
    accessories, condition, what becomes of the unit, photos (type read from the bytes) and
    notes. Passed → inspected (a return is then completed, its measure done); failed → back to
    the agent with the reason."""
    found = required_text(serial, field="serial", message=_("Enter the serial number on the unit."), limit=64)
    cond = _choice(condition, UnitCondition, field="condition", message=_("Choose the condition."))
    disp = _choice(disposition, Disposition, field="disposition", message=_("Choose what becomes of the unit."))
    text = optional_text(notes, field="notes")
    if not passed and not text:
        raise ValidationFailed({"notes": [_("Say why the inspection failed.")]}, code="failure_reason_required")
    sniffed = _check_photos(photos)
    locked = lock_rma(rma, expected_version=expected_version)
    check_keeper(actor, locked)
    if locked.status != R.RECEIVED:
        if locked.status in sources(R.RECEIVED) or locked.status == R.CANCELLED:
            raise DomainError(_("Receive the goods before inspecting them."), code="not_received", field="status")
        raise DomainError(_("This return was already inspected."), code="already_inspected", field="status")
    matches = found.replace(" ", "").upper() == locked.unit.serial_number.replace(" ", "").upper()
    if passed and not matches:
        raise ValidationFailed(
            {
                "serial": [
                    _("The serial number does not match the authorised unit %(serial)s; record the inspection as failed.")
                    % {"serial": locked.unit.serial_number}
                ]
            },
            code="serial_mismatch",
        )
    for fileobj, info in sniffed:
        _save_photo(locked, fileobj, info, actor)
    fields = {
        "inspected_serial": found,
        "serial_matches": matches,
        "accessories_complete": bool(accessories_complete),
        "condition": cond,
        "disposition": disp,
        "inspection_notes": text if text else locked.inspection_notes,
        "inspected_at": clock.now(),
        "inspected_by": actor,
    }
    if not passed:
        fields["failure_reason"] = text
        _move(
            locked,
            to=R.INSPECTION_FAILED,
            actor=actor,
            text=deferred(_("The inspection found a problem; our agent will contact you.")),
            fields=fields,
            message=(
                _("About your product (%(rma)s)"),
                _("the inspection of the product of request %(number)s found a problem; our agent will contact you."),
            ),
        )
        staff = [u for u in {locked.created_by, locked.ticket.assignee} if u is not None]
        notify_staff_users(
            users=staff,
            ticket=locked.ticket,
            template="returns.inspection_failed",
            subject=_("Inspection failed: %(rma)s"),
            body=_("The inspection of %(rma)s (request %(number)s) failed: %(reason)s"),
            params={"rma": locked.number, "reason": text},
        )
        return locked
    return _pass(locked, actor=actor, fields=fields)


def _pass(rma: ReturnAuthorization, *, actor: User, fields: dict[str, Any]) -> ReturnAuthorization:
    _move(
        rma,
        to=R.INSPECTED,
        actor=actor,
        text=deferred(_("Inspection passed.")),
        fields=fields,
        message=(
            _("Your product passed the inspection (%(rma)s)"),
            _("the product of request %(number)s passed the inspection."),
        ),
    )
    _set_unit_status(rma.unit, status=UNIT_STATUS_OF[Disposition(rma.disposition)], actor=actor, rma=rma)
    if rma.kind == RmaKind.RETURN:
        _complete(rma, actor=actor)
    return rma


@transaction.atomic
def rma_accept_inspection(
    *, rma: ReturnAuthorization, actor: User, reason: str, expected_version: int | None = None
) -> ReturnAuthorization:
    """After a failed inspection the agent accepts the goods all the same, with a reason."""
    text = required_text(reason, field="reason", message=_("Say why the goods are accepted."))
    locked = lock_rma(rma, expected_version=expected_version)
    check_handler(actor, locked)
    if locked.status != R.INSPECTION_FAILED:
        raise DomainError(_("Only a failed inspection can be accepted."), code="not_failed", field="status")
    return _pass(locked, actor=actor, fields={"inspection_notes": f"{locked.inspection_notes}\n{text}".strip()})


@transaction.atomic
def rma_ship_replacement(
    *,
    rma: ReturnAuthorization,
    actor: User,
    serial: str,
    carrier: str,
    tracking_number: str,
    expected_version: int | None = None,
) -> ReturnAuthorization:
    """Ship the exchange's replacement from the stock reserved at authorisation (an issue in the
    parts ledger) and register the new unit to the customer; its warranty counts from today."""
    new_serial = required_text(serial, field="serial", message=_("Enter the replacement's serial number."), limit=64)
    carrier_text = required_text(carrier, field="carrier", message=_("Name the carrier."), limit=64)
    tracking = required_text(tracking_number, field="tracking_number", message=_("Enter the tracking number."), limit=64)
    locked = lock_rma(rma, expected_version=expected_version)
    check_keeper(actor, locked)
    if locked.kind != RmaKind.EXCHANGE:
        raise DomainError(_("A return has no replacement to ship."), code="not_exchange", field="kind")
    if locked.status != R.INSPECTED:
        raise DomainError(
            _("Ship the replacement once the returned goods are received and inspected."), code="not_inspected", field="status"
        )
    old = locked.unit
    existing = ProductUnit.objects.select_for_update().filter(serial_number=new_serial).first()
    if existing is not None and (existing.customer_id is not None or existing.model_id != old.model_id or existing.pk == old.pk):
        raise ValidationFailed(
            {"serial": [_("The serial number %(serial)s belongs to another unit.") % {"serial": new_serial}]},
            code="serial_taken",
        )
    part_id = locked.replacement_part_id
    assert part_id is not None  # an exchange always has one (database constraint)
    row = stock.lock_stock([(locked.warehouse_id, part_id)])[(locked.warehouse_id, part_id)]
    today = clock.local_today()
    if existing is None:
        new_unit = ProductUnit.objects.create(
            serial_number=new_serial,
            model_id=old.model_id,
            batch="",
            purchase_date=today,
            sales_channel=old.sales_channel,
            store=old.store,
            customer_id=locked.customer_id,
            replaces=old,
        )
    else:
        ProductUnit.objects.filter(pk=existing.pk).update(customer_id=locked.customer_id, purchase_date=today, replaces=old)
        new_unit = ProductUnit.objects.get(pk=existing.pk)
    try:
        stock.move(
            row,
            quantity=-1,
            kind=MovementKind.ISSUE,
            actor=actor,
            reference=locked.number,
            product_unit=new_unit,
            serial=new_serial,
            note=str(locked.ticket.number),
            release_reserved=1 if locked.reserved else 0,
        )
    except DomainError as refused:
        raise DomainError(refused.message, code="insufficient_stock", field="warehouse") from None
    audit_record(
        action=ReturnsAudit.UNIT_REGISTERED,
        obj=new_unit,
        actor=actor,
        changes={"replaces": old.serial_number, "customer": locked.customer_id, "warranty_from": today.isoformat()},
    )
    return _move(
        locked,
        to=R.REPLACEMENT_SHIPPED,
        actor=actor,
        text=deferred(
            _("Replacement %(serial)s shipped by %(carrier)s, tracking number %(tracking)s."),
            serial=new_serial,
            carrier=carrier_text,
            tracking=tracking,
        ),
        fields={
            "replacement_unit": new_unit,
            "reserved": False,
            "shipping_carrier": carrier_text,
            "shipping_tracking": tracking,
            "shipped_at": clock.now(),
        },
        message=(
            _("Your replacement is on its way (%(rma)s)"),
            _("your replacement product for request %(number)s was shipped by %(carrier)s, tracking number %(tracking)s."),
        ),
        params={"carrier": carrier_text, "tracking": tracking},
    )


@transaction.atomic
def rma_confirm_delivery(*, rma: ReturnAuthorization, actor: User, expected_version: int | None = None) -> ReturnAuthorization:
    """The replacement reached the customer: the exchange is completed and its measure done."""
    locked = lock_rma(rma, expected_version=expected_version)
    check_handler_or_keeper(actor, locked)
    if locked.status != R.REPLACEMENT_SHIPPED:
        raise DomainError(_("Only a shipped replacement can be delivered."), code="not_shipped", field="status")
    _move(
        locked,
        to=R.DELIVERED,
        actor=actor,
        text=deferred(_("Replacement delivered.")),
        fields={"delivered_at": clock.now()},
    )
    return _complete(locked, actor=actor)


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


__all__ = [
    "lock_rma",
    "rma_accept_inspection",
    "rma_authorise",
    "rma_cancel",
    "rma_confirm_delivery",
    "rma_handover",
    "rma_inspect",
    "rma_receive",
    "rma_ship_replacement",
]
