"""Staff KPIs (考核) per agent, technician, team or region for a period, from ``StaffMonth`` for
its whole months and ``StaffDay`` for the other days (``staff_rows``).

Queries over the rollup (rows per person per day, never tickets), all grouped by the database:
counts and rating sums add up, durations merge their minute histograms so medians and p90 are
exact to the minute (``histograms.grouped_quantiles``). Definitions
in docs/kpis.md. The caller sees their own row, supervisors the rows of their scope
(``common.staff_reach``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from aftersales.accounts.models import Region, Team, User

from ..models import STAFF_RATING_SUMS, STAFF_RATINGS, STAFF_SUMMED, RefreshState, StaffDay, StaffKind, StaffMonth
from .common import Period, rate, staff_reach
from .histograms import TOTAL, grouped_quantiles

GROUPS = ("person", "team", "region")
RATINGS = STAFF_RATINGS
RATING_SUMS = STAFF_RATING_SUMS
SUMMED = STAFF_SUMMED


@dataclass
class KpiRow:
    key: int
    label: str
    handled: int = 0
    resolved: int = 0
    reopened: int = 0
    complaints: int = 0
    fr_n: int = 0
    fr_met: int = 0
    solution_n: int = 0
    solution_met: int = 0
    res_n: int = 0
    res_met: int = 0
    surveys: int = 0
    promoters: int = 0
    detractors: int = 0
    jobs: int = 0
    jobs_done: int = 0
    on_time: int = 0
    on_time_n: int = 0
    ftf: int = 0
    ftf_n: int = 0
    labour_hours: Decimal = Decimal("0")
    parts_quantity: Decimal = Decimal("0")
    # Per rating: [sum of the scores, number of scores] (the staff days' ``ratings`` summed).
    rating_sums: dict[str, list[int]] = field(default_factory=dict)

    # Derived figures (``finish``): minutes of business time, percentages, averages.
    fr_median: float | None = None
    fr_p90: float | None = None
    res_median: float | None = None
    res_p90: float | None = None
    fr_rate: float | None = None
    solution_rate: float | None = None
    res_rate: float | None = None
    reopen_rate: float | None = None
    csat: dict[str, float | None] = field(default_factory=dict)
    # Share of the overall ratings (1–5) that are 4 or 5: a CSAT figure, not an NPS (the NPS is
    # the 0–10 question of the revisit calls, docs/kpis.md).
    satisfied_rate: float | None = None
    on_time_rate: float | None = None
    ftf_rate: float | None = None

    def add_sums(self, sums: dict[str, Any]) -> None:
        """Add one group's summed counters (``SUMMED``)."""
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + (sums[name] or 0))

    def add_ratings(self, sums: dict[str, Any]) -> None:
        """Add one group's summed rating totals and counts (``RATING_SUMS``)."""
        for name in RATINGS:
            mine = self.rating_sums.setdefault(name, [0, 0])
            mine[0] += sums[f"r_{name}_total"] or 0
            mine[1] += sums[f"r_{name}_n"] or 0

    def set_quantiles(self, fr: tuple[float, float] | None, res: tuple[float, float] | None) -> None:
        self.fr_median, self.fr_p90 = fr or (None, None)
        self.res_median, self.res_p90 = res or (None, None)

    def finish(self) -> KpiRow:
        self.fr_rate = rate(self.fr_met, self.fr_n)
        self.solution_rate = rate(self.solution_met, self.solution_n)
        self.res_rate = rate(self.res_met, self.res_n)
        self.reopen_rate = rate(self.reopened, self.handled)
        self.csat = {
            name: (
                round(self.rating_sums[name][0] / self.rating_sums[name][1], 2) if self.rating_sums.get(name, [0, 0])[1] else None
            )
            for name in RATINGS
        }
        self.satisfied_rate = rate(self.surveys - self.detractors, self.surveys)
        self.on_time_rate = rate(self.on_time, self.on_time_n)
        self.ftf_rate = rate(self.ftf, self.ftf_n)
        return self


@dataclass(frozen=True)
class KpiTable:
    kind: str
    group: str
    period: Period
    rows: list[KpiRow]
    total: KpiRow


def _labels(group: str, keys: set[int]) -> dict[int, str]:
    if group == "team":
        return {t.pk: str(t) for t in Team.objects.filter(pk__in=keys)}
    if group == "region":
        return {r.pk: str(r) for r in Region.objects.filter(pk__in=keys)}
    return staff_labels(keys)


def staff_labels(keys: set[int]) -> dict[int, str]:
    """Person key → how the pages name them (``User.label``: display name, else full name, else
    user name), read as values."""
    people = User.objects.filter(pk__in=keys).values_list("pk", "display_name", "first_name", "last_name", "username")
    return {pk: User.label(display, first, last, username) for pk, display, first, last, username in people}


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def whole_months(period: Period) -> tuple[dt.date, dt.date] | None:
    """The first days of the first whole month of the period and of the month after its last
    whole month (``[first, after)``), or None when the period holds no whole month."""
    first = period.start if period.start.day == 1 else _next_month(period.start)
    after = _next_month(period.end) if (period.end + dt.timedelta(days=1)).day == 1 else period.end.replace(day=1)
    return (first, after) if first < after else None


def staff_months_ready() -> bool:
    return RefreshState.objects.filter(name="default", staff_months_ready=True).exists()


def staff_rows(period: Period, *, use_months: bool | None = None) -> list[QuerySet[Any]]:
    """The rollup rows that sum to ``period``: its whole months from ``StaffMonth`` and the other
    days from ``StaffDay`` (all days from ``StaffDay`` with ``use_months=False``, or while the
    month rollup is not built yet)."""
    months = whole_months(period)
    if use_months is None:
        use_months = months is not None and staff_months_ready()
    if not use_months or months is None:
        return [StaffDay.objects.filter(day__gte=period.start, day__lte=period.end)]
    first, after = months
    parts: list[QuerySet[Any]] = [StaffMonth.objects.filter(month__gte=first, month__lt=after)]
    edges = Q()
    if period.start < first:
        edges |= Q(day__gte=period.start, day__lt=first)
    if after <= period.end:
        edges |= Q(day__gte=after, day__lte=period.end)
    if edges:
        parts.append(StaffDay.objects.filter(edges))
    return parts


def kpi_table_for_user(
    *,
    user: User,
    period: Period,
    kind: str = StaffKind.AGENT,
    group: str = "person",
    region: int | None = None,
    team: int | None = None,
    use_months: bool | None = None,
) -> KpiTable:
    """The KPI rows ``user`` may see for the period, one per person, team or region, with the
    total of those rows. ``region`` / ``team`` narrow the rows further. ``use_months=False``
    reads staff days only (the figures are the same; the tests compare both)."""
    return kpi_table(
        reach=staff_reach(user, person="user_key"),
        period=period,
        kind=kind,
        group=group,
        region=region,
        team=team,
        use_months=use_months,
    )


def kpi_table(
    *,
    reach: Q,
    period: Period,
    kind: str = StaffKind.AGENT,
    group: str = "person",
    region: int | None = None,
    team: int | None = None,
    use_months: bool | None = None,
) -> KpiTable:
    """``kpi_table_for_user`` for the rows of ``reach`` (a filter on the rollups' user, team and
    region keys: ``Q()`` for everything, as the refresh job's cache warming asks)."""
    kind = kind if kind in StaffKind.values else StaffKind.AGENT
    group = group if group in GROUPS else "person"
    narrow = Q(kind=kind)
    if region is not None:
        narrow &= Q(region_key=region)
    if team is not None:
        narrow &= Q(team_key=team)
    parts = [qs.filter(reach).filter(narrow) for qs in staff_rows(period, use_months=use_months)]
    column = {"person": "user_key", "team": "team_key", "region": "region_key"}[group]
    rows: dict[int, KpiRow] = {}
    total = KpiRow(key=0, label=_("Total"))
    # Everything is summed by the database, one row per person, team or region (and per table
    # read: staff months and edge days add up): the counters, the rating sums (JSON [total, n]
    # per rating) and, in one statement per duration, the medians and p90 of the merged minute
    # histograms.
    for qs in parts:
        for sums in qs.order_by().values(column).annotate(**{name: Sum(name) for name in SUMMED}, **RATING_SUMS):
            key = sums[column]
            row = rows.setdefault(key, KpiRow(key=key, label=""))
            row.add_sums(sums)
            row.add_ratings(sums)
            total.add_sums(sums)
            total.add_ratings(sums)
    if rows:
        fr = grouped_quantiles(parts, column, "fr_minutes")
        res = grouped_quantiles(parts, column, "res_minutes")
        for key, row in rows.items():
            row.set_quantiles(fr.get(key), res.get(key))
        total.set_quantiles(fr.get(TOTAL), res.get(TOTAL))
    labels = _labels(group, set(rows))
    for key, row in rows.items():
        row.label = labels.get(key) or (_("None") if key == 0 else f"#{key}")
        row.finish()
    ordered = sorted(rows.values(), key=lambda r: (-r.handled - r.jobs, r.label))
    return KpiTable(kind=kind, group=group, period=period, rows=ordered, total=total.finish())


def kpi_row_as_dict(row: KpiRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "handled": row.handled,
        "resolved": row.resolved,
        "first_response_median_minutes": row.fr_median,
        "first_response_p90_minutes": row.fr_p90,
        "resolution_median_minutes": row.res_median,
        "resolution_p90_minutes": row.res_p90,
        "first_response_sla_percent": row.fr_rate,
        "solution_sla_percent": row.solution_rate,
        "resolution_sla_percent": row.res_rate,
        "csat": row.csat,
        "surveys": row.surveys,
        "satisfied_percent": row.satisfied_rate,
        # No NPS per person: the 1–5 survey gives none (docs/kpis.md). Kept null for the API's
        # schema until it drops the field.
        "nps": None,
        "reopened": row.reopened,
        "reopen_rate_percent": row.reopen_rate,
        "complaints": row.complaints,
        "jobs": row.jobs,
        "jobs_done": row.jobs_done,
        "on_time_arrival_percent": row.on_time_rate,
        "first_time_fix_percent": row.ftf_rate,
        "labour_hours": float(row.labour_hours),
        "parts_used": float(row.parts_quantity),
    }
