"""Median and p90 of the minute histograms of many staff days, computed by the database.

A ``StaffDay`` keeps its business-time durations as a JSON histogram (minute → count). The KPI
table needs, per person (team, region) and for all of them, the median and p90 of the merged
histograms of a period: at 10 million tickets that is a few hundred thousand staff days of
~65 minutes each for a year. Merging them in Python took seconds; here one statement expands the
JSON (of staff days, and of staff months for the whole months of a period; ``jsonb_each_text`` on PostgreSQL, ``json_each`` on SQLite), sums per group and minute,
runs the cumulative counts as window sums and picks the ranks, returning one row per group.

The ranks are ``common.histogram_quantiles``'s, exactly: median = the middle value, or the mean
of the two middle ones for an even count; p90 = the nearest rank ⌈0.9·n⌉ (``(9n + 9) div 10``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import F, QuerySet

# The group of the all-rows total (a group key is never negative: keys are ids or 0).
TOTAL = -1

_EXPAND = {
    "postgresql": "CROSS JOIN LATERAL jsonb_each_text(s.h) AS e",
    "sqlite": "CROSS JOIN json_each(s.h) AS e",
}

_SQL = """
WITH merged AS (
    SELECT s.g AS g, CAST(e.key AS BIGINT) AS m, SUM(CAST(e.value AS BIGINT)) AS n
    FROM ({inner}) AS s {expand}
    GROUP BY s.g, CAST(e.key AS BIGINT)
), both_levels AS (
    SELECT g, m, n FROM merged
    UNION ALL
    SELECT {total} AS g, m, SUM(n) AS n FROM merged GROUP BY m
), ranked AS (
    SELECT g, m,
           CAST(SUM(n) OVER (PARTITION BY g ORDER BY m ROWS UNBOUNDED PRECEDING) AS BIGINT) AS seen,
           CAST(SUM(n) OVER (PARTITION BY g) AS BIGINT) AS total
    FROM both_levels
)
SELECT g,
       MIN(CASE WHEN seen >= (total + 1) / 2 THEN m END),
       MIN(CASE WHEN seen >= total / 2 + 1 THEN m END),
       MIN(CASE WHEN seen >= (9 * total + 9) / 10 THEN m END)
FROM ranked
GROUP BY g
"""


def grouped_quantiles(qs: QuerySet[Any] | Sequence[QuerySet[Any]], group: str, histogram: str) -> dict[int, tuple[float, float]]:
    """``{group key: (median, p90)}`` of the merged ``histogram`` JSON of the rows of ``qs``
    (or of several querysets together, e.g. staff months and the edge staff days of a period)
    per value of ``group``, and under ``TOTAL`` of all of them. Groups whose histograms are all
    empty are absent (the caller's "no figure")."""
    parts = [qs] if isinstance(qs, QuerySet) else list(qs)
    db = parts[0].db
    vendor = connections[db].vendor
    if vendor not in _EXPAND:  # the project runs on these two (docs/architecture.md)
        raise ImproperlyConfigured(f"The KPI quantiles need PostgreSQL or SQLite, not {vendor}.")
    inners: list[str] = []
    params: list[Any] = []
    for part in parts:
        inner, inner_params = part.order_by().values(g=F(group), h=F(histogram)).query.sql_with_params()
        inners.append(inner)
        params.extend(inner_params)
    sql = _SQL.format(inner=" UNION ALL ".join(inners), expand=_EXPAND[vendor], total=TOTAL)
    out: dict[int, tuple[float, float]] = {}
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        for key, low, high, p90 in cursor.fetchall():
            out[int(key)] = ((int(low) + int(high)) / 2, float(p90))
    return out
