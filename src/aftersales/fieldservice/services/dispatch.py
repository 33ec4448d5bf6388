"""The dispatcher's moves: assign (or reassign) a job to a technician for a window agreed with
the customer, move the window, cancel the job. The customer and the technicians are told."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, ServiceOutlet, User
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.notifications.text import Verbatim
from aftersales.tickets.process.common import required_text

from ..audit_actions import WorkOrderAudit
from ..effects import appointment_set
from ..models import TechnicianProfile, WorkOrder, WorkOrderStatus
from ..permissions import can_manage, check_dispatcher
from .common import (
    check_window,
    complete_measure_if_done,
    lock_work_order,
    move,
    record,
    save_fields,
    tell_customer,
    tell_technician,
    window_text,
)

W = WorkOrderStatus


def outlet_of(technician: User) -> ServiceOutlet | None:
    """The service outlet whose team the technician belongs to now (None: an own technician)."""
    if technician.team_id is None:
        return None
    return ServiceOutlet.objects.filter(team_id=technician.team_id).first()


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
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    check_dispatcher(user=actor, work_order=locked)
    start, end = check_window(
        appointment_start or locked.appointment_start, appointment_end or locked.appointment_end, required=True
    )
    previous = locked.technician
    if previous is not None and previous.pk == technician.pk and locked.status != W.TO_DISPATCH:
        raise DomainError(_("The job is already dispatched to this technician."), code="same_technician", field="technician")
    previous_outlet_id = locked.outlet_id
    outlet = outlet_of(technician)
    day = clock.local_date(start) if start is not None else clock.local_today()  # required: never None here
    if outlet is not None and not outlet.in_force_on(day):
        raise ValidationFailed(
            {
                "technician": [
                    _("%(outlet)s has no contract in force on %(day)s: choose another technician.")
                    % {"outlet": outlet.name, "day": day.isoformat()}
                ]
            },
            code="outlet_not_in_force",
        )
    before_window = (locked.appointment_start, locked.appointment_end)
    locked.technician = technician
    locked.outlet = outlet  # frozen here: the outlet settles this job even if the technician moves on
    locked.appointment_start, locked.appointment_end = start, end
    locked.dispatched_at = clock.now()
    locked.dispatched_by = actor
    locked.accepted_at = None
    reassigned = previous is not None and locked.status != W.TO_DISPATCH
    body = deferred(
        _("Reassigned from %(old)s to %(new)s, appointment %(window)s.")
        if reassigned
        else _("Dispatched to %(new)s, appointment %(window)s."),
        old=str(previous or ""),
        new=str(technician),
        window=window_text(locked),
    )
    move(
        locked,
        to=W.DISPATCHED,
        actor=actor,
        body=body,
        public=True,
        fields={"technician", "outlet", "appointment_start", "appointment_end", "dispatched_at", "dispatched_by", "accepted_at"},
        changes={
            "technician": [previous.pk if previous else None, technician.pk],
            "window": window_text(locked),
            **({"outlet": [previous_outlet_id, locked.outlet_id]} if previous_outlet_id != locked.outlet_id else {}),
        },
    )
    tell_technician(locked, technician, "fieldservice.job.new")
    if reassigned and previous is not None:
        tell_technician(locked, previous, "fieldservice.job.reassigned")
    tell_customer(locked, "fieldservice.reassigned" if reassigned else "fieldservice.appointment", technician=technician)
    appointment_set(work_order=locked, change="reassigned" if reassigned else "scheduled", previous=before_window)
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
    start, end = check_window(appointment_start, appointment_end, required=True)
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version)
    if locked.technician_id != actor.pk:
        check_dispatcher(user=actor, work_order=locked)
    old = window_text(locked)
    before_window = (locked.appointment_start, locked.appointment_end)
    locked.appointment_start, locked.appointment_end = start, end
    locked.status_reason = text
    body = deferred(_("Appointment moved from %(old)s to %(new)s: %(reason)s"), old=old, new=window_text(locked), reason=text)
    if locked.status == W.TO_DISPATCH:
        save_fields(locked, {"appointment_start", "appointment_end", "status_reason"})
        record(
            work_order=locked,
            actor=actor,
            action=WorkOrderAudit.RESCHEDULED,
            body=body,
            public=True,
            changes={"window": [old, window_text(locked)]},
        )
    else:
        move(
            locked,
            to=W.RESCHEDULED,
            actor=actor,
            body=body,
            public=True,
            fields={"appointment_start", "appointment_end", "status_reason"},
            changes={"window": [old, window_text(locked)]},
        )
        if actor.pk != locked.technician_id:
            tell_technician(locked, locked.technician, "fieldservice.job.rescheduled")
    tell_customer(locked, "fieldservice.rescheduled")
    appointment_set(work_order=locked, change="rescheduled", previous=before_window)
    return locked


@transaction.atomic
def work_order_cancel(*, work_order: WorkOrder, actor: User, reason: str, expected_version: int | None = None) -> WorkOrder:
    text = required_text(reason, field="reason", message=_("Say why the work order is cancelled."))
    _ticket, locked = lock_work_order(work_order, expected_version=expected_version, allow_final_ticket=True)
    if not can_manage(actor, locked):
        raise PermissionDenied(_("Only a dispatcher or the ticket's handler can cancel a work order."), code="not_allowed")
    technician = locked.technician
    locked.status_reason = text
    move(
        locked,
        to=W.CANCELLED,
        actor=actor,
        body=deferred(_("Cancelled: %(reason)s"), reason=text),
        public=True,
        fields={"status_reason"},
    )
    tell_technician(locked, technician, "fieldservice.job.cancelled", reason=Verbatim(text))
    if technician is not None:
        tell_customer(locked, "fieldservice.cancelled")
    complete_measure_if_done(locked)
    return locked


# The statuses a job goes back to dispatch from when its technician leaves (not yet done).
RETURNABLE = frozenset({W.DISPATCHED, W.ACCEPTED, W.RESCHEDULED, W.ON_THE_WAY, W.ON_SITE})


@transaction.atomic
def work_order_return_to_dispatch(*, work_order: WorkOrder, actor: User) -> WorkOrder:
    """The job's technician left the company (the staff handover's door; ``accounts.offboarding``
    checks who may): it goes back to the dispatch board without a technician, its appointment
    window kept so that the dispatcher may send somebody else for the same window (the customer
    hears of the new technician then). Also on a closed ticket, where the dispatcher cancels it."""
    _ticket, locked = lock_work_order(work_order, expected_version=None, allow_final_ticket=True)
    previous = locked.technician
    if locked.status not in RETURNABLE:
        raise DomainError(
            _("Only a job dispatched and not yet done goes back to dispatch."), code="transition_not_allowed", field="status"
        )
    previous_outlet_id = locked.outlet_id
    locked.technician = None
    locked.outlet = None  # the next dispatch freezes the next technician's outlet
    locked.dispatched_at = None
    locked.dispatched_by = None
    locked.accepted_at = None
    move(
        locked,
        to=W.TO_DISPATCH,
        actor=actor,
        body=deferred(_("Back to dispatch: %(name)s has left."), name=str(previous or "")),
        fields={"technician", "outlet", "dispatched_at", "dispatched_by", "accepted_at"},
        changes={
            "technician": [previous.pk if previous else None, None],
            **({"outlet": [previous_outlet_id, None]} if previous_outlet_id else {}),
        },
    )
    return locked
