"""Writes for field service. Every move of a work order goes through ``_move`` (the status
machine in ``states.py``), is audited and appears in the ticket's timeline.

Locking order, as in the ticket process: the ticket row first, then the work order row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.notifications.services import notify_staff
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import MeasureStatus, PlanMeasure, PlanStatus, Ticket
from aftersales.tickets.permissions import ticket_check_action
from aftersales.tickets.process.common import optional_text, required_text, timeline
from aftersales.tickets.process.notify import notify_customer
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES
from aftersales.tickets.states import TicketStatus

from . import charging
from .models import (
    AcceptanceCode,
    AcceptanceMethod,
    CompletionAcceptance,
    ExpenseClaim,
    ExpenseKind,
    ExpenseStatus,
    Skill,
    TechnicianProfile,
    WorkOrder,
    WorkOrderChargeLine,
    WorkOrderFile,
    WorkOrderFileKind,
    WorkOrderKind,
    WorkOrderNumberSequence,
    WorkOrderStatus,
)
from .permissions import can_create, can_dispatch, check_dispatcher, check_technician, in_scope
from .states import FINAL_STATUSES, can_move
from .uploads import check_document, check_photo, decode_signature

W = WorkOrderStatus
QUOTE_SALT = "aftersales.fieldservice.quote"
CODE_LENGTH = 6
CODES_PER_HOUR = 5


def code_ttl_minutes() -> int:
    return int(getattr(settings, "FIELDSERVICE_ACCEPTANCE_CODE_MINUTES", 30))


def code_max_attempts() -> int:
    return int(getattr(settings, "FIELDSERVICE_ACCEPTANCE_CODE_ATTEMPTS", 5))


# --- helpers ----------------------------------------------------------------------------------


def _local(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


def window_text(work_order: WorkOrder) -> str:
    if work_order.appointment_start is None:
        return "—"
    end = work_order.appointment_end
    end_text = timezone.localtime(end, timezone.get_default_timezone()).strftime("%H:%M") if end else ""
    return f"{_local(work_order.appointment_start)}–{end_text}" if end_text else _local(work_order.appointment_start)


def _lock(work_order: WorkOrder, *, expected_version: int | None, allow_final_ticket: bool = False) -> tuple[Ticket, WorkOrder]:
    """Lock the ticket, then the work order; check the work order's version. A closed,
    rejected, cancelled or merged ticket takes no more field work (only cancelling its jobs)."""
    ticket = Ticket.objects.select_for_update().get(pk=work_order.ticket_id)
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


def _record(
    *,
    work_order: WorkOrder,
    actor: User | None,
    action: str,
    body: str,
    public: bool = False,
    changes: dict[str, Any] | None = None,
) -> None:
    """Audit the change and put it on the ticket's timeline."""
    audit_record(action=f"fieldservice.{action}", obj=work_order, actor=actor, changes=changes or {})
    timeline(
        ticket=work_order.ticket,
        actor=actor,
        body=f"{work_order.number}: {body}",
        public=public,
        kind=EventKind.FIELD_CHANGED,
        data={"work_order": work_order.number, "action": action, "status": work_order.status},
    )


def _save(work_order: WorkOrder, fields: Iterable[str]) -> WorkOrder:
    names = set(fields) | {"updated_at"}
    work_order.updated_at = clock.now()
    WorkOrder.objects.filter(pk=work_order.pk).update(
        version=F("version") + 1, **{name: getattr(work_order, name) for name in names}
    )
    work_order.refresh_from_db()
    return work_order


def _move(
    work_order: WorkOrder,
    *,
    to: str,
    actor: User | None,
    body: str,
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
    _save(work_order, {"status", *fields})
    _record(
        work_order=work_order,
        actor=actor,
        action=f"status.{to}",
        body=body,
        public=public,
        changes={"status": [before, to], **(changes or {})},
    )
    return work_order


def _money(value: object, *, field: str, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({field: [_("Enter an amount.")]}, code=f"{field}_invalid") from None
    if amount < 0 or (not allow_zero and amount == 0) or amount >= Decimal("1e10"):
        raise ValidationFailed({field: [_("Enter a positive amount.")]}, code=f"{field}_invalid")
    return amount


def _window(
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


def _next_number() -> str:
    day = clock.local_today()
    seq, _created = WorkOrderNumberSequence.objects.select_for_update().get_or_create(day=day)
    WorkOrderNumberSequence.objects.filter(pk=seq.pk).update(last_value=F("last_value") + 1)
    seq.refresh_from_db()
    return f"WO{day:%Y%m%d}{seq.last_value:04d}"


def _save_file(*, work_order: WorkOrder, kind: str, fileobj: IO[bytes], sniffed: Any, actor: User | None) -> WorkOrderFile:
    record = WorkOrderFile(
        work_order=work_order,
        kind=kind,
        original_name=(getattr(fileobj, "name", "") or f"{kind}{sniffed.extension}").rsplit("/", 1)[-1][:200],
        content_type=sniffed.content_type,
        size=sniffed.size,
        sha256=sniffed.sha256,
        uploaded_by=actor,
        created_at=clock.now(),
    )
    record.file.save(f"{kind}{sniffed.extension}", File(fileobj), save=False)
    record.save()
    return record


def _tell_technician(work_order: WorkOrder, technician: User | None, subject: str, body: str) -> None:
    if technician is not None:
        notify_staff(users=[technician], template="fieldservice.job", subject=subject, body=body, ticket=work_order.ticket)


def _tell_customer(work_order: WorkOrder, template: str, subject: Any, body: Any, **params: Any) -> None:
    notify_customer(
        ticket=work_order.ticket,
        template=template,
        subject=subject,
        body=body,
        params={"work_order": work_order.number, "window": window_text(work_order), **params},
    )


# --- creating -----------------------------------------------------------------------------------


@transaction.atomic
def work_order_create(
    *,
    measure: PlanMeasure,
    actor: User,
    description: str = "",
    required_skills: Sequence[Skill] = (),
    region: Region | None = None,
    province: str = "",
    city: str = "",
    district: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    site_requirements: str = "",
    appointment_start: dt.datetime | None = None,
    appointment_end: dt.datetime | None = None,
    permits: Sequence[IO[bytes]] = (),
) -> WorkOrder:
    """A work order for one measure of the ticket's agreed plan (while the ticket is in progress
    or on hold). Address and contact default to the ticket's."""
    if not can_create(actor):
        raise PermissionDenied(_("Your role cannot create work orders."), code="role_not_allowed")
    if measure.kind not in WorkOrderKind.values:
        raise ValidationFailed(
            {"measure": [_("This measure sends nobody out; it needs no work order.")]}, code="measure_kind_not_field"
        )
    description_text = optional_text(description, field="description")
    requirements = optional_text(site_requirements, field="site_requirements")
    start, end = _window(appointment_start, appointment_end, required=False)
    sniffed_permits = [(f, check_document(f, field="permits")) for f in permits]
    ticket = Ticket.objects.select_for_update().get(pk=measure.plan.ticket_id)
    ticket_check_action(user=actor, ticket=ticket, action="update_measure")
    measure = PlanMeasure.objects.select_related("plan").get(pk=measure.pk)
    if not measure.plan.is_current or measure.plan.status != PlanStatus.AGREED:
        raise DomainError(_("Work orders come from the current, agreed plan."), code="plan_not_agreed", field="measure")
    if measure.status in {MeasureStatus.DONE, MeasureStatus.CANCELLED}:
        raise DomainError(_("This measure is already finished."), code="measure_finished", field="measure")
    now = clock.now()
    work_order = WorkOrder.objects.create(
        number=_next_number(),
        ticket=ticket,
        measure=measure,
        kind=measure.kind,
        description=description_text or measure.description,
        region=region or ticket.region,
        province=(province or ticket.province)[:32],
        city=(city or ticket.city)[:32],
        district=(district or ticket.district)[:32],
        address=(address or ticket.address)[:200],
        contact_name=(contact_name or ticket.contact_name or ticket.customer.name)[:128],
        contact_phone=(contact_phone or ticket.contact_phone or ticket.customer.phone)[:32],
        site_requirements=requirements,
        appointment_start=start,
        appointment_end=end,
        chargeable=charging.is_chargeable(WorkOrder(ticket=ticket)),
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    work_order.required_skills.set(required_skills)
    for fileobj, sniffed in sniffed_permits:
        _save_file(work_order=work_order, kind=WorkOrderFileKind.PERMIT, fileobj=fileobj, sniffed=sniffed, actor=actor)
    _record(
        work_order=work_order,
        actor=actor,
        action="created",
        body=str(_("Work order created: %(kind)s.") % {"kind": WorkOrderKind(work_order.kind).label}),
        public=True,
        changes={"measure": measure.pk, "skills": [s.code for s in required_skills], "permits": len(sniffed_permits)},
    )
    if measure.status == MeasureStatus.PENDING:
        from aftersales.tickets.process.execution import ticket_update_measure

        ticket_update_measure(
            measure=measure,
            actor=None,
            status=MeasureStatus.IN_PROGRESS,
            progress_note=str(_("Work order %(number)s created.") % {"number": work_order.number}),
        )
    return work_order


@transaction.atomic
def work_order_add_permit(*, work_order: WorkOrder, actor: User, file: IO[bytes]) -> WorkOrderFile:
    """Attach a site-entry permit (a mall's access permit …) to an open work order."""
    sniffed = check_document(file, field="permits")
    if not (can_create(actor) or can_dispatch(actor)) or not in_scope(actor, work_order):
        raise PermissionDenied(_("You cannot change this work order."), code="not_allowed")
    _ticket, locked = _lock(work_order, expected_version=None)
    if locked.status in FINAL_STATUSES:
        raise DomainError(_("This work order is finished."), code="work_order_final", field="status")
    record = _save_file(work_order=locked, kind=WorkOrderFileKind.PERMIT, fileobj=file, sniffed=sniffed, actor=actor)
    _save(locked, ())
    _record(work_order=locked, actor=actor, action="permit_added", body=str(_("Site-entry permit added.")))
    return record


# --- dispatch -----------------------------------------------------------------------------------


def _check_technician_user(technician: User) -> TechnicianProfile:
    profile = TechnicianProfile.objects.filter(user=technician, active=True).first()
    if not technician.is_active or technician.role != Role.TECHNICIAN or profile is None:
        raise ValidationFailed({"technician": [_("Choose an active technician.")]}, code="not_a_technician")
    return profile


@transaction.atomic
def work_order_dispatch(
    *,
    work_order: WorkOrder,
    actor: User,
    technician: User,
    appointment_start: dt.datetime | None = None,
    appointment_end: dt.datetime | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """Assign (or reassign) the work order to a technician for the agreed appointment window.
    The customer hears of the appointment, the technician gets it in their inbox."""
    _check_technician_user(technician)
    _ticket, locked = _lock(work_order, expected_version=expected_version)
    check_dispatcher(user=actor, work_order=locked)
    start, end = _window(appointment_start or locked.appointment_start, appointment_end or locked.appointment_end, required=True)
    previous = locked.technician
    if previous is not None and previous.pk == technician.pk and locked.status != W.TO_DISPATCH:
        raise DomainError(_("The job is already dispatched to this technician."), code="same_technician", field="technician")
    locked.technician = technician
    locked.appointment_start, locked.appointment_end = start, end
    locked.dispatched_at = clock.now()
    locked.dispatched_by = actor
    locked.accepted_at = None
    reassigned = previous is not None and locked.status != W.TO_DISPATCH
    body = (
        _("Reassigned from %(old)s to %(new)s, appointment %(window)s.")
        if reassigned
        else _("Dispatched to %(new)s, appointment %(window)s.")
    ) % {"old": previous, "new": technician, "window": window_text(locked)}
    _move(
        locked,
        to=W.DISPATCHED,
        actor=actor,
        body=str(body),
        public=True,
        fields={"technician", "appointment_start", "appointment_end", "dispatched_at", "dispatched_by", "accepted_at"},
        changes={"technician": [previous.pk if previous else None, technician.pk], "window": window_text(locked)},
    )
    _tell_technician(
        locked,
        technician,
        str(_("New job %(number)s") % {"number": locked.number}),
        str(_("Work order %(number)s, appointment %(window)s.") % {"number": locked.number, "window": window_text(locked)}),
    )
    if reassigned and previous is not None:
        _tell_technician(
            locked,
            previous,
            str(_("Job %(number)s reassigned") % {"number": locked.number}),
            str(_("Work order %(number)s was given to a colleague.") % {"number": locked.number}),
        )
    if reassigned:
        _tell_customer(
            locked,
            "fieldservice.reassigned",
            _("Your service appointment %(work_order)s has changed"),
            _("Dear %(name)s, another technician, %(technician)s, will visit you for request %(number)s on %(window)s."),
            technician=technician,
        )
    else:
        _tell_customer(
            locked,
            "fieldservice.appointment",
            _("Your service appointment %(work_order)s"),
            _("Dear %(name)s, %(technician)s will visit you for request %(number)s on %(window)s."),
            technician=technician,
        )
    return locked


@transaction.atomic
def work_order_reschedule(
    *,
    work_order: WorkOrder,
    actor: User,
    appointment_start: dt.datetime,
    appointment_end: dt.datetime,
    reason: str,
    expected_version: int | None = None,
) -> WorkOrder:
    """A new appointment window (the dispatcher, or the technician after calling the customer).
    The customer and the technician are told."""
    text = required_text(reason, field="reason", message=_("Say why the appointment changes."))
    start, end = _window(appointment_start, appointment_end, required=True)
    _ticket, locked = _lock(work_order, expected_version=expected_version)
    if locked.technician_id != actor.pk:
        check_dispatcher(user=actor, work_order=locked)
    old = window_text(locked)
    locked.appointment_start, locked.appointment_end = start, end
    locked.status_reason = text
    body = str(
        _("Appointment moved from %(old)s to %(new)s: %(reason)s") % {"old": old, "new": window_text(locked), "reason": text}
    )
    if locked.status == W.TO_DISPATCH:
        _save(locked, {"appointment_start", "appointment_end", "status_reason"})
        _record(
            work_order=locked,
            actor=actor,
            action="rescheduled",
            body=body,
            public=True,
            changes={"window": [old, window_text(locked)]},
        )
    else:
        _move(
            locked,
            to=W.RESCHEDULED,
            actor=actor,
            body=body,
            public=True,
            fields={"appointment_start", "appointment_end", "status_reason"},
            changes={"window": [old, window_text(locked)]},
        )
        if actor.pk != locked.technician_id:
            _tell_technician(
                locked,
                locked.technician,
                str(_("Job %(number)s rescheduled") % {"number": locked.number}),
                str(_("New appointment %(window)s. Please accept it again.") % {"window": window_text(locked)}),
            )
    _tell_customer(
        locked,
        "fieldservice.rescheduled",
        _("Your service appointment %(work_order)s has changed"),
        _("Dear %(name)s, the visit for request %(number)s is now on %(window)s."),
    )
    return locked


@transaction.atomic
def work_order_cancel(*, work_order: WorkOrder, actor: User, reason: str, expected_version: int | None = None) -> WorkOrder:
    text = required_text(reason, field="reason", message=_("Say why the work order is cancelled."))
    _ticket, locked = _lock(work_order, expected_version=expected_version, allow_final_ticket=True)
    if not (can_dispatch(actor) or can_create(actor)) or not in_scope(actor, locked):
        raise PermissionDenied(_("Only a dispatcher or the ticket's handler can cancel a work order."), code="not_allowed")
    technician = locked.technician
    locked.status_reason = text
    _move(
        locked,
        to=W.CANCELLED,
        actor=actor,
        body=str(_("Cancelled: %(reason)s") % {"reason": text}),
        public=True,
        fields={"status_reason"},
    )
    _tell_technician(locked, technician, str(_("Job %(number)s cancelled") % {"number": locked.number}), text)
    if technician is not None:
        _tell_customer(
            locked,
            "fieldservice.cancelled",
            _("Service appointment %(work_order)s cancelled"),
            _("Dear %(name)s, the visit for request %(number)s (%(window)s) is cancelled."),
        )
    _complete_measure_if_done(locked)
    return locked


# --- the technician -----------------------------------------------------------------------------


@transaction.atomic
def work_order_accept(*, work_order: WorkOrder, actor: User, expected_version: int | None = None) -> WorkOrder:
    """The technician accepts the job (or the new appointment)."""
    _ticket, locked = _lock(work_order, expected_version=expected_version)
    check_technician(user=actor, work_order=locked)
    locked.accepted_at = clock.now()
    return _move(locked, to=W.ACCEPTED, actor=actor, body=str(_("The technician accepted the job.")), fields={"accepted_at"})


@transaction.atomic
def work_order_depart(*, work_order: WorkOrder, actor: User, expected_version: int | None = None) -> WorkOrder:
    _ticket, locked = _lock(work_order, expected_version=expected_version)
    check_technician(user=actor, work_order=locked)
    locked.departed_at = clock.now()
    _move(locked, to=W.ON_THE_WAY, actor=actor, body=str(_("The technician is on the way.")), public=True, fields={"departed_at"})
    _tell_customer(
        locked,
        "fieldservice.on_the_way",
        _("Your technician is on the way (%(work_order)s)"),
        _("Dear %(name)s, the technician for request %(number)s is on the way."),
    )
    return locked


def _location(consent: bool, lat: object, lng: object) -> tuple[Decimal | None, Decimal | None]:
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


@transaction.atomic
def work_order_check_in(
    *,
    work_order: WorkOrder,
    actor: User,
    share_location: bool = False,
    lat: object = None,
    lng: object = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """Arrived on site: the time, and the position only if the technician agrees to share it."""
    lat_d, lng_d = _location(share_location, lat, lng)
    _ticket, locked = _lock(work_order, expected_version=expected_version)
    check_technician(user=actor, work_order=locked)
    if locked.status == W.ACCEPTED:  # checked in without pressing "on the way" first
        locked.departed_at = clock.now()
        _move(locked, to=W.ON_THE_WAY, actor=actor, body=str(_("The technician is on the way.")), fields={"departed_at"})
    locked.checked_in_at = clock.now()
    locked.check_in_lat, locked.check_in_lng = lat_d, lng_d
    return _move(
        locked,
        to=W.ON_SITE,
        actor=actor,
        body=str(_("Checked in on site at %(time)s.") % {"time": _local(locked.checked_in_at)}),
        public=True,
        fields={"checked_in_at", "check_in_lat", "check_in_lng", "departed_at"},
        changes={"location_shared": lat_d is not None},
    )


@transaction.atomic
def work_order_record_work(
    *,
    work_order: WorkOrder,
    actor: User,
    diagnosis: str,
    work_done: str,
    labour_hours: object,
    travel_km: object = 0,
    expected_version: int | None = None,
) -> WorkOrder:
    diagnosis_text = optional_text(diagnosis, field="diagnosis")
    work_text = optional_text(work_done, field="work_done")
    try:
        hours = Decimal(str(labour_hours or "0")).quantize(Decimal("0.01"))
        km = Decimal(str(travel_km or "0")).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({"labour_hours": [_("Enter a number.")]}, code="labour_hours_invalid") from None
    if not (Decimal(0) <= hours <= Decimal(24)):
        raise ValidationFailed({"labour_hours": [_("Between 0 and 24 hours.")]}, code="labour_hours_invalid")
    if not (Decimal(0) <= km <= Decimal(5000)):
        raise ValidationFailed({"travel_km": [_("Between 0 and 5000 km.")]}, code="travel_km_invalid")
    _ticket, locked = _lock(work_order, expected_version=expected_version)
    check_technician(user=actor, work_order=locked)
    if locked.status != W.ON_SITE:
        raise DomainError(_("Record the work while on site."), code="not_on_site", field="status")
    before = {"labour_hours": str(locked.labour_hours), "travel_km": str(locked.travel_km)}
    locked.diagnosis, locked.work_done, locked.labour_hours, locked.travel_km = diagnosis_text, work_text, hours, km
    _save(locked, {"diagnosis", "work_done", "labour_hours", "travel_km"})
    _record(
        work_order=locked,
        actor=actor,
        action="work_recorded",
        body=str(_("Work recorded: %(hours)s h.") % {"hours": hours}),
        changes={"labour_hours": [before["labour_hours"], str(hours)], "travel_km": [before["travel_km"], str(km)]},
    )
    return locked


@transaction.atomic
def work_order_add_photo(*, work_order: WorkOrder, actor: User, kind: str, file: IO[bytes]) -> WorkOrderFile:
    """A photo before or after the work, taken on site."""
    if kind not in {WorkOrderFileKind.BEFORE, WorkOrderFileKind.AFTER}:
        raise ValidationFailed({"kind": [_("Say whether it is before or after the work.")]}, code="photo_kind")
    sniffed = check_photo(file)
    _ticket, locked = _lock(work_order, expected_version=None)
    check_technician(user=actor, work_order=locked)
    if locked.status != W.ON_SITE:
        raise DomainError(_("Photos are taken on site."), code="not_on_site", field="status")
    record = _save_file(work_order=locked, kind=kind, fileobj=file, sniffed=sniffed, actor=actor)
    _save(locked, ())
    _record(
        work_order=locked,
        actor=actor,
        action=f"photo_{kind}",
        body=str(_("Photo added: %(kind)s.") % {"kind": WorkOrderFileKind(kind).label}),
        changes={"sha256": sniffed.sha256},
    )
    return record


def compute_charges(work_order: WorkOrder, *, on: dt.date | None = None) -> WorkOrder:
    """(Re)write the charge lines and totals of ``work_order`` (locked by the caller)."""
    lines = charging.compute_lines(work_order, on=on)
    WorkOrderChargeLine.objects.filter(work_order=work_order).delete()
    WorkOrderChargeLine.objects.bulk_create(
        WorkOrderChargeLine(
            work_order=work_order,
            kind=line.kind,
            description=line.description,
            part_ref=line.part_ref,
            serial=line.serial,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            cost_amount=line.cost_amount,
            unit_price=line.unit_price,
            charge_amount=line.charge_amount,
            free=line.free,
            reason=line.reason[:200],
            position=index,
        )
        for index, line in enumerate(lines)
    )
    by_kind: dict[str, Decimal] = {}
    for line in lines:
        by_kind[line.kind] = by_kind.get(line.kind, Decimal(0)) + line.cost_amount
    work_order.cost_parts = by_kind.get("part", Decimal(0))
    work_order.cost_labour = by_kind.get("labour", Decimal(0))
    work_order.cost_travel = by_kind.get("travel", Decimal(0))
    work_order.cost_total = sum(by_kind.values(), Decimal(0))
    work_order.charge_total = sum((line.charge_amount for line in lines), Decimal(0))
    work_order.costed_at = clock.now()
    return work_order


COST_FIELDS = ("cost_parts", "cost_labour", "cost_travel", "cost_total", "charge_total", "costed_at")


@transaction.atomic
def work_order_check_out(
    *,
    work_order: WorkOrder,
    actor: User,
    share_location: bool = False,
    lat: object = None,
    lng: object = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """Work done: needs the diagnosis, the work done, the labour hours, photos before and after,
    and — for a chargeable job — the customer's confirmation of the quote. Costs the job."""
    lat_d, lng_d = _location(share_location, lat, lng)
    _ticket, locked = _lock(work_order, expected_version=expected_version)
    check_technician(user=actor, work_order=locked)
    if locked.status != W.ON_SITE:
        raise DomainError(_("Check in on site first."), code="not_on_site", field="status")
    errors: dict[str, list[Any]] = {}
    if not locked.diagnosis or not locked.work_done:
        errors["work_done"] = [_("Record the diagnosis and the work done.")]
    if locked.labour_hours <= 0:
        errors["labour_hours"] = [_("Record the labour hours.")]
    kinds = set(locked.files.values_list("kind", flat=True))
    if WorkOrderFileKind.BEFORE not in kinds or WorkOrderFileKind.AFTER not in kinds:
        errors["photos"] = [_("Take a photo before and a photo after the work.")]
    if locked.chargeable and locked.quote_confirmed_at is None:
        errors["quote"] = [_("This job is chargeable: the customer must confirm the quote first.")]
    if errors:
        raise ValidationFailed(errors, code="completion_incomplete")
    now = clock.now()
    locked.checked_out_at = locked.completed_at = now
    locked.check_out_lat, locked.check_out_lng = lat_d, lng_d
    compute_charges(locked)
    _move(
        locked,
        to=W.DONE,
        actor=actor,
        body=str(_("Work done, checked out at %(time)s.") % {"time": _local(now)}),
        public=True,
        fields={"checked_out_at", "completed_at", "check_out_lat", "check_out_lng", *COST_FIELDS},
        changes={"cost_total": str(locked.cost_total), "charge_total": str(locked.charge_total)},
    )
    return locked


@transaction.atomic
def work_order_fail(*, work_order: WorkOrder, actor: User, reason: str, expected_version: int | None = None) -> WorkOrder:
    """The visit failed (nobody home, wrong part …): the technician or a dispatcher says why."""
    text = required_text(reason, field="reason", message=_("Say why the visit failed."))
    _ticket, locked = _lock(work_order, expected_version=expected_version)
    if locked.technician_id != actor.pk:
        check_dispatcher(user=actor, work_order=locked)
    locked.status_reason = text
    _move(
        locked,
        to=W.FAILED,
        actor=actor,
        body=str(_("Visit failed: %(reason)s") % {"reason": text}),
        public=True,
        fields={"status_reason"},
    )
    dispatchers = [u for u in [locked.dispatched_by] if u is not None and u.pk != actor.pk]
    notify_staff(
        users=dispatchers,
        template="fieldservice.failed",
        subject=str(_("Job %(number)s failed") % {"number": locked.number}),
        body=text,
        ticket=locked.ticket,
    )
    _complete_measure_if_done(locked)
    return locked


# --- quote and the customer's confirmation ------------------------------------------------------


def quote_token_for(work_order: WorkOrder) -> str:
    return signing.dumps({"w": work_order.pk, "t": work_order.ticket_id}, salt=QUOTE_SALT, compress=True)


def quote_path_for(work_order: WorkOrder) -> str:
    return reverse("fieldservice:quote_by_link", kwargs={"token": quote_token_for(work_order)})


def work_order_from_quote_token(token: str) -> WorkOrder:
    max_age = getattr(settings, "PORTAL_LINK_MAX_AGE_DAYS", 60) * 86400
    try:
        payload = signing.loads(token, salt=QUOTE_SALT, max_age=max_age)
        work_order_id, ticket_id = int(payload["w"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("invalid link") from None
    work_order = WorkOrder.objects.select_related("ticket__customer").filter(pk=work_order_id).first()
    if work_order is None or work_order.ticket_id != ticket_id:
        raise NotFound("invalid link")
    return work_order


@transaction.atomic
def work_order_prepare_quote(
    *,
    work_order: WorkOrder,
    actor: User,
    estimated_hours: object,
    parts_estimate: object = 0,
    estimated_km: object = 0,
    expected_version: int | None = None,
) -> WorkOrder:
    """The estimate of a chargeable job, sent to the customer with a link to confirm it."""
    hours = _money(estimated_hours, field="estimated_hours", allow_zero=False)
    parts = _money(parts_estimate, field="parts_estimate")
    km = _money(estimated_km, field="estimated_km")
    _ticket, locked = _lock(work_order, expected_version=expected_version)
    if locked.technician_id != actor.pk:
        check_dispatcher(user=actor, work_order=locked)
    if not locked.chargeable:
        raise DomainError(_("This job is free of charge: no quote needed."), code="not_chargeable")
    if locked.status not in {W.DISPATCHED, W.ACCEPTED, W.RESCHEDULED, W.ON_THE_WAY, W.ON_SITE} or locked.quote_confirmed_at:
        raise DomainError(_("A quote can be given only before the work."), code="quote_not_available", field="status")
    lines = charging.quote_lines(locked, estimated_hours=hours, parts_estimate=parts, estimated_km=km)
    locked.quote_lines = [line.as_dict() for line in lines]
    locked.quote_total = sum((line.charge_amount for line in lines), Decimal(0))
    locked.quote_sent_at = clock.now()
    _save(locked, {"quote_lines", "quote_total", "quote_sent_at"})
    _record(
        work_order=locked,
        actor=actor,
        action="quote_sent",
        body=str(_("Quote sent to the customer: %(total)s CNY.") % {"total": locked.quote_total}),
        public=True,
        changes={"quote_total": str(locked.quote_total)},
    )
    _tell_customer(
        locked,
        "fieldservice.quote",
        _("Quote for your service %(work_order)s"),
        _(
            "Dear %(name)s, the repair for request %(number)s is not covered by the warranty. Estimated charge: %(total)s CNY. Confirm it here: %(link)s"
        ),
        total=locked.quote_total,
        link=quote_path_for(locked),
    )
    return locked


@transaction.atomic
def work_order_confirm_quote(*, work_order: WorkOrder, actor: User | None, expected_version: int | None = None) -> WorkOrder:
    """The customer confirms the quote: on site, recorded by the technician (``actor``), or in
    the portal through the signed link (``actor=None``)."""
    _ticket, locked = _lock(work_order, expected_version=expected_version)
    if actor is not None:
        check_technician(user=actor, work_order=locked)
    if not locked.quote_sent_at:
        raise DomainError(_("No quote has been given yet."), code="no_quote")
    if locked.quote_confirmed_at:
        raise DomainError(_("The quote is already confirmed."), code="quote_confirmed")
    if locked.status in FINAL_STATUSES or locked.status == W.DONE:
        raise DomainError(_("This work order is finished."), code="work_order_final", field="status")
    locked.quote_confirmed_at = clock.now()
    locked.quote_confirmed_via = "on_site" if actor is not None else "portal"
    _save(locked, {"quote_confirmed_at", "quote_confirmed_via"})
    body = (
        _("The customer confirmed the quote (%(total)s CNY) on site.")
        if actor is not None
        else _("The customer confirmed the quote (%(total)s CNY) in the portal.")
    )
    _record(work_order=locked, actor=actor, action="quote_confirmed", body=str(body % {"total": locked.quote_total}), public=True)
    if actor is None:
        _tell_technician(
            locked,
            locked.technician,
            str(_("Quote confirmed for %(number)s") % {"number": locked.number}),
            str(_("The customer confirmed the quote; you can start the work.")),
        )
    return locked


# --- the customer's acceptance ------------------------------------------------------------------


def _hash_code(work_order: WorkOrder, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{work_order.pk}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def acceptance_code_send(*, work_order: WorkOrder, actor: User) -> AcceptanceCode:
    """Send a one-time acceptance code to the customer (SMS/email/portal); earlier codes stop
    working. Only its hash is stored."""
    _ticket, locked = _lock(work_order, expected_version=None)
    check_technician(user=actor, work_order=locked)
    if locked.status != W.DONE:
        raise DomainError(_("Finish the work first."), code="not_done", field="status")
    now = clock.now()
    recent = AcceptanceCode.objects.filter(work_order=locked, created_at__gt=now - dt.timedelta(hours=1)).count()
    if recent >= CODES_PER_HOUR:
        raise DomainError(
            _("Too many codes were sent for this job in the last hour; use the signature instead."), code="code_rate_limited"
        )
    AcceptanceCode.objects.filter(work_order=locked, used_at__isnull=True, revoked=False).update(revoked=True)
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_LENGTH))
    record = AcceptanceCode.objects.create(
        work_order=locked,
        code_hash=_hash_code(locked, code),
        expires_at=now + dt.timedelta(minutes=code_ttl_minutes()),
        created_at=now,
    )
    _record(work_order=locked, actor=actor, action="acceptance_code_sent", body=str(_("Acceptance code sent to the customer.")))
    _tell_customer(
        locked,
        "fieldservice.acceptance_code",
        _("Your acceptance code for %(work_order)s"),
        _(
            "Dear %(name)s, if the work for request %(number)s is done to your satisfaction, give the technician this code: %(code)s (valid %(minutes)s minutes)."
        ),
        code=code,
        minutes=code_ttl_minutes(),
    )
    return record


def _check_code(work_order: WorkOrder, code: str) -> AcceptanceCode:
    """Check ``code`` in its own transaction, so a wrong attempt is counted even though the
    acceptance is refused."""
    text = (code or "").strip()
    with transaction.atomic():
        record = (
            AcceptanceCode.objects.select_for_update()
            .filter(work_order=work_order, used_at__isnull=True, revoked=False)
            .order_by("-created_at", "-id")
            .first()
        )
        if record is None:
            raise ValidationFailed({"code": [_("Send an acceptance code to the customer first.")]}, code="code_missing")
        if record.expires_at <= clock.now():
            raise ValidationFailed({"code": [_("The code has expired; send a new one.")]}, code="code_expired")
        if record.attempts >= code_max_attempts():
            raise ValidationFailed({"code": [_("Too many wrong attempts; send a new code.")]}, code="code_locked")
        if not text or not hmac.compare_digest(record.code_hash, _hash_code(work_order, text)):
            AcceptanceCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
            left = code_max_attempts() - record.attempts - 1
            failure: ValidationFailed | None = ValidationFailed(
                {"code": [_("The code is not right (%(left)d attempts left).") % {"left": max(left, 0)}]}, code="code_wrong"
            )
        else:
            failure = None
    if failure is not None:
        raise failure
    return record


def work_order_customer_accept(
    *,
    work_order: WorkOrder,
    actor: User,
    method: str,
    signer_name: str = "",
    signature: str = "",
    code: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> CompletionAcceptance:
    """The customer accepts the finished job — a signature drawn on the technician's screen
    or the one-time code sent to them — and the completion acceptance form is stored. When
    every work order of the measure is finished, the measure is done."""
    if method not in AcceptanceMethod.values:
        raise ValidationFailed({"method": [_("Choose how the customer accepts.")]}, code="method_invalid")
    name = optional_text(signer_name, field="signer_name", limit=128)
    comment_text = optional_text(comment, field="comment", limit=2000)
    png = decode_signature(signature) if method == AcceptanceMethod.SIGNATURE else b""
    if method == AcceptanceMethod.SIGNATURE and not name:
        raise ValidationFailed({"signer_name": [_("Write the name of who signs.")]}, code="signer_name_required")
    current = WorkOrder.objects.get(pk=work_order.pk)
    check_technician(user=actor, work_order=current)
    if current.status != W.DONE:
        raise DomainError(_("Finish the work first."), code="not_done", field="status")
    code_record = _check_code(current, code) if method == AcceptanceMethod.CODE else None
    with transaction.atomic():
        _ticket, locked = _lock(work_order, expected_version=expected_version)
        check_technician(user=actor, work_order=locked)
        if locked.status != W.DONE:
            raise DomainError(_("Finish the work first."), code="not_done", field="status")
        now = clock.now()
        if code_record is not None:
            used = AcceptanceCode.objects.filter(pk=code_record.pk, used_at__isnull=True).update(used_at=now)
            if not used:
                raise Conflict(_("This code was used already."), code="code_used")
        acceptance = CompletionAcceptance(
            work_order=locked,
            method=method,
            signer_name=name or locked.contact_name,
            signature_sha256=hashlib.sha256(png).hexdigest() if png else "",
            comment=comment_text,
            accepted_at=now,
            recorded_by=actor,
        )
        if png:
            acceptance.signature.save("signature.png", ContentFile(png), save=False)
        locked.customer_accepted_at = now
        compute_charges(locked)
        acceptance.summary = acceptance_summary(locked)
        acceptance.save()
        _move(
            locked,
            to=W.CUSTOMER_ACCEPTED,
            actor=actor,
            body=str(
                _("The customer accepted the work (%(method)s); charge %(charge)s CNY.")
                % {"method": AcceptanceMethod(method).label, "charge": locked.charge_total}
            ),
            public=True,
            fields={"customer_accepted_at", *COST_FIELDS},
            changes={"method": method, "charge_total": str(locked.charge_total)},
        )
        _complete_measure_if_done(locked)
    return acceptance


def acceptance_summary(work_order: WorkOrder) -> dict[str, Any]:
    """What the completion acceptance form says, frozen at acceptance."""
    lines = list(WorkOrderChargeLine.objects.filter(work_order=work_order).order_by("position", "id"))
    unit = work_order.ticket.product_unit
    return {
        "number": work_order.number,
        "ticket": work_order.ticket.number,
        "kind": str(WorkOrderKind(work_order.kind).label),
        "customer": work_order.ticket.customer.name,
        "address": " ".join(p for p in (work_order.province, work_order.city, work_order.district, work_order.address) if p),
        "unit": f"{unit.model.name} {unit.serial_number}" if unit else work_order.ticket.reported_serial,
        "technician": str(work_order.technician) if work_order.technician else "",
        "checked_in_at": _local(work_order.checked_in_at),
        "checked_out_at": _local(work_order.checked_out_at),
        "diagnosis": work_order.diagnosis,
        "work_done": work_order.work_done,
        "labour_hours": str(work_order.labour_hours),
        "lines": [
            {
                "description": line.description,
                "quantity": str(line.quantity),
                "charge": str(line.charge_amount),
                "free": line.free,
                "reason": line.reason,
            }
            for line in lines
        ],
        "charge_total": str(work_order.charge_total),
    }


def _complete_measure_if_done(work_order: WorkOrder) -> None:
    """Every work order of the measure finished (accepted by the customer, cancelled or failed)
    and at least one accepted → the measure is done (the system records it on the ticket)."""
    if work_order.measure_id is None:
        return
    from aftersales.tickets.process.execution import ticket_update_measure

    statuses = list(WorkOrder.objects.filter(measure_id=work_order.measure_id).values_list("status", flat=True))
    if any(s not in FINAL_STATUSES for s in statuses) or W.CUSTOMER_ACCEPTED not in statuses:
        return
    measure = PlanMeasure.objects.select_related("plan").get(pk=work_order.measure_id)
    ticket = work_order.ticket
    if measure.status in {MeasureStatus.DONE, MeasureStatus.CANCELLED} or not measure.plan.is_current:
        return
    if ticket.status not in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}:
        return
    numbers = ", ".join(
        WorkOrder.objects.filter(measure_id=measure.pk, status=W.CUSTOMER_ACCEPTED)
        .order_by("id")
        .values_list("number", flat=True)
    )
    ticket_update_measure(
        measure=measure,
        actor=None,
        status=MeasureStatus.DONE,
        progress_note=str(_("Done: work orders %(numbers)s accepted by the customer.") % {"numbers": numbers}),
    )


# --- expenses -----------------------------------------------------------------------------------


@transaction.atomic
def expense_claim_submit(
    *,
    work_order: WorkOrder,
    actor: User,
    kind: str,
    amount: object,
    note: str = "",
    receipt: IO[bytes] | None = None,
) -> ExpenseClaim:
    """A travel expense claim by the technician against their work order."""
    if kind not in ExpenseKind.values:
        raise ValidationFailed({"kind": [_("Choose a kind of expense.")]}, code="expense_kind")
    value = _money(amount, field="amount", allow_zero=False)
    note_text = optional_text(note, field="note", limit=200)
    sniffed = check_document(receipt, field="receipt") if receipt is not None else None
    _ticket, locked = _lock(work_order, expected_version=None)
    check_technician(user=actor, work_order=locked)
    if locked.status in {W.TO_DISPATCH, W.CANCELLED}:
        raise DomainError(_("Expenses are claimed for a job that was worked."), code="expense_not_available")
    claim = ExpenseClaim(
        work_order=locked,
        technician=actor,
        kind=kind,
        amount=value,
        note=note_text,
        receipt_content_type=sniffed.content_type if sniffed else "",
        receipt_sha256=sniffed.sha256 if sniffed else "",
        created_at=clock.now(),
    )
    if receipt is not None and sniffed is not None:
        claim.receipt.save(f"receipt{sniffed.extension}", File(receipt), save=False)
    claim.save()
    _record(
        work_order=locked,
        actor=actor,
        action="expense_submitted",
        body=str(_("Expense claimed: %(kind)s %(amount)s CNY.") % {"kind": ExpenseKind(kind).label, "amount": value}),
        changes={"amount": str(value), "kind": kind},
    )
    return claim


@transaction.atomic
def expense_claim_decide(*, claim: ExpenseClaim, actor: User, approve: bool) -> ExpenseClaim:
    locked_claim = ExpenseClaim.objects.select_for_update().select_related("work_order").get(pk=claim.pk)
    allowed = can_dispatch(actor) or actor.role == Role.FINANCE or actor.is_superuser
    if not allowed or not in_scope(actor, locked_claim.work_order):
        raise PermissionDenied(_("Only a dispatcher or finance can decide expense claims."), code="not_allowed")
    if locked_claim.technician_id == actor.pk:
        raise PermissionDenied(_("Nobody decides their own claim."), code="own_claim")
    if locked_claim.status != ExpenseStatus.SUBMITTED:
        raise DomainError(_("This claim is already decided."), code="claim_decided")
    locked_claim.status = ExpenseStatus.APPROVED if approve else ExpenseStatus.REJECTED
    locked_claim.decided_by = actor
    locked_claim.decided_at = clock.now()
    locked_claim.save(update_fields=["status", "decided_by", "decided_at"])
    work_order = locked_claim.work_order
    _record(
        work_order=work_order,
        actor=actor,
        action=f"expense_{locked_claim.status}",
        body=str(
            _("Expense claim %(status)s: %(amount)s CNY.")
            % {"status": ExpenseStatus(locked_claim.status).label, "amount": locked_claim.amount}
        ),
    )
    return locked_claim
