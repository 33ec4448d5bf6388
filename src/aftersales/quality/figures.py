"""The quality pages' charts (core/charts.py) from the statistics, each row linked to its tickets."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from aftersales.core import charts
from aftersales.tickets.choices import Cause

from .checks import CheckResult
from .statistics import BatchRate, ControlPoint, DimensionCount, StatFilters, TimeToFailure

TOP_BATCHES = 15


def tickets_url(filters: StatFilters, **cell: Any) -> str:
    """The quality page listing the tickets behind a figure."""
    query = filters.query()
    query.update({k: ("" if v is None else v) for k, v in cell.items()})
    return reverse("quality:tickets") + "?" + urlencode(query)


def batch_url(filters: StatFilters, row: BatchRate) -> str:
    return tickets_url(filters, model=row.model_id or "", batch=row.batch)


def batch_chart(filters: StatFilters, rows: list[BatchRate]) -> charts.Chart:
    shown = [r for r in rows if r.rate is not None][:TOP_BATCHES]
    return charts.bar(
        _("Faulty units per 1,000 shipped, by batch"),
        [f"{r.batch} {r.model}" for r in shown],  # the batch first: a long label is cut at its end
        {_("per 1,000 units"): [r.per_thousand for r in shown]},
        urls=[batch_url(filters, r) for r in shown],
        value_format=".2f",
        label_column=_("Batch"),
    )


def cause_label(key: str) -> str:
    return str(dict(Cause.choices).get(key, key))


def pareto_chart(filters: StatFilters, dimension: str, rows: list[DimensionCount]) -> charts.Chart:
    title = _("Pareto of causes") if dimension == "cause" else _("Pareto of components")
    labels = [cause_label(r.label) if dimension == "cause" else r.label for r in rows]
    return charts.pareto(
        title,
        labels,
        [r.tickets for r in rows],
        count_name=_("Fault tickets"),
        cumulative_name=_("Cumulative %"),
        urls=[tickets_url(filters, **{dimension: r.key}) for r in rows],
        label_column=_("Cause") if dimension == "cause" else _("Component"),
    )


def control_chart(filters: StatFilters, points: list[ControlPoint]) -> charts.Chart:
    return charts.control_chart(
        _("Weekly fault rate (p-chart)"),
        [p.week.isoformat() for p in points],
        [p.p for p in points],
        centre=[p.centre for p in points],
        upper=[p.upper for p in points],
        lower=[p.lower for p in points],
        names={
            "value": _("Fault rate"),
            "centre": _("Centre line"),
            "upper": _("Upper control limit"),
            "lower": _("Lower control limit"),
            "outside": _("Out of control"),
        },
        urls=[tickets_url(filters, week=p.week.isoformat(), first=1) for p in points],
        value_format=".5f",
        label_column=_("Week"),
    )


def ttf_chart(filters: StatFilters, ttf: TimeToFailure) -> charts.Chart:
    months = ttf.months
    return charts.line(
        _("Claims per 1,000 units by months in service"),
        [str(m.month) for m in months],
        {
            _("Claims per 1,000 units"): [m.per_thousand for m in months],
            _("Units without a fault (%)"): [None if m.survival is None else 100.0 * m.survival for m in months],
        },
        urls=[tickets_url(filters, mis=m.month) for m in months],
        value_format=".2f",
        label_column=_("Months in service"),
    )


def check_chart(result: CheckResult | None, detail: dict[str, Any]) -> charts.Chart | None:
    batches = detail.get("batches") or []
    if not batches:
        return None
    before = [None if b["after"] or not b["shipped"] else 1000.0 * b["faulty_units"] / b["shipped"] for b in batches]
    after = [None if not b["after"] or not b["shipped"] else 1000.0 * b["faulty_units"] / b["shipped"] for b in batches]
    return charts.bar(
        _("Faulty units per 1,000 shipped, batches before and after the change"),
        [b["batch"] for b in batches],
        {_("Before the change"): before, _("After the change"): after},
        value_format=".2f",
        label_column=_("Batch"),
    )
