"""The tickets behind a figure: the facts a KPI, dashboard or chargeback figure counted, as a
list of tickets (each links to its page). Read through the facts' indexes, scoped like the
figure itself, at most ``LIMIT`` rows with the exact count."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User

from ..models import JobFact, TicketFact
from .common import Period, parse_period, staff_reach, ticket_reach

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
    if metric not in TICKET_METRICS and metric not in JOB_METRICS:
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
    if drill.responsibility:
        facts = facts.filter(responsibility=drill.responsibility)
    if drill.party is not None:
        facts = facts.filter(responsible_party=drill.party)
    return facts.select_related("ticket").order_by("-day", "number")


def drill_for_user(*, user: User, drill: Drill, staff: bool = True) -> DrillResult:
    """The tickets (or, for the technicians' metrics, the jobs) behind one figure, at most
    ``LIMIT`` of them with the exact count. ``staff``: a KPI figure, scoped to the people
    ``user`` may see; else a dashboard or statement figure, scoped to the regions ``user`` may see."""
    rows = drill_rows_for_user(user=user, drill=drill, staff=staff)
    return DrillResult(count=rows.order_by().count(), rows=list(rows[:LIMIT]), jobs=drill.metric in JOB_METRICS)
