"""What every write of a work order shares: the lock (the ticket first, then the work order), the
one door for status moves (``move``, the table in ``states.py``), the audit row and timeline
entry of each change, and the checks of amounts, windows and positions the steps take.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.files import File
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, ValidationFailed
from aftersales.core.i18n import Deferred, deferred
from aftersales.notifications.services import notify_staff
from aftersales.tickets.choices import EventKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import MeasureStatus, PlanMeasure, Ticket
from aftersales.tickets.process.common import timeline
from aftersales.tickets.process.execution import ticket_update_measure
from aftersales.tickets.process.notify import notify_customer
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES
from aftersales.tickets.states import TicketStatus

from ..audit_actions import WorkOrderAudit
from ..effects import work_order_moved
from ..models import WorkOrder, WorkOrderFile, WorkOrderStatus
from ..states import FINAL_STATUSES, can_move

W = WorkOrderStatus


def local_text(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


def window_text(work_order: WorkOrder) -> str:
    if work_order.appointment_start is None:
        return "—"
    end = work_order.appointment_end
    end_text = timezone.localtime(end, timezone.get_default_timezone()).strftime("%H:%M") if end else ""
    start_text = local_text(work_order.appointment_start)
    return f"{start_text}–{end_text}" if end_text else start_text


def lock_work_order(
    work_order: WorkOrder, *, expected_version: int | None, allow_final_ticket: bool = False
) -> tuple[Ticket, WorkOrder]:
    """Lock the ticket, then the work order (``tickets.locking``'s order); check the work order's
    version. A closed, rejected, cancelled or merged ticket takes no more field work (only
    cancelling its jobs)."""
    ticket = lock_ticket(work_order.ticket_id)
    if ticket.status in TICKET_FINAL_STATUSES and not allow_final_ticket:
        raise DomainError(_("The ticket is closed; its work orders can only be cancelled."), code="ticket_final", field="status")
    locked = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This work order was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )
    locked.ticket = ticket
    return ticket, locked


def record(
    *,
    work_order: WorkOrder,
    actor: User | None,
    action: WorkOrderAudit,
    body: Deferred,
    public: bool = False,
    changes: dict[str, Any] | None = None,
) -> None:
    """Audit the change and put it on the ticket's timeline. ``body``: the system's words
    (``core.i18n.deferred``; what a person typed goes in as a parameter), read in the reader's
    language after the work order's number."""
    audit_record(action=action, obj=work_order, actor=actor, changes=changes or {})
    timeline(
        ticket=work_order.ticket,
        actor=actor,
        text=deferred(_("%(number)s: %(text)s"), number=work_order.number, text=body),
        public=public,
        kind=EventKind.FIELD_CHANGED,
        data={"work_order": work_order.number, "action": action.event, "status": work_order.status},
    )


def save_fields(work_order: WorkOrder, fields: Iterable[str]) -> WorkOrder:
    """Write ``fields`` (and the time of the change), counting the version up."""
    names = set(fields) | {"updated_at"}
    work_order.updated_at = clock.now()
    WorkOrder.objects.filter(pk=work_order.pk).update(
        version=F("version") + 1, **{name: getattr(work_order, name) for name in names}
    )
    work_order.refresh_from_db()
    return work_order


def move(
    work_order: WorkOrder,
    *,
    to: str,
    actor: User | None,
    body: Deferred,
    public: bool = False,
    fields: Iterable[str] = (),
    changes: dict[str, Any] | None = None,
) -> WorkOrder:
    """The one door for status changes: refuse moves the status machine does not have."""
    before = work_order.status
    if not can_move(before, to):
        raise DomainError(
            _("A work order that is “%(current)s” cannot become “%(target)s”.")
            % {"current": W(before).label, "target": W(to).label},
            code="transition_not_allowed",
            field="status",
        )
    work_order.status = to
    save_fields(work_order, {"status", *fields})
    record(
        work_order=work_order,
        actor=actor,
        action=WorkOrderAudit(f"fieldservice.status.{to}"),
        body=body,
        public=public,
        changes={"status": [before, to], **(changes or {})},
    )
    work_order_moved(work_order=work_order, before=before)
    return work_order


def money(value: object, *, field: str, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({field: [_("Enter an amount.")]}, code=f"{field}_invalid") from None
    if amount < 0 or (not allow_zero and amount == 0) or amount >= Decimal("1e10"):
        raise ValidationFailed({field: [_("Enter a positive amount.")]}, code=f"{field}_invalid")
    return amount


def check_window(
    start: dt.datetime | None, end: dt.datetime | None, *, required: bool
) -> tuple[dt.datetime | None, dt.datetime | None]:
    if start is None and end is None and not required:
        return None, None
    if start is None or end is None:
        raise ValidationFailed(
            {"appointment_start": [_("Give the appointment window agreed with the customer.")]}, code="window_required"
        )
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationFailed({"appointment_start": [_("Give a time with its zone.")]}, code="window_naive")
    if end <= start:
        raise ValidationFailed({"appointment_end": [_("The window must end after it starts.")]}, code="window_order")
    if end - start > dt.timedelta(hours=12):
        raise ValidationFailed({"appointment_end": [_("A window lasts at most 12 hours.")]}, code="window_too_long")
    return start, end


def check_location(consent: bool, lat: object, lng: object) -> tuple[Decimal | None, Decimal | None]:
    """A position is stored only with the technician's explicit consent for this check."""
    given = lat not in (None, "") or lng not in (None, "")
    if not given:
        return None, None
    if not consent:
        raise ValidationFailed(
            {"consent": [_("A location is recorded only when you agree to share it.")]}, code="location_without_consent"
        )
    try:
        lat_d = Decimal(str(lat)).quantize(Decimal("0.000001"))
        lng_d = Decimal(str(lng)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({"location": [_("The location is not valid.")]}, code="location_invalid") from None
    if not (-90 <= lat_d <= 90 and -180 <= lng_d <= 180):
        raise ValidationFailed({"location": [_("The location is not valid.")]}, code="location_invalid")
    return lat_d, lng_d


def save_file(*, work_order: WorkOrder, kind: str, fileobj: IO[bytes], sniffed: Any, actor: User | None) -> WorkOrderFile:
    stored = WorkOrderFile(
        work_order=work_order,
        kind=kind,
        original_name=(getattr(fileobj, "name", "") or f"{kind}{sniffed.extension}").rsplit("/", 1)[-1][:200],
        content_type=sniffed.content_type,
        size=sniffed.size,
        sha256=sniffed.sha256,
        uploaded_by=actor,
        created_at=clock.now(),
    )
    stored.file.save(f"{kind}{sniffed.extension}", File(fileobj), save=False)
    stored.save()
    return stored


def tell_technician(work_order: WorkOrder, technician: User | None, event: str, **params: Any) -> None:
    """An in-app message to the technician in their language, linking to the job's page: the
    editable ``event``'s text (notifications.template_events, "fieldservice.job.…") with
    ``number``, ``window`` and ``params``."""
    if technician is not None:
        notify_staff(
            users=[technician],
            template="fieldservice.job",
            event=event,
            ticket=work_order.ticket,
            params={"number": work_order.number, "window": window_text(work_order), **params},
            link=reverse("fieldservice:detail", args=[work_order.number]),
            link_text=_("Open the job:"),
        )


def tell_customer(work_order: WorkOrder, template: str, *, link: str = "", link_text: Any = "", **params: Any) -> None:
    """A message to the ticket's customer, the editable event ``template``'s text
    (notifications.template_events) with ``work_order``, ``window`` and ``params`` (``link``:
    absolute, for a message that asks them to act)."""
    notify_customer(
        ticket=work_order.ticket,
        template=template,
        params={"work_order": work_order.number, "window": window_text(work_order), **params},
        link=link,
        link_text=link_text,
    )


def complete_measure_if_done(work_order: WorkOrder) -> None:
    """Every work order of the measure finished (accepted by the customer, cancelled or failed)
    and at least one accepted → the measure is done (the system records it on the ticket)."""
    if work_order.measure_id is None:
        return
    statuses = list(WorkOrder.objects.filter(measure_id=work_order.measure_id).values_list("status", flat=True))
    if any(s not in FINAL_STATUSES for s in statuses) or W.CUSTOMER_ACCEPTED not in statuses:
        return
    measure = PlanMeasure.objects.select_related("plan").get(pk=work_order.measure_id)
    ticket = work_order.ticket
    if measure.status in {MeasureStatus.DONE, MeasureStatus.CANCELLED} or not measure.plan.is_current:
        return
    if ticket.status not in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}:
        return
    numbers = list(
        WorkOrder.objects.filter(measure_id=measure.pk, status=W.CUSTOMER_ACCEPTED)
        .order_by("id")
        .values_list("number", flat=True)
    )
    ticket_update_measure(
        measure=measure,
        actor=None,
        status=MeasureStatus.DONE,
        progress_text=deferred(_("Done: work orders %(numbers)s accepted by the customer."), numbers=numbers),
    )
