"""Reads for field service, scoped to the user: the dispatcher's board (the day's undispatched
and planned jobs, the coming days' undispatched ones, the overdue count) with ranked technician
suggestions, the technician's day, a ticket's work orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import Region, Role, User
from aftersales.core import clock
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.tickets.models import MeasureStatus, PlanMeasure, PlanStatus, Ticket

from .models import CompletionAcceptance, TechnicianProfile, WorkOrder, WorkOrderKind, WorkOrderStatus
from .permissions import can_dispatch, work_orders_visible_to
from .states import OPEN_STATUSES

W = WorkOrderStatus


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, start + dt.timedelta(days=1)


def work_order_get_for_user(*, user: User, number: str) -> WorkOrder:
    """The work order ``number`` if ``user`` may see it; ``NotFound`` otherwise."""
    work_order = (
        work_orders_visible_to(user)
        .select_related("ticket__customer", "ticket__product_unit__model", "measure", "technician", "region", "outlet")
        .filter(number=number)
        .first()
    )
    if work_order is None:
        raise NotFound("work order not found")
    return work_order


def ticket_work_orders(*, user: User, ticket: Ticket) -> list[WorkOrder]:
    return list(
        work_orders_visible_to(user).filter(ticket=ticket).select_related("technician", "measure").order_by("created_at", "id")
    )


def measures_open_for_work_orders(*, ticket: Ticket) -> list[PlanMeasure]:
    """Measures of the agreed current plan that send someone out and are not finished."""
    return list(
        PlanMeasure.objects.filter(
            plan__ticket=ticket,
            plan__is_current=True,
            plan__status=PlanStatus.AGREED,
            kind__in=WorkOrderKind.values,
            status__in=[MeasureStatus.PENDING, MeasureStatus.IN_PROGRESS],
        ).order_by("position", "id")
    )


def technician_jobs(*, user: User, day: dt.date | None = None) -> list[WorkOrder]:
    """The technician's jobs of the day in appointment order, and any still open from before."""
    start, end = day_bounds(day or clock.local_today())
    return list(
        WorkOrder.objects.filter(technician=user)
        .filter(
            Q(appointment_start__gte=start, appointment_start__lt=end)
            | Q(status__in=[W.ON_THE_WAY, W.ON_SITE, W.DONE], appointment_start__lt=start)
        )
        .exclude(status__in=[W.CANCELLED])
        .select_related("ticket")
        .order_by("appointment_start", "id")
    )


@dataclass
class Suggestion:
    technician: User
    score: int
    skills_matched: int
    skills_required: int
    same_region: bool
    jobs_that_day: int
    open_load: int
    capacity: int
    full: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return " · ".join(self.reasons)


def suggest_technicians(*, work_order: WorkOrder, day: dt.date | None = None, limit: int = 5) -> list[Suggestion]:
    """Technicians ranked for ``work_order``: all required skills first, then more skills
    matched, the same region, fewer appointments that day, fewer open jobs. Each says why."""
    when = day or (
        timezone.localtime(work_order.appointment_start, timezone.get_default_timezone()).date()
        if work_order.appointment_start
        else clock.local_today()
    )
    start, end = day_bounds(when)
    required = set(work_order.required_skills.values_list("pk", flat=True))
    profiles = (
        TechnicianProfile.objects.filter(active=True, user__is_active=True, user__role="technician")
        .select_related("user__team__outlet")
        .prefetch_related("skills", "regions")
    )
    users = [p.user_id for p in profiles]
    open_load = dict(
        WorkOrder.objects.filter(technician_id__in=users, status__in=OPEN_STATUSES)
        .values("technician_id")
        .annotate(n=Count("id"))
        .values_list("technician_id", "n")
    )
    that_day = dict(
        WorkOrder.objects.filter(technician_id__in=users, appointment_start__gte=start, appointment_start__lt=end)
        .exclude(status__in=[W.CANCELLED, W.FAILED])
        .exclude(pk=work_order.pk)
        .values("technician_id")
        .annotate(n=Count("id"))
        .values_list("technician_id", "n")
    )
    result = []
    for profile in profiles:
        outlet = getattr(profile.user.team, "outlet", None) if profile.user.team_id else None
        if outlet is not None and not outlet.in_force_on(when):
            continue  # the outlet has no contract in force that day: dispatch would refuse him
        skills = {s.pk for s in profile.skills.all()}
        # A profile without regions serves the technician's own region (a profile made when the
        # user became a technician starts so; the admin adds more).
        regions = {r.pk for r in profile.regions.all()} or ({profile.user.region_id} if profile.user.region_id else set())
        matched = len(required & skills)
        same_region = work_order.region_id is not None and work_order.region_id in regions
        day_count = that_day.get(profile.user_id, 0)
        load = open_load.get(profile.user_id, 0)
        full = day_count >= profile.daily_capacity
        reasons = []
        if required:
            reasons.append(_("skills %(matched)d/%(required)d") % {"matched": matched, "required": len(required)})
        else:
            reasons.append(_("no skills required"))
        reasons.append(_("same region") if same_region else _("other region"))
        reasons.append(_("%(count)d jobs that day") % {"count": day_count})
        reasons.append(_("%(count)d open") % {"count": load})
        if full:
            reasons.append(_("fully booked"))
        score = (
            (1000 if matched == len(required) else 0)
            + matched * 100
            + (50 if same_region else 0)
            - (500 if full else 0)
            - day_count * 10
            - load
        )
        result.append(
            Suggestion(
                technician=profile.user,
                score=score,
                skills_matched=matched,
                skills_required=len(required),
                same_region=same_region,
                jobs_that_day=day_count,
                open_load=load,
                capacity=profile.daily_capacity,
                full=full,
                reasons=reasons,
            )
        )
    result.sort(key=lambda s: (-s.score, s.technician.pk))
    return result[:limit]


# How many days after the board's day the "coming days" section counts, day by day.
UPCOMING_DAYS = 7
UPCOMING_SHOWN = 20


@dataclass(frozen=True)
class UpcomingDay:
    day: dt.date
    count: int


def dispatch_board(*, user: User, day: dt.date, region: Region | None = None) -> dict[str, Any]:
    """The dispatcher's board for a day: what is still to dispatch (or rescheduled) up to that
    day, with suggestions, each marked overdue when its appointment has begun undispatched; what
    is already planned that day; and the undispatched jobs of the coming days (a count per day
    for ``UPCOMING_DAYS`` days, the rest as "later", the first ones listed), with the count of
    every overdue undispatched job in the region, whatever the day shown. Undispatched jobs go
    urgent first (the ticket's priority, as the ticket list orders it; SPEC §2.4), then by time."""
    empty: dict[str, Any] = {
        "to_dispatch": [],
        "planned": [],
        "day": day,
        "region": region,
        "upcoming_days": [],
        "upcoming_jobs": [],
        "upcoming_later": 0,
        "upcoming_total": 0,
        "overdue_total": 0,
    }
    if not can_dispatch(user):
        return empty
    now = clock.now()
    start, end = day_bounds(day)
    base: QuerySet[WorkOrder] = work_orders_visible_to(user).select_related("ticket", "technician", "region", "outlet")
    if region is not None:
        base = base.filter(region=region)
    undispatched = base.filter(status__in=[W.TO_DISPATCH, W.RESCHEDULED])
    pending = undispatched.filter(Q(appointment_start__isnull=True) | Q(appointment_start__lt=end))
    planned = base.filter(appointment_start__gte=start, appointment_start__lt=end).exclude(
        status__in=[W.TO_DISPATCH, W.RESCHEDULED]
    )
    window_end = end + dt.timedelta(days=UPCOMING_DAYS)
    coming = undispatched.filter(appointment_start__gte=end, appointment_start__lt=window_end)
    zone = timezone.get_default_timezone()
    per_day: dict[dt.date, int] = {}
    for when in coming.values_list("appointment_start", flat=True):
        local = timezone.localtime(when, zone).date()
        per_day[local] = per_day.get(local, 0) + 1
    later = undispatched.filter(appointment_start__gte=window_end).count()
    return {
        "to_dispatch": [
            {
                "work_order": wo,
                "suggestions": suggest_technicians(work_order=wo, day=day),
                "overdue": wo.appointment_start is not None and wo.appointment_start < now,
            }
            for wo in pending.order_by("ticket__priority", "appointment_start", "id")[:100]
        ],
        # Planned visits keep the day's time order; urgent ones only carry the badge.
        "planned": list(planned.order_by("appointment_start", "id")),
        "day": day,
        "region": region,
        "upcoming_days": [UpcomingDay(d, per_day[d]) for d in sorted(per_day)],
        "upcoming_jobs": list(coming.order_by("ticket__priority", "appointment_start", "id")[:UPCOMING_SHOWN]),
        "upcoming_later": later,
        "upcoming_total": sum(per_day.values()) + later,
        "overdue_total": undispatched.filter(appointment_start__lt=now).count(),
    }


def acceptance_for(work_order: WorkOrder) -> CompletionAcceptance | None:
    return CompletionAcceptance.objects.filter(work_order=work_order).first()


def technician_by_username(username: str, *, field: str = "technician") -> User:
    """An active technician named in a request (the API names people by username)."""
    user = User.objects.filter(username=username, is_active=True, role=Role.TECHNICIAN).first()
    if user is None:
        raise ValidationFailed({field: [gettext_lazy("No active technician has this username.")]}, code="not_a_technician")
    return user
