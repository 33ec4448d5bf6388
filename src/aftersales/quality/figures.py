"""The quality pages' charts (core/charts.py) from the statistics, each row linked to its tickets."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.core import charts
from aftersales.tickets.choices import Cause

from .by_model import ModelRate
from .checks import CheckResult
from .rates import GroupRate, GroupRates
from .statistics import MIN_EXPECTED, PPM, BatchRate, ControlPoint, DimensionCount, StatFilters, TimeToFailure

TOP_BATCHES = 15


def tickets_url(filters: StatFilters, **cell: Any) -> str:
    """The quality page listing the tickets behind a figure."""
    query = filters.query()
    query.update({k: ("" if v is None else v) for k, v in cell.items()})
    return reverse("quality:tickets") + "?" + urlencode(query)


def batch_url(filters: StatFilters, row: BatchRate) -> str:
    return tickets_url(filters, model=row.model_id or "", batch=row.batch)


def overview_url(filters: StatFilters, **cell: Any) -> str:
    """The overview under the same filters and ``cell`` (e.g. one model: its batches)."""
    query = filters.query()
    query.update({k: ("" if v is None else v) for k, v in cell.items()})
    return reverse("quality:overview") + "?" + urlencode(query)


def model_rows(filters: StatFilters, rows: list[ModelRate]) -> list[tuple[ModelRate, str, str]]:
    """Each model with the overview of its batches and the list of its fault tickets."""
    return [(r, overview_url(filters, model=r.model_id), tickets_url(filters, model=r.model_id)) for r in rows]


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


def cause_label(key: str | None) -> str:
    """A cause as the reader's language names it ("materials" → 原材料); "" for none."""
    return str(dict(Cause.choices).get(key, key)) if key else ""


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


def _ppm(value: float | None) -> float | None:
    return None if value is None else value * PPM


def control_chart(filters: StatFilters, points: list[ControlPoint]) -> charts.Chart:
    """The p-chart in faulty units per million units in the field (ppm: a weekly share of a large
    fleet is a few millionths). The limits are drawn, and weeks marked, only where a week has
    enough data to be judged (``ControlPoint.judged``: n·p̄ ≥ ``MIN_EXPECTED``)."""
    return charts.control_chart(
        _("Weekly fault rate (p-chart)"),
        [p.week.isoformat() for p in points],
        [_ppm(p.p) for p in points],
        centre=[_ppm(p.centre) for p in points],
        upper=[_ppm(p.upper) if p.judged else None for p in points],
        lower=[_ppm(p.lower) if p.judged else None for p in points],
        names={
            "value": _("Fault rate (ppm)"),
            "centre": _("Centre line (ppm)"),
            "upper": _("Upper control limit (ppm)"),
            "lower": _("Lower control limit (ppm)"),
            "outside": _("Out of control"),
        },
        urls=[tickets_url(filters, week=p.week.isoformat(), first=1) for p in points],
        value_format=".2f",
        label_column=_("Week"),
        y_title=_("Faulty units per million (ppm)"),
        flagged=[p.out_of_control for p in points],
    )


def control_summary(points: list[ControlPoint]) -> dict[str, Any]:
    """What the page says above the p-chart: the weeks out of control, and whether any week had
    enough data to be judged at all."""
    return {
        "out_of_control": [p for p in points if p.out_of_control],
        "judged": sum(1 for p in points if p.judged),
        "faulty": sum(p.faulty_units for p in points),
        "min_expected": f"{MIN_EXPECTED:g}",
    }


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


def effect_chart(detail: dict[str, Any]) -> charts.Chart | None:
    """The measured effect's batches that count (mature): faulty units within the window per 1,000."""
    batches = [b for b in detail.get("batches") or [] if not b.get("counted") and b.get("shipped")]
    if not batches:
        return None

    def rate(b: dict[str, Any], after: bool) -> float | None:
        return 1000.0 * b["faulty_units"] / b["shipped"] if bool(b["after"]) == after else None

    several = len({b["model"] for b in batches}) > 1
    months = detail.get("window_months") or 0
    return charts.bar(
        ngettext(
            "Faulty units per 1,000 shipped within the first %(months)d month in the field",
            "Faulty units per 1,000 shipped within the first %(months)d months in the field",
            months,
        )
        % {"months": months},
        [f"{b['model']} {b['batch']}" if several else b["batch"] for b in batches],
        {_("Before the change"): [rate(b, False) for b in batches], _("After the change"): [rate(b, True) for b in batches]},
        value_format=".2f",
        label_column=_("Batch"),
    )


# --- Fault rates per factory, supplier and production month (rates.py) --------------------------

_RATE_PARAM = {"factory": "pfactory", "supplier": "psupplier", "production_month": "pmonth"}


def rate_tickets_url(filters: StatFilters, row: GroupRate) -> str | None:
    """The tickets behind a group's rate (none for the unknown row: no register to select by)."""
    if row.key is None:
        return None
    value = row.key.isoformat() if row.dimension == "production_month" else row.key
    return tickets_url(filters, **{_RATE_PARAM[row.dimension]: value})


def rate_titles(dimension: str) -> tuple[str, str]:
    """The section's title and the table's first column."""
    return {
        "factory": (_("Fault rate per factory"), _("Factory")),
        "supplier": (_("Fault rate per supplier"), _("Supplier")),
        "production_month": (_("Fault rate per production month"), _("Production month")),
    }[dimension]


def rate_chart(filters: StatFilters, found: GroupRates) -> charts.Chart:
    title, column = rate_titles(found.dimension)
    shown = [r for r in found.rows if r.rate is not None]
    if found.dimension != "production_month":
        shown = shown[:TOP_BATCHES]
    labels = [r.label for r in shown]
    series = {_("per 1,000 units"): [r.per_thousand for r in shown]}
    urls = [rate_tickets_url(filters, r) or "" for r in shown]
    if found.dimension == "production_month":
        return charts.line(title, labels, series, urls=urls, value_format=".2f", label_column=column)
    return charts.bar(title, labels, series, urls=urls, value_format=".2f", label_column=column)


def rate_section(filters: StatFilters, found: GroupRates) -> dict[str, Any]:
    """One section of the fault rates page: its rows with their tickets, the chart, the notes."""
    title, column = rate_titles(found.dimension)
    return {
        "dimension": found.dimension,
        "title": title,
        "column": column,
        "rates": found,
        "rows": [(r, rate_tickets_url(filters, r)) for r in found.rows],
        "chart": rate_chart(filters, found),
    }


def _per_thousand(faulty: Any, units: Any) -> float | None:
    return 1000.0 * (faulty or 0) / units if units else None


def effect_summary(detail: dict[str, Any]) -> dict[str, Any] | None:
    """The measured effect as the action's page shows it: the rates per 1,000, why there is no
    verdict, and each batch with its side and the day it will count (``effect.py``)."""
    if not detail:
        return None
    reasons = {
        "no_scope": _("Name the product model, the factory or the component supplier the action is about."),
        "no_change_date": _("Enter the date the change took effect or the first batch it applies to."),
        "unknown_first_batch": _("The first batch affected is not among the batches of the action's scope."),
        "no_batches": _("The production register has no batch in the action's scope."),
        "no_after_batches": _("No batch of the scope was made after the change yet."),
        "not_mature": _("The batches made after the change have not been in the field long enough yet."),
        "no_before_batches": _("No batch of the scope made before the change has been in the field long enough to compare with."),
        "too_few_units": _("Too few units after the change have been in the field long enough for a drop to show."),
    }
    batches = [
        {**b, "per_thousand": _per_thousand(b["faulty_units"], b["shipped"]), "counted": _day(b.get("counted"))}
        for b in detail.get("batches") or []
    ]
    return {
        **detail,
        "cut": _day(detail.get("cut")),
        "ready_on": _day(detail.get("ready_on")),
        "before_per_thousand": _per_thousand(detail.get("before_faulty"), detail.get("before_units")),
        "after_per_thousand": _per_thousand(detail.get("after_faulty"), detail.get("after_units")),
        "reason_text": reasons.get(detail.get("reason") or "", ""),
        "batches": batches,
        "waiting": sum(1 for b in batches if b["counted"]),
    }


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
