"""A work order is made for one field measure of the ticket's agreed plan; site-entry permits
are attached to it while it is open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, User
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.customers.phones import normalize_phone
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import MeasureStatus, PlanMeasure, PlanStatus
from aftersales.tickets.permissions import ticket_check_action
from aftersales.tickets.process.common import optional_text
from aftersales.tickets.process.execution import ticket_update_measure

from .. import charging
from ..audit_actions import WorkOrderAudit
from ..models import Skill, WorkOrder, WorkOrderFile, WorkOrderFileKind, WorkOrderKind, WorkOrderNumberSequence
from ..permissions import can_create, can_manage
from ..states import FINAL_STATUSES
from ..uploads import check_document
from .common import check_window, lock_work_order, record, save_fields, save_file


def _next_number() -> str:
    day = clock.local_today()
    seq, _created = WorkOrderNumberSequence.objects.select_for_update().get_or_create(day=day)
    WorkOrderNumberSequence.objects.filter(pk=seq.pk).update(last_value=F("last_value") + 1)
    seq.refresh_from_db()
    return f"WO{day:%Y%m%d}{seq.last_value:04d}"


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
    # Typed as people type it (159 8306 7670, 15983067670, +86…), stored in E.164.
    phone = normalize_phone(contact_phone, field="contact_phone") if (contact_phone or "").strip() else ""
    start, end = check_window(appointment_start, appointment_end, required=False)
    sniffed_permits = [(f, check_document(f, field="permits")) for f in permits]
    ticket = lock_ticket(measure.plan.ticket_id)
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
        contact_phone=(phone or ticket.contact_phone or ticket.customer.phone)[:32],
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
        save_file(work_order=work_order, kind=WorkOrderFileKind.PERMIT, fileobj=fileobj, sniffed=sniffed, actor=actor)
    record(
        work_order=work_order,
        actor=actor,
        action=WorkOrderAudit.CREATED,
        body=deferred(_("Work order created: %(kind)s."), kind=WorkOrderKind(work_order.kind).label),
        public=True,
        changes={"measure": measure.pk, "skills": [s.code for s in required_skills], "permits": len(sniffed_permits)},
    )
    if measure.status == MeasureStatus.PENDING:
        ticket_update_measure(
            measure=measure,
            actor=None,
            status=MeasureStatus.IN_PROGRESS,
            progress_text=deferred(_("Work order %(number)s created."), number=work_order.number),
        )
    return work_order


@transaction.atomic
def work_order_add_permit(*, work_order: WorkOrder, actor: User, file: IO[bytes]) -> WorkOrderFile:
    """Attach a site-entry permit (a mall's access permit …) to an open work order."""
    sniffed = check_document(file, field="permits")
    if not can_manage(actor, work_order):
        raise PermissionDenied(_("You cannot change this work order."), code="not_allowed")
    _ticket, locked = lock_work_order(work_order, expected_version=None)
    if locked.status in FINAL_STATUSES:
        raise DomainError(_("This work order is finished."), code="work_order_final", field="status")
    stored = save_file(work_order=locked, kind=WorkOrderFileKind.PERMIT, fileobj=file, sniffed=sniffed, actor=actor)
    save_fields(locked, ())
    record(work_order=locked, actor=actor, action=WorkOrderAudit.PERMIT_ADDED, body=deferred(_("Site-entry permit added.")))
    return stored
