"""What every RMA step shares: the number, locking and the version check, the status move with
its audit row, timeline entry and message, the unit's status, completion of the measure, photos.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from django.core.files import File
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductUnit, UnitStatus
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, ValidationFailed
from aftersales.core.i18n import Deferred, deferred
from aftersales.fieldservice.uploads import check_photo
from aftersales.tickets.choices import EventKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import MeasureKind, MeasureStatus, PlanMeasure
from aftersales.tickets.process.common import timeline
from aftersales.tickets.process.execution import ticket_update_measure
from aftersales.tickets.process.notify import notify_customer, ticket_link
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES
from aftersales.tickets.states import TicketStatus

from ..audit_actions import ReturnsAudit
from ..effects import rma_status_changed
from ..models import (
    Disposition,
    ReturnAuthorization,
    RmaKind,
    RmaNumberSequence,
    RmaPhoto,
    RmaStatus,
)
from ..states import TABLE, sources

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
    rma_status_changed(rma=rma, before=before)
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
