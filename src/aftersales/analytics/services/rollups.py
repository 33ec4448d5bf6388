"""The rollups the pages read, rebuilt from the facts for the days a refresh touched (delete and
insert: running it twice leaves the same rows), and the backlog recount. The dashboard's month
rollups are in ``cubes.py``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.db.models.lookups import Exact
from django.utils import timezone

from aftersales.tickets.models import Ticket
from aftersales.tickets.states import OPEN_STATUS_LIST

from ..models import BacklogCell, JobFact, StaffDay, StaffKind, TicketFact
from .complaints import complaint_groups
from .rows import replace_rows
from .staff_months import staff_months_of

# Upper bounds (days since registration) of the backlog's age bands; the last band is open.
AGE_BANDS = (1, 3, 7, 30)
RATING_FIELDS = ("overall", "speed", "attitude", "professionalism", "result")
CHUNK = 60


def _chunks(values: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), size):
        yield items[start : start + size]


def minute_key(seconds: int) -> str:
    return str(round(seconds / 60))


def _minutes(field: str) -> Case:
    """``round(seconds / 60)`` in SQL, with Python's rounding (half to even), so the grouped
    histogram keys are exactly ``minute_key``'s: (s + 30) div 60, less one when s is a whole
    minute and a half and that quotient is odd. Integer division on PostgreSQL and SQLite."""

    def n(value: int) -> Value:
        return Value(value, output_field=BigIntegerField())

    seconds = Cast(F(field), output_field=BigIntegerField())
    up = ExpressionWrapper((seconds + n(30)) / n(60), output_field=BigIntegerField())
    half = ExpressionWrapper(seconds - (seconds / n(60)) * n(60), output_field=BigIntegerField())
    odd = ExpressionWrapper(up - (up / n(2)) * n(2), output_field=BigIntegerField())
    return Case(
        When(
            Exact(half, 30),
            then=Case(When(Exact(odd, 1), then=ExpressionWrapper(up - n(1), output_field=BigIntegerField())), default=up),
        ),
        default=up,
        output_field=BigIntegerField(),
    )


STAFF_KEY = ("day", "user_key", "team_key", "region_key")
TICKET_KEY = {"day": F("day"), "user_key": F("assignee_key"), "team_key": F("team_key"), "region_key": F("region_key")}
JOB_KEY = {"day": F("day"), "user_key": F("technician_key"), "team_key": F("team_key"), "region_key": F("region_key")}
SLA_METRICS = (("fr_met", "fr"), ("solution_met", "solution"), ("res_met", "res"))


def _ticket_groups(days: list[dt.date]) -> Any:
    """Per day × agent × team × region: the scalar figures, one grouped query."""
    sums: dict[str, Any] = {
        "handled": Count("pk"),
        "resolved": Count("pk", filter=Q(resolved_day__isnull=False)),
        "reopened": Count("pk", filter=Q(reopened=True)),
        "complaints": Sum("complaints"),
        "surveys": Count("overall"),
        "promoters": Count("pk", filter=Q(overall=5)),
        "detractors": Count("pk", filter=Q(overall__lte=3)),
    }
    for field, short in SLA_METRICS:
        sums[f"{short}_n"] = Count(field)
        sums[f"{short}_met"] = Count("pk", filter=Q(**{field: True}))
    for name in RATING_FIELDS:
        sums[f"r_{name}_s"] = Sum(name)
        sums[f"r_{name}_n"] = Count(name)
    return (
        TicketFact.objects.filter(day__in=days, assignee_key__gt=0)
        .order_by()
        .annotate(**{f"k_{k}": v for k, v in TICKET_KEY.items()})
        .values(*(f"k_{k}" for k in STAFF_KEY))
        .annotate(**sums)
    )


def _histogram_groups(days: list[dt.date], field: str) -> Any:
    """Per day × agent × team × region × business minute: how many tickets, one grouped query."""
    return (
        TicketFact.objects.filter(day__in=days, assignee_key__gt=0, **{f"{field}__isnull": False})
        .order_by()
        .annotate(**{f"k_{k}": v for k, v in TICKET_KEY.items()}, minute=_minutes(field))
        .values(*(f"k_{k}" for k in STAFF_KEY), "minute")
        .annotate(n=Count("pk"))
    )


def _job_groups(days: list[dt.date]) -> Any:
    return (
        JobFact.objects.filter(day__in=days, technician_key__gt=0)
        .order_by()
        .annotate(**{f"k_{k}": v for k, v in JOB_KEY.items()})
        .values(*(f"k_{k}" for k in STAFF_KEY))
        .annotate(
            jobs=Count("pk"),
            jobs_done=Count("pk", filter=Q(done=True)),
            on_time_n=Count("on_time"),
            on_time=Count("pk", filter=Q(on_time=True)),
            ftf_n=Count("first_time_fix"),
            ftf=Count("pk", filter=Q(first_time_fix=True)),
            labour_hours=Sum("labour_hours"),
            parts_quantity=Sum("parts_quantity"),
        )
    )


def first_jobs(jobs: QuerySet[JobFact]) -> QuerySet[JobFact]:
    """The jobs that are their technician's first on their ticket (by day, then work order):
    where a technician's satisfaction counts a ticket's survey, once."""
    earlier_job = JobFact.objects.filter(ticket_key=OuterRef("ticket_key"), technician_key=OuterRef("technician_key")).filter(
        Q(day__lt=OuterRef("day")) | Q(day=OuterRef("day"), work_order_id__lt=OuterRef("work_order_id"))
    )
    return jobs.exclude(Exists(earlier_job))


def _technician_survey_groups(days: list[dt.date]) -> Any:
    """Per day × technician × team × region: the surveys of the tickets the technician worked
    on, each ticket once — on the day (and under the keys) of the technician's first job on it
    (``first_jobs``). The ratings are the ticket's (its latest answered survey, ``TicketFact``)."""
    ratings = TicketFact.objects.filter(ticket_id=OuterRef("ticket_key"))
    sums: dict[str, Any] = {
        "surveys": Count("pk"),
        "promoters": Count("pk", filter=Q(x_overall=5)),
        "detractors": Count("pk", filter=Q(x_overall__lte=3)),
    }
    for name in RATING_FIELDS:
        sums[f"r_{name}_s"] = Sum(f"x_{name}")
        sums[f"r_{name}_n"] = Count(f"x_{name}")
    return (
        first_jobs(JobFact.objects.filter(day__in=days, technician_key__gt=0))
        .order_by()
        .annotate(**{f"x_{name}": Subquery(ratings.values(name)[:1], output_field=BigIntegerField()) for name in RATING_FIELDS})
        .filter(Q(x_overall__isnull=False))
        .annotate(**{f"k_{k}": v for k, v in JOB_KEY.items()})
        .values(*(f"k_{k}" for k in STAFF_KEY))
        .annotate(**sums)
    )


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[f"k_{k}"] for k in STAFF_KEY)


def staff_day_rows(days: list[dt.date]) -> list[StaffDay]:
    """The StaffDay rows of these days, computed in the database: a few grouped queries whose
    rows number people × days (× minutes for the histograms), never tickets."""
    rows: dict[tuple[Any, ...], StaffDay] = {}

    def row(kind: str, key: tuple[Any, ...]) -> StaffDay:
        if (kind, key) not in rows:
            day, user, team, region = key
            rows[(kind, key)] = StaffDay(
                day=day, kind=kind, user_key=user, team_key=team, region_key=region, fr_minutes={}, res_minutes={}, ratings={}
            )
        return rows[(kind, key)]

    for g in _ticket_groups(days):
        r = row(StaffKind.AGENT, _key(g))
        for name in ("handled", "resolved", "reopened", "complaints", "surveys", "promoters", "detractors"):
            setattr(r, name, g[name] or 0)
        for _field, short in SLA_METRICS:
            setattr(r, f"{short}_n", g[f"{short}_n"])
            setattr(r, f"{short}_met", g[f"{short}_met"])
        r.ratings = _ratings(g)
    for field, target in (("fr_seconds", "fr_minutes"), ("res_seconds", "res_minutes")):
        for g in _histogram_groups(days, field):
            getattr(row(StaffKind.AGENT, _key(g)), target)[str(g["minute"])] = g["n"]
    for g in _job_groups(days):
        r = row(StaffKind.TECHNICIAN, _key(g))
        for name in ("jobs", "jobs_done", "on_time_n", "on_time", "ftf_n", "ftf"):
            setattr(r, name, g[name])
        r.labour_hours = g["labour_hours"] or Decimal("0")
        r.parts_quantity = g["parts_quantity"] or Decimal("0")
    for g in _technician_survey_groups(days):
        r = row(StaffKind.TECHNICIAN, _key(g))
        r.surveys, r.promoters, r.detractors = g["surveys"], g["promoters"], g["detractors"]
        r.ratings = _ratings(g)
    for g in complaint_groups(days):
        key = (g["c_day"], g["c_user_key"], g["c_team_key"], g["c_region_key"])
        r = row(g["c_kind"], key)
        r.complaints += g["n"]
    return list(rows.values())


def _ratings(g: dict[str, Any]) -> dict[str, list[int]]:
    return {name: [g[f"r_{name}_s"], g[f"r_{name}_n"]] for name in RATING_FIELDS if g[f"r_{name}_n"]}


def rebuild_staff_days(days: Iterable[dt.date]) -> int:
    """StaffDay rows of these days from the ticket and job facts (per chunk of days: delete and
    insert where they differ), and the ``StaffMonth`` rows of the people and months whose staff
    days changed; returns how many rows changed (0: the rollups were already right). The caller
    holds the transaction."""
    changed = 0
    for batch in _chunks(days):
        rows = staff_day_rows(batch)
        differing: list[dict[str, Any]] = []
        n = replace_rows(StaffDay.objects.filter(day__in=batch), rows, differing=differing)
        if n:
            # Only the people whose staff days differ: their months are a few dozen rows each.
            changed += n + staff_months_of({(row["day"], row["user_key"]) for row in differing})
    return changed


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


COST_FIELDS = ("cost_parts", "cost_labour", "cost_travel", "cost_refund", "cost_compensation")


def backlog_moment(now: dt.datetime) -> dt.datetime:
    """The moment a backlog count is taken as of: ``now`` to the second, so the age bands'
    bounds (``band_bounds``) are whole seconds, written exactly in the ticket list's links."""
    return now.replace(microsecond=0)


def band_bounds(at: dt.datetime, index: int) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Age band ``index`` as of ``at`` as registration times: (from, inclusive; before,
    exclusive), None for an open end — the ticket list's ``created_after`` / ``created_before``."""
    low = at - dt.timedelta(days=AGE_BANDS[index]) if index < len(AGE_BANDS) else None
    high = at - dt.timedelta(days=AGE_BANDS[index - 1]) if index > 0 else None
    return low, high


def rebuild_backlog(*, now: dt.datetime | None = None) -> int:
    """Recount the open tickets by status × age band × SLA state × region × category as of
    ``backlog_moment(now)`` (one grouped query over the open tickets; the partial index on open
    tickets serves it); returns how many cells changed (0 when the counts are the same as
    before: nothing is written)."""
    at = backlog_moment(now or timezone.now())
    bands: dict[str, Any] = {}
    for index in range(len(AGE_BANDS) + 1):
        low, high = band_bounds(at, index)
        condition = Q()
        if low is not None:
            condition &= Q(created_at__gte=low)
        if high is not None:
            condition &= Q(created_at__lt=high)
        bands[f"b{index}"] = Count("pk", filter=condition)
    grouped = (
        Ticket.objects.filter(status__in=OPEN_STATUS_LIST)
        .order_by()
        .values("status", "sla_state", "region_id", "category_id")
        .annotate(**bands)
    )
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for g in grouped:
        for index in range(len(AGE_BANDS) + 1):
            n = g[f"b{index}"]
            if n:
                counts[(g["status"], index, g["sla_state"] or "", g["region_id"] or 0, g["category_id"] or 0)] += n
    return replace_rows(
        BacklogCell.objects.all(),
        [
            BacklogCell(status=s, age_band=a, sla_state=st, region_key=r, category_key=c, n=n)
            for (s, a, st, r, c), n in counts.items()
        ],
    )
