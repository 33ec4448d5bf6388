"""Requesting an appraisal (a new one, or a re-appraisal linked to the first), assigning it to an
appraiser (or taking it), starting it, cancelling it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.parts.models import FaultyPartReturn
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES

from .. import permissions
from ..audit_actions import AppraisalAudit
from ..models import Appraisal, AppraisalPlace, AppraisalSubject
from ..states import REASSIGNABLE
from .common import (
    MAX_TEXT,
    A,
    _record,
    _refuse_final_ticket,
    _save,
    _text,
    lock_appraisal,
    move,
)


@transaction.atomic
def appraisal_request(
    *,
    ticket: Ticket,
    actor: User,
    place: str,
    note: str = "",
    appraiser: User | None = None,
) -> Appraisal:
    """Ask for an appraisal of the ticket's product (on site, at an outlet, on goods received
    back), optionally assigned to an appraiser at once."""
    if place not in AppraisalPlace.values:
        raise ValidationFailed({"place": [_("Choose where the product is appraised.")]}, code="place_invalid")
    note_text = _text(note, name="note")
    locked_ticket = lock_ticket(ticket.pk)
    _refuse_final_ticket(locked_ticket)
    permissions.check_request(actor, locked_ticket)
    if appraiser is not None:
        _check_appraiser_user(appraiser)
    appraisal = _create(ticket=locked_ticket, actor=actor, place=place, note=note_text)
    if appraiser is not None:
        _assign(appraisal, actor=actor, appraiser=appraiser)
    return appraisal


def _create(
    *,
    ticket: Ticket,
    actor: User | None,
    place: str,
    note: str,
    previous: Appraisal | None = None,
    faulty: FaultyPartReturn | None = None,
) -> Appraisal:
    unit = ticket.product_unit
    if faulty is not None and faulty.product_unit is not None:
        unit = faulty.product_unit
    now = clock.now()
    appraisal = Appraisal.objects.create(
        ticket=ticket,
        place=place,
        subject=AppraisalSubject.PRODUCT if faulty is None else AppraisalSubject.FAULTY_PART,
        faulty_part=faulty,
        component=None if faulty is None else faulty.part,
        request_note=note,
        requested_by=actor,
        previous=previous,
        product_unit=unit,
        product_model_id=unit.model_id if unit is not None else ticket.product_model_id,
        batch=(unit.batch if unit is not None else "") or ticket.reported_batch,
        created_at=now,
        updated_at=now,
    )
    appraisal.ticket = ticket
    if previous is not None:
        text = deferred(_("re-appraisal of %(previous)s requested."), previous=previous.number)
    elif faulty is not None:
        text = deferred(_("requested for the faulty part %(part)s sent back."), part=faulty.part.name)
    else:
        text = deferred(_("requested (%(place)s)."), place=AppraisalPlace(place).label)
    _record(
        appraisal,
        actor=actor,
        action=AppraisalAudit.REQUESTED,
        text=text,
        public=previous is not None,
        changes={"place": place, "previous": previous.pk if previous else None, "faulty_part": faulty.pk if faulty else None},
    )
    return appraisal


def _check_appraiser_user(appraiser: User) -> None:
    if not permissions.is_appraiser(appraiser):
        raise ValidationFailed({"appraiser": [_("Choose an active appraiser.")]}, code="appraiser_invalid")


def _assign(appraisal: Appraisal, *, actor: User, appraiser: User) -> Appraisal:
    before = appraisal.appraiser_id
    appraisal.appraiser = appraiser
    text = deferred(_("assigned to %(name)s."), name=str(appraiser))
    if appraisal.status == A.REQUESTED:
        return move(
            appraisal, to=A.ASSIGNED, actor=actor, text=text, fields={"appraiser"}, changes={"appraiser": [before, appraiser.pk]}
        )
    _save(appraisal, {"appraiser"})
    _record(appraisal, actor=actor, action=AppraisalAudit.ASSIGNED, text=text, changes={"appraiser": [before, appraiser.pk]})
    return appraisal


@transaction.atomic
def appraisal_assign(*, appraisal: Appraisal, actor: User, appraiser: User, expected_version: int | None = None) -> Appraisal:
    """Assign (or reassign, before the work starts) the appraisal to an appraiser; an appraiser
    takes an unassigned one themselves."""
    _check_appraiser_user(appraiser)
    _ticket, locked = lock_appraisal(appraisal, expected_version=expected_version)
    permissions.check_assign(actor, locked, appraiser)
    if locked.status not in REASSIGNABLE:
        raise DomainError(
            _("The appraisal is “%(status)s”: it can no longer change hands.") % {"status": locked.get_status_display()},
            code="appraisal_not_assignable",
            field="appraiser",
        )
    if locked.appraiser_id == appraiser.pk:
        return locked
    return _assign(locked, actor=actor, appraiser=appraiser)


@transaction.atomic
def appraisal_start(*, appraisal: Appraisal, actor: User, expected_version: int | None = None) -> Appraisal:
    """The appraiser starts examining the product."""
    _ticket, locked = lock_appraisal(appraisal, expected_version=expected_version)
    permissions.check_appraiser(actor, locked)
    return move(locked, to=A.IN_PROGRESS, actor=actor, text=deferred(_("appraisal started.")))


@transaction.atomic
def appraisal_cancel(*, appraisal: Appraisal, actor: User, reason: str, expected_version: int | None = None) -> Appraisal:
    reason_text = _text(reason, name="reason")
    if not reason_text:
        raise ValidationFailed({"reason": [_("Give the reason for cancelling.")]}, code="reason_required")
    _ticket, locked = lock_appraisal(appraisal, expected_version=expected_version)
    permissions.check_cancel(actor, locked)
    locked.cancel_reason = reason_text
    return move(
        locked,
        to=A.CANCELLED,
        actor=actor,
        text=deferred(_("cancelled: %(reason)s"), reason=reason_text),
        fields={"cancel_reason"},
    )


def appraisal_request_faulty_parts(*, faulty_ids: list[int], actor: User | None) -> list[Appraisal]:
    """An appraisal of kind faulty part for each faulty part just received back (the parts
    return's receipt; its ticket is locked), at ``returned``, the part as the component at fault.
    A part without a ticket (a return with no work order), one whose ticket is closed, or one
    already under appraisal gets none: the parts pages' own form appraises it."""
    made: list[Appraisal] = []
    faulty_parts = (
        FaultyPartReturn.objects.filter(pk__in=faulty_ids, appraisals__isnull=True)
        .select_related("part", "part_return__work_order")
        .order_by("pk")
    )
    for faulty in faulty_parts:
        work_order = faulty.part_return.work_order
        if work_order is None:
            continue
        ticket = lock_ticket(work_order.ticket_id)
        if ticket.status in TICKET_FINAL_STATUSES:
            continue
        note = " ".join(filter(None, [faulty.part.number, faulty.part.name, faulty.serial, faulty.condition]))
        made.append(_create(ticket=ticket, actor=actor, place=AppraisalPlace.RETURNED, note=note[:MAX_TEXT], faulty=faulty))
    return made
