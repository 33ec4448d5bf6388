"""The goods coming back: handover (carrier or drop-off), receipt at the warehouse, inspection
(passed, failed, or accepted all the same with a reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.tickets.process.common import optional_text, required_text
from aftersales.tickets.process.notify import notify_staff_users

from ..models import (
    Disposition,
    HandoverMethod,
    ReturnAuthorization,
    RmaKind,
    UnitCondition,
)
from ..permissions import check_handler, check_handler_or_keeper, check_keeper
from ..states import sources
from .common import (
    UNIT_STATUS_OF,
    R,
    _check_photos,
    _choice,
    _complete,
    _move,
    _refuse_step,
    _save_photo,
    _set_unit_status,
    lock_rma,
)


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
            event="returns.inspection_failed.staff",
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
