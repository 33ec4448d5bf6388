"""The tickets behind a figure: the facts a KPI, dashboard or chargeback figure counted, as a
list of tickets (each links to its page). Read through the facts' indexes, scoped like the
figure itself, at most ``LIMIT`` rows with the exact count."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.revisits.models import StaffComplaint

from ..models import JobFact, StaffKind, TicketFact
from ..services.complaints import complaints_between
from ..services.rollups import first_jobs
from .chargeback import party_q
from .common import Period, parse_period, reach_region, staff_reach, ticket_reach

LIMIT = 500

# Metric → the condition a ticket (or a job) meets to be counted by that figure.
TICKET_METRICS: dict[str, Q] = {
    "handled": Q(),
    "resolved": Q(resolved_day__isnull=False),
    "fr_measured": Q(fr_seconds__isnull=False),
    "res_measured": Q(res_seconds__isnull=False),
    "fr_missed": Q(fr_met=False),
    "solution_missed": Q(solution_met=False),
    "res_missed": Q(res_met=False),
    "reopened": Q(reopened=True),
    "complaints": Q(complaints__gt=0),
    "surveyed": Q(overall__isnull=False),
    "detractors": Q(overall__lte=3),
    "costed": Q(cost_total__gt=0),
}
JOB_METRICS: dict[str, Q] = {
    "jobs": Q(),
    "jobs_done": Q(done=True),
    "late": Q(on_time=False),
    "not_fixed_first_time": Q(first_time_fix=False),
}
# A technician's satisfaction: the surveyed tickets of their first jobs (``rollups.first_jobs``)
# in the period, as the technicians' KPI rows count them.
TECHNICIAN_TICKET_METRICS: dict[str, Q] = {
    "tech_surveyed": Q(overall__isnull=False),
    "tech_detractors": Q(overall__lte=3),
}
# Complaints about a person recorded on revisit calls, listed under the figure's tickets: the
# agents' complaints figure also counts their tickets' survey complaints, the technicians' only
# these (``services.complaints``).
COMPLAINT_METRICS = {"complaints": StaffKind.AGENT.value, "tech_complaints": StaffKind.TECHNICIAN.value}
METRICS = frozenset({*TICKET_METRICS, *JOB_METRICS, *TECHNICIAN_TICKET_METRICS, *COMPLAINT_METRICS})


@dataclass(frozen=True)
class Drill:
    period: Period
    metric: str = "handled"
    person: int | None = None
    team: int | None = None
    region: int | None = None
    category: int | None = None
    channel: str = ""
    model: int | None = None
    responsibility: str = ""
    party: str | None = None
    by_resolution: bool = False  # chargeback: the period is the resolution day


@dataclass(frozen=True)
class DrillResult:
    count: int
    rows: list[Any]
    jobs: bool
    # The complaints recorded about the people of the figure (complaint metrics only).
    complaint_count: int = 0
    complaints: list[StaffComplaint] = field(default_factory=list)


def _keys(qs: QuerySet[Any], d: Drill, person: str) -> QuerySet[Any]:
    for column, value in ((person, d.person), ("team_key", d.team), ("region_key", d.region)):
        if value is not None:
            qs = qs.filter(**{column: value})
    return qs


def drill_from_query(params: Mapping[str, str]) -> tuple[Drill, bool]:
    """The drill a page's query string asks for (the drill page, its export): the figure, its
    keys and period; and whether it is a KPI figure (scoped to people) rather than a dashboard
    or statement figure (scoped to regions). Raises ``DomainError`` for an unreadable period."""

    def number(name: str) -> int | None:
        raw = params.get(name, "") or ""
        return int(raw) if raw.isdigit() and len(raw) < 19 else None

    metric = params.get("metric", "handled") or "handled"
    if metric not in METRICS:
        metric = "handled"
    drill = Drill(
        period=parse_period(params.get("from") or None, params.get("to") or None),
        metric=metric,
        person=number("person"),
        team=number("team"),
        region=number("region"),
        category=number("category"),
        channel=(params.get("channel", "") or "")[:16],
        model=number("model"),
        responsibility=(params.get("responsibility", "") or "")[:16],
        party=params.get("party") if "party" in params else None,
        by_resolution=params.get("by") == "resolved",
    )
    return drill, params.get("view") != "tickets"


def drill_rows_for_user(*, user: User, drill: Drill, staff: bool = True) -> QuerySet[Any]:
    """Every fact behind one figure (``JobFact`` rows for the technicians' metrics, else
    ``TicketFact`` with its ticket), newest first, scoped like the figure; unlimited (exports)."""
    if drill.metric in JOB_METRICS:
        reach = staff_reach(user, person="technician_key") if staff else ticket_reach(user)
        jobs = _keys(JobFact.objects.filter(reach), drill, "technician_key").filter(
            JOB_METRICS[drill.metric], day__gte=drill.period.start, day__lte=drill.period.end
        )
        return jobs.order_by("-day", "number")
    if drill.metric == "tech_complaints":
        return TicketFact.objects.none()  # only complaints recorded about the technicians
    if drill.metric in TECHNICIAN_TICKET_METRICS:
        reach = staff_reach(user, person="technician_key") if staff else ticket_reach(user)
        jobs = _keys(JobFact.objects.filter(reach), drill, "technician_key").filter(
            day__gte=drill.period.start, day__lte=drill.period.end
        )
        tickets = first_jobs(jobs).values("ticket_key")
        return (
            TicketFact.objects.filter(TECHNICIAN_TICKET_METRICS[drill.metric], ticket_id__in=tickets)
            .select_related("ticket")
            .order_by("-day", "number")
        )
    reach = staff_reach(user, person="assignee_key") if staff else ticket_reach(user)
    facts = _keys(TicketFact.objects.filter(reach), drill, "assignee_key").filter(TICKET_METRICS.get(drill.metric, Q()))
    if drill.by_resolution:
        facts = facts.filter(resolved_day__gte=drill.period.start, resolved_day__lte=drill.period.end)
    else:
        facts = facts.filter(day__gte=drill.period.start, day__lte=drill.period.end)
    if drill.category is not None:
        facts = facts.filter(category_key=drill.category)
    if drill.channel:
        facts = facts.filter(channel=drill.channel)
    if drill.model is not None:
        facts = facts.filter(model_key=drill.model)
    if drill.party is not None:
        # A register entry's facts whatever their responsibility; a text party's as recorded.
        facts = facts.filter(party_q(drill.responsibility, drill.party)[0])
    elif drill.responsibility:
        facts = facts.filter(responsibility=drill.responsibility)
    return facts.select_related("ticket").order_by("-day", "number")


def drill_for_user(*, user: User, drill: Drill, staff: bool = True) -> DrillResult:
    """The tickets (or, for the technicians' metrics, the jobs) behind one figure, at most
    ``LIMIT`` of them with the exact count. ``staff``: a KPI figure, scoped to the people
    ``user`` may see; else a dashboard or statement figure, scoped to the regions ``user`` may see."""
    rows = drill_rows_for_user(user=user, drill=drill, staff=staff)
    complaint_count, complaints = 0, []
    if drill.metric in COMPLAINT_METRICS:
        recorded = complaint_rows_for_user(user=user, drill=drill, staff=staff)
        complaint_count, complaints = recorded.order_by().count(), list(recorded[:LIMIT])
    return DrillResult(
        count=rows.order_by().count(),
        rows=list(rows[:LIMIT]),
        jobs=drill.metric in JOB_METRICS,
        complaint_count=complaint_count,
        complaints=complaints,
    )


def complaint_rows_for_user(*, user: User, drill: Drill, staff: bool = True) -> QuerySet[StaffComplaint]:
    """The complaints recorded on revisit calls about the people of a complaints figure (agents
    for ``complaints``, technicians for ``tech_complaints``) in the period, scoped like it, newest
    first."""
    keys = {"user_key": "c_user_key", "team_key": "c_team_key", "region_key": "c_region_key"}
    if staff:
        reach = staff_reach(user, person=keys["user_key"], team=keys["team_key"], region=keys["region_key"])
    else:
        region = reach_region(ticket_reach(user))
        reach = Q() if region is None else Q(c_region_key=region)
    kind = Q(c_kind=COMPLAINT_METRICS.get(drill.metric, StaffKind.AGENT.value))
    qs = complaints_between(drill.period.start, drill.period.end).filter(reach, kind)
    for column, value in (("c_user_key", drill.person), ("c_team_key", drill.team), ("c_region_key", drill.region)):
        if value is not None:
            qs = qs.filter(**{column: value})
    return qs.select_related("staff", "ticket", "revisit").order_by("-created_at", "-id")
