"""``StaffMonth``: each month's ``StaffDay`` rows summed per person × team × region, rebuilt
from the staff days (never the facts), so a month row is exactly the sum of its days and the KPI
page's figures are the same whichever rows it reads.

``rebuild_staff_days`` calls ``rebuild_staff_months`` for the months and people whose staff
days it rewrote, in its transaction: the two tables never disagree at a commit. A person's month
is a few dozen staff days (their index on user × day), so the periodic refresh rebuilds a month
row per person it touched, not whole months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.models import F, Min, QuerySet, Sum

from ..models import STAFF_RATING_SUMS, STAFF_RATINGS, STAFF_SUMMED, StaffDay, StaffMonth
from .rows import replace_rows

KEY = ("kind", "user_key", "team_key", "region_key")
HISTOGRAMS = ("fr_minutes", "res_minutes")
USERS_PER_QUERY = 500

_EXPAND = {
    "postgresql": "CROSS JOIN LATERAL jsonb_each_text(s.h) AS e",
    "sqlite": "CROSS JOIN json_each(s.h) AS e",
}
_MERGE_SQL = """
SELECT s.kind, s.user_key, s.team_key, s.region_key, CAST(e.key AS BIGINT), SUM(CAST(e.value AS BIGINT))
FROM ({inner}) AS s {expand}
GROUP BY s.kind, s.user_key, s.team_key, s.region_key, CAST(e.key AS BIGINT)
"""


def next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _merged(days: QuerySet[StaffDay], histogram: str) -> Iterable[tuple[Any, ...]]:
    """(kind, user, team, region, minute, count) of the merged ``histogram`` of these rows."""
    vendor = connections[days.db].vendor
    if vendor not in _EXPAND:
        raise ImproperlyConfigured(f"The staff months need PostgreSQL or SQLite, not {vendor}.")
    inner, params = days.order_by().values(*KEY, h=F(histogram)).query.sql_with_params()
    with connections[days.db].cursor() as cursor:
        cursor.execute(_MERGE_SQL.format(inner=inner, expand=_EXPAND[vendor]), params)
        return cursor.fetchall()


def staff_month_rows(month: dt.date, users: list[int] | None = None) -> list[StaffMonth]:
    """The StaffMonth rows of ``month`` (of ``users`` only, if given), summed by the database."""
    days = StaffDay.objects.filter(day__gte=month, day__lt=next_month(month))
    if users is not None:
        days = days.filter(user_key__in=users)
    rows: dict[tuple[Any, ...], StaffMonth] = {}
    for g in days.order_by().values(*KEY).annotate(**{f"s_{name}": Sum(name) for name in STAFF_SUMMED}, **STAFF_RATING_SUMS):
        row = StaffMonth(month=month, **{k: g[k] for k in KEY}, fr_minutes={}, res_minutes={}, ratings={})
        for name in STAFF_SUMMED:
            setattr(row, name, g[f"s_{name}"] or 0)
        row.ratings = {name: [g[f"r_{name}_total"] or 0, g[f"r_{name}_n"]] for name in STAFF_RATINGS if g[f"r_{name}_n"]}
        rows[tuple(g[k] for k in KEY)] = row
    for histogram in HISTOGRAMS:
        for kind, user, team, region, minute, n in _merged(days, histogram):
            getattr(rows[(kind, user, team, region)], histogram)[str(minute)] = int(n)
    return list(rows.values())


def rebuild_staff_months(month: dt.date, users: Iterable[int] | None = None) -> int:
    """Rebuild the StaffMonth rows of ``month`` from its staff days — every person's, or those
    of ``users`` — where they differ; returns how many rows changed. The caller holds the
    transaction."""
    if users is None:
        return replace_rows(StaffMonth.objects.filter(month=month), staff_month_rows(month))
    changed = 0
    ordered = sorted(set(users))
    for start in range(0, len(ordered), USERS_PER_QUERY):
        batch = ordered[start : start + USERS_PER_QUERY]
        changed += replace_rows(StaffMonth.objects.filter(month=month, user_key__in=batch), staff_month_rows(month, batch))
    return changed


def staff_months_of(pairs: Iterable[tuple[dt.date, int]]) -> int:
    """Rebuild the StaffMonth rows of these (day, user) pairs' months and users."""
    by_month: dict[dt.date, set[int]] = {}
    for day, user in pairs:
        by_month.setdefault(day.replace(day=1), set()).add(user)
    return sum(rebuild_staff_months(month, users) for month, users in sorted(by_month.items()))


def _months_with_rows() -> list[dt.date]:
    """Every month that has staff days or staff months: one probe of the day (month) index per
    month found."""
    months: set[dt.date] = set()
    for qs, column in ((StaffDay.objects.all(), "day"), (StaffMonth.objects.all(), "month")):
        last: dt.date | None = None
        while True:
            found = (qs if last is None else qs.filter(**{f"{column}__gte": next_month(last)})).aggregate(first=Min(column))[
                "first"
            ]
            if found is None:
                break
            last = found.replace(day=1)
            months.add(last)
    return sorted(months)


def rebuild_all_staff_months(*, atomic: bool = True, progress: Callable[[dt.date, int], None] | None = None) -> int:
    """Rebuild every month's StaffMonth rows from the staff days (one transaction per month with
    ``atomic``, else in the caller's); returns how many rows changed. Used when the table is
    first built (``RefreshState.staff_months_ready``) and by bench/analytics_synthetic.py on a
    filled database."""
    written = 0
    for month in _months_with_rows():
        if atomic:
            with transaction.atomic():
                n = rebuild_staff_months(month)
        else:
            n = rebuild_staff_months(month)
        written += n
        if progress:
            progress(month, n)
    return written
