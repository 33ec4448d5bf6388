"""The technician's visit: accept the job, go, check in, record the work and the photos, check
out (the job is costed) — or the visit fails."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.notifications.services import notify_staff
from aftersales.notifications.text import Verbatim
from aftersales.tickets.process.common import optional_text, required_text
from aftersales.tickets.services.details import ticket_record_serial_on_site

from .. import charging
from ..audit_actions import WorkOrderAudit
from ..models import WorkOrder, WorkOrderChargeLine, WorkOrderFile, WorkOrderFileKind, WorkOrderStatus
from ..permissions import check_dispatcher, check_technician
from ..uploads import check_photo
from .common import (
    check_location,
    complete_measure_if_done,
    local_text,
    lock_work_order,
    move,
    record,
    save_fields,
    save_file,
    tell_customer,
)

W = WorkOrderStatus
COST_FIELDS = ("cost_parts", "cost_labour", "cost_travel", "cost_total", "charge_total", "costed_at")


@transaction.atomic
def work_order_accept(*, work_order: WorkOrder, actor: User, expected_version: int | None = None) -> WorkOrder:
    """The technician accepts the job (or the new appointment)."""
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    check_technician(user=actor, work_order=locked)
    locked.accepted_at = clock.now()
    return move(locked, to=W.ACCEPTED, actor=actor, body=deferred(_("The technician accepted the job.")), fields={"accepted_at"})


@transaction.atomic
def work_order_depart(*, work_order: WorkOrder, actor: User, expected_version: int | None = None) -> WorkOrder:
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    check_technician(user=actor, work_order=locked)
    locked.departed_at = clock.now()
    move(
        locked,
        to=W.ON_THE_WAY,
        actor=actor,
        body=deferred(_("The technician is on the way.")),
        public=True,
        fields={"departed_at"},
    )
    tell_customer(locked, "fieldservice.on_the_way")
    return locked


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
    lat_d, lng_d = check_location(share_location, lat, lng)
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    check_technician(user=actor, work_order=locked)
    if locked.status == W.ACCEPTED:  # checked in without pressing "on the way" first
        locked.departed_at = clock.now()
        move(locked, to=W.ON_THE_WAY, actor=actor, body=deferred(_("The technician is on the way.")), fields={"departed_at"})
    locked.checked_in_at = clock.now()
    locked.check_in_lat, locked.check_in_lng = lat_d, lng_d
    return move(
        locked,
        to=W.ON_SITE,
        actor=actor,
        body=deferred(_("Checked in on site at %(time)s."), time=local_text(locked.checked_in_at)),
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
    serial_number: str = "",
    expected_version: int | None = None,
) -> WorkOrder:
    """The work written down on site; ``serial_number``: the one on the unit's nameplate, when the
    ticket's is missing or wrong (the ticket's details follow: ``tickets.services.details``)."""
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
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    check_technician(user=actor, work_order=locked)
    if locked.status != W.ON_SITE:
        raise DomainError(_("Record the work while on site."), code="not_on_site", field="status")
    before = {"labour_hours": str(locked.labour_hours), "travel_km": str(locked.travel_km)}
    locked.diagnosis, locked.work_done, locked.labour_hours, locked.travel_km = diagnosis_text, work_text, hours, km
    save_fields(locked, {"diagnosis", "work_done", "labour_hours", "travel_km"})
    record(
        work_order=locked,
        actor=actor,
        action=WorkOrderAudit.WORK_RECORDED,
        body=deferred(_("Work recorded: %(hours)s h."), hours=str(hours)),
        changes={"labour_hours": [before["labour_hours"], str(hours)], "travel_km": [before["travel_km"], str(km)]},
    )
    if (serial_number or "").strip():
        corrected = ticket_record_serial_on_site(
            ticket=_ticket, actor=actor, serial_number=serial_number, work_order_number=locked.number
        )
        if corrected is not None:
            locked.ticket = corrected
    return locked


@transaction.atomic
def work_order_add_photo(*, work_order: WorkOrder, actor: User, kind: str, file: IO[bytes]) -> WorkOrderFile:
    """A photo before or after the work, taken on site."""
    if kind not in {WorkOrderFileKind.BEFORE, WorkOrderFileKind.AFTER}:
        raise ValidationFailed({"kind": [_("Say whether it is before or after the work.")]}, code="photo_kind")
    sniffed = check_photo(file)
    _ticket, locked = lock_work_order(work_order, expected_version=None)
    check_technician(user=actor, work_order=locked)
    if locked.status != W.ON_SITE:
        raise DomainError(_("Photos are taken on site."), code="not_on_site", field="status")
    stored = save_file(work_order=locked, kind=kind, fileobj=file, sniffed=sniffed, actor=actor)
    save_fields(locked, ())
    record(
        work_order=locked,
        actor=actor,
        action=WorkOrderAudit(f"fieldservice.photo_{kind}"),
        body=deferred(_("Photo added: %(kind)s."), kind=WorkOrderFileKind(kind).label),
        changes={"sha256": sniffed.sha256},
    )
    return stored


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
            texts=line.texts,
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
    and a charge within what the customer accepted — the estimate of the plan they agreed to, or
    a quote they confirmed (``charging.check_within_accepted``). Costs the job."""
    lat_d, lng_d = check_location(share_location, lat, lng)
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
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
    if errors:
        raise ValidationFailed(errors, code="completion_incomplete")
    now = clock.now()
    locked.checked_out_at = locked.completed_at = now
    locked.check_out_lat, locked.check_out_lng = lat_d, lng_d
    compute_charges(locked)
    # Never more than the customer accepted (the plan's estimate or a confirmed quote).
    charging.check_within_accepted(locked)
    move(
        locked,
        to=W.DONE,
        actor=actor,
        body=deferred(_("Work done, checked out at %(time)s."), time=local_text(now)),
        public=True,
        fields={"checked_out_at", "completed_at", "check_out_lat", "check_out_lng", *COST_FIELDS},
        changes={"cost_total": str(locked.cost_total), "charge_total": str(locked.charge_total)},
    )
    return locked


@transaction.atomic
def work_order_complete(
    *,
    work_order: WorkOrder,
    actor: User,
    diagnosis: str,
    work_done: str,
    labour_hours: object,
    travel_km: object = 0,
    serial_number: str = "",
    share_location: bool = False,
    lat: object = None,
    lng: object = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """Record the work and check out in one transaction: both happen, or neither."""
    recorded = work_order_record_work(
        work_order=work_order,
        actor=actor,
        diagnosis=diagnosis,
        work_done=work_done,
        labour_hours=labour_hours,
        travel_km=travel_km,
        serial_number=serial_number,
        expected_version=expected_version,
    )
    return work_order_check_out(
        work_order=recorded, actor=actor, share_location=share_location, lat=lat, lng=lng, expected_version=recorded.version
    )


@transaction.atomic
def work_order_fail(*, work_order: WorkOrder, actor: User, reason: str, expected_version: int | None = None) -> WorkOrder:
    """The visit failed (nobody home, wrong part …): the technician or a dispatcher says why."""
    text = required_text(reason, field="reason", message=_("Say why the visit failed."))
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    if locked.technician_id != actor.pk:
        check_dispatcher(user=actor, work_order=locked)
    locked.status_reason = text
    move(
        locked,
        to=W.FAILED,
        actor=actor,
        body=deferred(_("Visit failed: %(reason)s"), reason=text),
        public=True,
        fields={"status_reason"},
    )
    dispatchers = [u for u in [locked.dispatched_by] if u is not None and u.pk != actor.pk]
    notify_staff(
        users=dispatchers,
        template="fieldservice.failed",
        ticket=locked.ticket,
        params={"number": locked.number, "reason": Verbatim(text)},
    )
    complete_measure_if_done(locked)
    return locked
