"""The technician's day on the phone: today's jobs and each job's next step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.customers.phones import format_phone_national
from aftersales.fieldservice.actions import ACTIONS as WORK_ORDER_ACTIONS
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.fieldservice.permissions import site_details
from aftersales.fieldservice.selectors import day_bounds, technician_jobs
from aftersales.parts import selectors as parts
from aftersales.parts.models import Warehouse

from ..links import navigation_url

# --- The technician's day ------------------------------------------------------------------------

# A job's next step on the technician's phone, in the order of the visit: the first of these the
# work order's declarations (``fieldservice.actions``) allow now.
NEXT_STEPS: tuple[tuple[str, Promise], ...] = (
    ("accept", _("Accept the job")),
    ("depart", _("On my way")),
    ("check_in", _("Check in on site")),
    ("check_out", _("Work done: check out")),
    ("customer_accept", _("Accept with signature")),
)
# Where the job's page shows that step.
STEP_ANCHORS = {"customer_accept": "customer-accept"}


class Job(NamedTuple):
    work_order: WorkOrder
    area: str
    address: str
    contact_name: str
    phone: str  # as shown (national format, or masked)
    phone_href: str  # tel: link; empty when masked
    navigate_url: str  # empty when the address is masked
    next_step: str
    next_label: str | Promise
    next_anchor: str


def _next_step(user: User, work_order: WorkOrder) -> tuple[str, str | Promise, str]:
    for name, label in NEXT_STEPS:
        action = WORK_ORDER_ACTIONS.get(name)
        if action is not None and action.allowed(user, work_order):
            return name, label, STEP_ANCHORS.get(name, "steps")
    return "", "", ""


def _job(user: User, work_order: WorkOrder) -> Job:
    site = site_details(user, work_order)
    masked = bool(site["masked"])
    phone = str(site["contact_phone"] or "")
    full_address = " ".join(p for p in (str(site["area"]), str(site["address"])) if p)
    step, label, anchor = _next_step(user, work_order)
    return Job(
        work_order=work_order,
        area=str(site["area"]),
        address=str(site["address"]),
        contact_name=str(site["contact_name"]),
        phone=phone if masked else format_phone_national(phone),
        phone_href="" if masked or not phone else f"tel:{phone}",
        navigate_url="" if masked or not site["address"] else navigation_url(full_address),
        next_step=step,
        next_label=label,
        next_anchor=anchor,
    )


def _appointments(user: User, day: dt.date) -> int:
    """The technician's jobs appointed on ``day`` (the jobs page of that day lists them, after
    any still open from before)."""
    start, end = day_bounds(day)
    return (
        WorkOrder.objects.filter(technician=user, appointment_start__gte=start, appointment_start__lt=end)
        .exclude(status=WorkOrderStatus.CANCELLED)
        .count()
    )


@dataclass(frozen=True)
class TechnicianDay:
    day: dt.date
    jobs: list[Job]
    tomorrow: dt.date
    tomorrow_count: int
    requisitions_waiting: int
    van: Warehouse | None
    van_lines: int
    done_count: int = 0


def technician_today(*, user: User) -> TechnicianDay:
    """The technician's day: today's jobs in visit order (and any still open from before), each
    with its address (tap to navigate), contact (tap to call), status and next step; how many
    jobs tomorrow; their parts requisitions waiting for approval or issue; their van."""
    today = clock.local_today()
    tomorrow = today + dt.timedelta(days=1)
    jobs = [_job(user, wo) for wo in technician_jobs(user=user, day=today)]
    van = parts.van_of(technician=user)
    return TechnicianDay(
        day=today,
        jobs=jobs,
        tomorrow=tomorrow,
        tomorrow_count=_appointments(user, tomorrow),
        requisitions_waiting=parts.requisition_inbox(user=user).count(),
        van=van,
        van_lines=len(parts.van_stock(technician=user)) if van is not None else 0,
        done_count=sum(1 for j in jobs if not j.next_step),
    )
