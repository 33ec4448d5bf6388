"""The management dashboard's rollups (``MonthTotal``, ``MonthChannel``, ``MonthModel``), rebuilt
per month from the ticket facts (tickets by registration month; delete and insert, so running it
twice leaves the same rows).

One grouped query per month reads the facts at the finest grain the dashboard filters and groups
on (region × category × channel × model); Python then sums those cells — never tickets — into
each rollup at the four levels of region × category (``models.LEVEL_*``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from ..models import (
    LEVEL_ALL,
    LEVEL_CATEGORY,
    LEVEL_CELL,
    LEVEL_REGION,
    MonthChannel,
    MonthModel,
    MonthTotal,
    TicketFact,
)
from .rollups import COST_FIELDS
from .rows import replace_rows

TOTAL_COUNTS = ("intake", "resolved", "surveys", "overall_sum", "promoters", "detractors", "costed")
ROLLUPS = (MonthTotal, MonthChannel, MonthModel)
ZERO = Decimal("0")


def next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _levels(region: int, category: int) -> tuple[tuple[int, int, int], ...]:
    """(level, region_key, category_key) of every row a cell of this region and category adds to."""
    return ((LEVEL_CELL, region, category), (LEVEL_REGION, region, 0), (LEVEL_CATEGORY, 0, category), (LEVEL_ALL, 0, 0))


def _cells(month: dt.date) -> Any:
    return (
        TicketFact.objects.filter(day__gte=month, day__lt=next_month(month))
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


def month_rows(month: dt.date) -> tuple[list[MonthTotal], list[MonthChannel], list[MonthModel]]:
    """The rollup rows of one month, from one grouped query over its facts."""
    return roll_up(month, _cells(month))


def roll_up(month: dt.date, cells: Iterable[dict[str, Any]]) -> tuple[list[MonthTotal], list[MonthChannel], list[MonthModel]]:
    """The rollup rows of one month from its cells (dicts keyed by region_key, category_key,
    channel, model_key, the ``TOTAL_COUNTS`` and ``s_<cost field>``)."""
    totals: dict[tuple[int, int, int], dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    channels: dict[tuple[int, int, int, str], int] = defaultdict(int)
    models: dict[tuple[int, int, int, int], dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for cell in cells:
        costs = {name: cell[f"s_{name}"] or ZERO for name in COST_FIELDS}
        for key in _levels(cell["region_key"], cell["category_key"]):
            total = totals[key]
            for name in TOTAL_COUNTS:
                total[name] += cell[name] or 0
            channels[(*key, cell["channel"])] += cell["intake"]
            model = models[(*key, cell["model_key"])]
            model["intake"] += cell["intake"]
            for name in COST_FIELDS:
                total[name] += costs[name]
                model[name] += costs[name]
    return (
        [MonthTotal(month=month, level=lv, region_key=r, category_key=c, **v) for (lv, r, c), v in totals.items()],
        [
            MonthChannel(month=month, level=lv, region_key=r, category_key=c, channel=ch, intake=n)
            for (lv, r, c, ch), n in channels.items()
        ],
        [
            MonthModel(month=month, level=lv, region_key=r, category_key=c, model_key=m, **v)
            for (lv, r, c, m), v in models.items()
        ],
    )


def rebuild_months(months: Iterable[dt.date]) -> int:
    """The dashboard's rollup rows of these months (first days), rewritten where they differ;
    returns how many rows changed (0: they were already right). The caller holds the
    transaction."""
    changed = 0
    for month in sorted(set(months)):
        totals, channels, models = month_rows(month)
        changed += replace_rows(MonthTotal.objects.filter(month=month), totals)
        changed += replace_rows(MonthChannel.objects.filter(month=month), channels)
        changed += replace_rows(MonthModel.objects.filter(month=month), models)
    return changed
