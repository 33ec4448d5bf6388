"""The rollups the pages read, rebuilt from the facts for the days and months a refresh touched
(delete and insert: running it twice leaves the same rows)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from aftersales.tickets.models import Ticket
from aftersales.tickets.states import OPEN_STATUS_LIST

from ..models import BacklogCell, JobFact, MonthCube, StaffDay, StaffKind, TicketFact

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


def rebuild_staff_days(days: Iterable[dt.date]) -> int:
    """StaffDay rows of these days from the ticket and job facts; returns how many were written."""
    written = 0
    for batch in _chunks(days):
        rows: dict[tuple[Any, ...], StaffDay] = {}

        def row(key: tuple[Any, ...], rows: dict[tuple[Any, ...], StaffDay] = rows) -> StaffDay:
            if key not in rows:
                day, kind, user, team, region = key
                rows[key] = StaffDay(
                    day=day, kind=kind, user_key=user, team_key=team, region_key=region, fr_minutes={}, res_minutes={}, ratings={}
                )
            return rows[key]

        for f in TicketFact.objects.filter(day__in=batch, assignee_key__gt=0).iterator(chunk_size=2000):
            r = row((f.day, StaffKind.AGENT, f.assignee_key, f.team_key, f.region_key))
            r.handled += 1
            r.resolved += f.resolved_day is not None
            r.reopened += f.reopened
            r.complaints += f.complaints
            for met, n_name, met_name in (
                (f.fr_met, "fr_n", "fr_met"),
                (f.solution_met, "solution_n", "solution_met"),
                (f.res_met, "res_n", "res_met"),
            ):
                if met is not None:
                    setattr(r, n_name, getattr(r, n_name) + 1)
                    setattr(r, met_name, getattr(r, met_name) + int(met))
            if f.fr_seconds is not None:
                key = minute_key(f.fr_seconds)
                r.fr_minutes[key] = r.fr_minutes.get(key, 0) + 1
            if f.res_seconds is not None:
                key = minute_key(f.res_seconds)
                r.res_minutes[key] = r.res_minutes.get(key, 0) + 1
            if f.overall is not None:
                r.surveys += 1
                r.promoters += f.overall == 5
                r.detractors += f.overall <= 3
            for name in RATING_FIELDS:
                value = getattr(f, name)
                if value is not None:
                    total, n = r.ratings.get(name, [0, 0])
                    r.ratings[name] = [total + value, n + 1]
        for j in JobFact.objects.filter(day__in=batch, technician_key__gt=0).iterator(chunk_size=2000):
            r = row((j.day, StaffKind.TECHNICIAN, j.technician_key, j.team_key, j.region_key))
            r.jobs += 1
            r.jobs_done += j.done
            if j.on_time is not None:
                r.on_time_n += 1
                r.on_time += j.on_time
            if j.first_time_fix is not None:
                r.ftf_n += 1
                r.ftf += j.first_time_fix
            r.labour_hours += j.labour_hours
            r.parts_quantity += j.parts_quantity
        StaffDay.objects.filter(day__in=batch).delete()
        StaffDay.objects.bulk_create(rows.values(), batch_size=1000)
        written += len(rows)
    return written


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


COST_FIELDS = ("cost_parts", "cost_labour", "cost_travel", "cost_refund", "cost_compensation")


def rebuild_months(months: Iterable[dt.date]) -> int:
    """MonthCube rows of these months (tickets by registration month)."""
    written = 0
    for month in sorted(set(months)):
        grouped = (
            TicketFact.objects.filter(day__gte=month, day__lt=_next_month(month))
            .order_by()
            .values("region_key", "category_key", "channel", "model_key")
            .annotate(
                intake=Count("pk"),
                resolved=Count("pk", filter=Q(resolved_day__isnull=False)),
                surveys=Count("pk", filter=Q(overall__isnull=False)),
                overall_sum=Sum("overall"),
                promoters=Count("pk", filter=Q(overall=5)),
                detractors=Count("pk", filter=Q(overall__lte=3)),
                costed=Count("pk", filter=Q(cost_total__gt=0)),
                **{f"s_{name}": Sum(name) for name in COST_FIELDS},
            )
        )
        cells = [
            MonthCube(
                month=month,
                region_key=g["region_key"],
                category_key=g["category_key"],
                channel=g["channel"],
                model_key=g["model_key"],
                intake=g["intake"],
                resolved=g["resolved"],
                surveys=g["surveys"],
                overall_sum=g["overall_sum"] or 0,
                promoters=g["promoters"],
                detractors=g["detractors"],
                costed=g["costed"],
                **{name: g[f"s_{name}"] or Decimal("0") for name in COST_FIELDS},
            )
            for g in grouped
        ]
        MonthCube.objects.filter(month=month).delete()
        MonthCube.objects.bulk_create(cells, batch_size=1000)
        written += len(cells)
    return written


def rebuild_backlog(*, now: dt.datetime | None = None) -> int:
    """Recount the open tickets by status × age band × SLA state × region × category (one
    grouped query over the open tickets; the partial index on open tickets serves it)."""
    now = now or timezone.now()
    bounds = [now - dt.timedelta(days=d) for d in AGE_BANDS]
    bands: dict[str, Any] = {}
    for index in range(len(AGE_BANDS) + 1):
        condition = Q()
        if index < len(AGE_BANDS):
            condition &= Q(created_at__gt=bounds[index])
        if index > 0:
            condition &= Q(created_at__lte=bounds[index - 1])
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
    BacklogCell.objects.all().delete()
    BacklogCell.objects.bulk_create(
        [
            BacklogCell(status=s, age_band=a, sla_state=st, region_key=r, category_key=c, n=n)
            for (s, a, st, r, c), n in counts.items()
        ],
        batch_size=1000,
    )
    return len(counts)
