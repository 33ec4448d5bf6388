"""Fault figures per product model: the overview's table of models and the fault counts the
management dashboard's "top faults by model" shows (``selectors.fault_counts_by_model``).

Both count the same **fault tickets** as every quality figure (``fieldservice.ftf.fault_ticket_q``,
kept in ``FaultRecord`` by the rollup job) in the same whole weeks, read from the same summaries
(``statistics._grouped``), so a model's figure agrees wherever it is shown.

- **Fault rate per model** = faulty units (their first fault in the period) ÷ units shipped of the
  model (every batch, ``catalog.ShipmentVolume``; the region's rows under a region filter), as the
  fault rate per batch counts it.
- **Trend**: faulty units per 1,000 units in the field in the last ``TREND_WEEKS`` whole weeks up
  to the period's end (or today), against the ``TREND_WEEKS`` weeks before; units in the field =
  shipped up to the window's last month. Read from the week rows of the "total" summary.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Q, Sum

from aftersales.catalog.models import ProductModel
from aftersales.core import clock

from .models import FaultRecord, FaultSummary, SummaryGrain
from .rollup import monday
from .statistics import StatFilters, _counts, _grouped, _place_q, _shipments

TREND_WEEKS = 13
MAX_ROWS = 100


@dataclass(frozen=True)
class ModelFaultCount:
    """Fault tickets and faulty units (first faults) of one product model."""

    model_id: int
    code: str
    name: str
    tickets: int
    faulty_units: int

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}".strip()


@dataclass(frozen=True)
class Trend:
    """Faulty units per 1,000 units in the field: the last ``TREND_WEEKS`` weeks and the ones before."""

    first_week: dt.date  # the Monday of the earlier window's first week
    last_week: dt.date  # the Monday of the later window's last week
    previous: float | None
    recent: float | None

    @property
    def direction(self) -> str:
        """ "up", "down", "flat", or "" when a window has no units in the field."""
        if self.previous is None or self.recent is None:
            return ""
        if self.recent > self.previous:
            return "up"
        return "down" if self.recent < self.previous else "flat"


@dataclass(frozen=True)
class ModelRate:
    model_id: int
    code: str
    name: str
    tickets: int
    faulty_units: int
    shipped: int | None  # None: no shipment volume recorded for the model
    trend: Trend

    @property
    def per_thousand(self) -> float | None:
        """Faulty units per 1,000 units shipped; None without shipments."""
        return 1000.0 * self.faulty_units / self.shipped if self.shipped else None


def _names(ids: set[int]) -> dict[int, tuple[str, str]]:
    return {pk: (code, name) for pk, code, name in ProductModel.objects.filter(pk__in=ids).values_list("pk", "code", "name")}


def _trend_weeks(filters: StatFilters, today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """The Mondays of the earlier window's first week, the later window's first and its last week:
    the last whole week (Monday to Sunday) on or before the period's end or today."""
    end = min(filters.until or today, today)
    last = monday(end + dt.timedelta(days=1)) - dt.timedelta(weeks=1)
    recent = last - dt.timedelta(weeks=TREND_WEEKS - 1)
    return recent - dt.timedelta(weeks=TREND_WEEKS), recent, last


def _first_faults_by_window(filters: StatFilters, first: dt.date, recent: dt.date, last: dt.date) -> dict[int, tuple[int, int]]:
    """Per model: first faults in the earlier window and in the later one."""
    if filters.scoped_out:
        return {}
    earlier, later = Q(week__lt=recent), Q(week__gte=recent)
    rows: Iterable[dict[str, Any]]
    if filters.batch is not None:  # the batch is a key of FaultCount, not of the "total" summary
        rows = (
            _counts(replace(filters, since=first, until=last + dt.timedelta(days=6)))
            .values("model_id")
            .annotate(a=Sum("units", filter=earlier), b=Sum("units", filter=later))
        )
    else:
        rows = (
            FaultSummary.objects.filter(_place_q(filters), dimension="total", grain=SummaryGrain.WEEK)
            .filter(period__gte=first, period__lte=last)
            .order_by()
            .values("model_id")
            .annotate(a=Sum("units", filter=Q(period__lt=recent)), b=Sum("units", filter=Q(period__gte=recent)))
        )
    return {r["model_id"]: (int(r["a"] or 0), int(r["b"] or 0)) for r in rows if r["model_id"] is not None}


def _per_thousand(faulty: int, in_field: int) -> float | None:
    return 1000.0 * faulty / in_field if in_field else None


def model_fault_rates(filters: StatFilters, *, today: dt.date | None = None) -> list[ModelRate]:
    """Per product model: fault tickets, faulty units, units shipped, the rate and its trend; most
    fault tickets first (as the management dashboard ranks them), then the model's code."""
    today = today or clock.local_today()
    faults = {key[0]: sums for key, sums in _grouped(filters, "total", ("model",)).items() if key[0] is not None}
    shipped: dict[int, int] = {}
    in_field: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for row in _shipments(filters).values("model_id", "month").annotate(n=Sum("units")):
        n = int(row["n"] or 0)
        shipped[row["model_id"]] = shipped.get(row["model_id"], 0) + n
        in_field[row["model_id"]][row["month"]] = n
    first, recent, last = _trend_weeks(filters, today)
    windows = _first_faults_by_window(filters, first, recent, last)
    ends = ((recent - dt.timedelta(days=1)).replace(day=1), (last + dt.timedelta(days=6)).replace(day=1))
    names = _names(set(faults) | set(shipped))
    rows = []
    for model_id in set(faults) | set(shipped):
        tickets, units, _unitless = faults.get(model_id, (0, 0, 0))
        before, after = windows.get(model_id, (0, 0))
        months = in_field.get(model_id, {})
        field_then, field_now = (sum(n for month, n in months.items() if month <= end) for end in ends)
        code, name = names.get(model_id, (f"#{model_id}", ""))
        rows.append(
            ModelRate(
                model_id=model_id,
                code=code,
                name=name,
                tickets=tickets,
                faulty_units=units,
                shipped=shipped.get(model_id) or None,
                trend=Trend(
                    first_week=first,
                    last_week=last,
                    previous=_per_thousand(before, field_then),
                    recent=_per_thousand(after, field_now),
                ),
            )
        )
    rows.sort(key=lambda r: (-r.tickets, r.code))
    return rows[:MAX_ROWS]


def fault_counts(
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    region_id: int | None = None,
    product_category_id: int | None = None,
    ticket_category_id: int | None = None,
    limit: int = 10,
) -> list[ModelFaultCount]:
    """The models with the most fault tickets in the weeks from monday(since) to until (whole weeks,
    as every quality figure counts a period), in one region or every region (None). Read from the
    summaries; under a ticket (complaint) category, which the summaries do not keep, from the
    fault records of those weeks joined to their tickets."""
    filters = StatFilters(since=since, until=until, region_id=region_id, category_id=product_category_id)
    if ticket_category_id is None:
        sums = [(key[0], t, u) for key, (t, u, _nu) in _grouped(filters, "total", ("model",)).items() if key[0] is not None]
    else:
        records = FaultRecord.objects.filter(ticket__category_id=ticket_category_id, model__isnull=False)
        if since is not None:
            records = records.filter(week__gte=monday(since))
        if until is not None:
            records = records.filter(week__lte=until)
        if region_id is not None:
            records = records.filter(region_id=region_id)
        if product_category_id is not None:
            records = records.filter(product_category_id=product_category_id)
        sums = [
            (r["model_id"], r["t"], r["u"])
            for r in records.order_by()
            .values("model_id")
            .annotate(t=Count("ticket_id"), u=Count("ticket_id", filter=Q(first_of_unit=True)))
        ]
    top = sorted((s for s in sums if s[1]), key=lambda s: (-s[1], s[0]))[:limit]
    names = _names({model_id for model_id, _t, _u in top})
    return [
        ModelFaultCount(
            model_id=model_id,
            code=names.get(model_id, (f"#{model_id}", ""))[0],
            name=names.get(model_id, ("", ""))[1],
            tickets=int(t),
            faulty_units=int(u),
        )
        for model_id, t, u in top
    ]
