"""The management dashboard: charts from the rollups, each with its figures linking to the
tickets behind them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.accounts.models import Region
from aftersales.core import charts
from aftersales.core.errors import DomainError
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import TicketCategory
from aftersales.tickets.states import TicketStatus

from .kpi_views import refresh_marks
from .links import backlog_cell_url, drill_url, fault_tickets_url, ticket_list_url
from .selectors.common import Period, reach_region, sees_all, ticket_reach
from .selectors.management import MAX_MONTHS, Management, management_for_user
from .services.rollups import AGE_BANDS, COST_FIELDS

CHART_CACHE_SECONDS = 24 * 3600
EXPORT_KINDS = ("management_months", "management_backlog", "management_categories", "management_faults", "management_model_costs")


def _month(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(f"{raw}-01") if raw else None
    except ValueError:
        return None


def band_labels() -> list[str]:
    labels, low = [], 0
    for high in AGE_BANDS:
        labels.append(_("%(low)s–%(high)s days") % {"low": low, "high": high})
        low = high
    labels.append(_("over %(days)s days") % {"days": low})
    return labels


def cost_labels() -> dict[str, str]:
    return {
        "cost_parts": _("Parts"),
        "cost_labour": _("Labour"),
        "cost_travel": _("Travel"),
        "cost_refund": _("Refunds"),
        "cost_compensation": _("Compensation"),
    }


def _month_period(month: dt.date) -> Period:
    end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return Period(start=month, end=end)


def build_charts(m: Management, *, region: int | None, category: int | None) -> dict[str, charts.Chart]:
    whole = Period(start=m.start, end=(m.end + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
    months = [f"{d:%Y-%m}" for d in m.months]
    month_urls = [drill_url(_month_period(d), "handled", staff=False, region=region, category=category) for d in m.months]
    statuses = [s for s in TicketStatus if s.value in m.backlog]
    bands = band_labels()
    out: dict[str, charts.Chart] = {}
    out["backlog"] = charts.bar(
        _("Backlog by status and age"),
        [str(s.label) for s in statuses],
        {bands[i]: [m.backlog[s.value][i] for s in statuses] for i in range(len(bands))},
        urls=[ticket_list_url(status=s.value, region=region, category=category) for s in statuses],
        stacked=True,
        horizontal=True,
        label_column=_("Status"),
    )
    risk_names = {"warning": _("Warning"), "breached": _("Breached")}
    out["sla_risk"] = charts.bar(
        _("SLA risk of open tickets by age"),
        bands,
        {risk_names[k]: m.sla_risk.get(k, [0] * len(bands)) for k in ("warning", "breached")},
        stacked=True,
        label_column=_("Age"),
    )
    channel_labels = dict(Channel.choices)
    out["channels"] = charts.bar(
        _("Intake by channel"),
        months,
        {str(channel_labels.get(c, c)): v for c, v in sorted(m.intake_by_channel.items())},
        urls=month_urls,
        stacked=True,
        label_column=_("Month"),
    )
    out["categories"] = charts.bar(
        _("Intake by category"),
        months,
        {m.category_labels[k]: v for k, v in sorted(m.intake_by_category.items())},
        urls=month_urls,
        stacked=True,
        label_column=_("Month"),
    )
    out["faults"] = charts.pareto(
        _("Top faults by model"),
        [label for _k, label, _n in m.top_models],
        [float(n) for _k, _label, n in m.top_models],
        count_name=_("Fault tickets"),
        cumulative_name=_("Cumulative share"),
        # The fault tickets behind each bar, on the quality page that counts them the same way.
        urls=[fault_tickets_url(whole, model=k, region=region) for k, _l, _n in m.top_models],
        label_column=_("Model"),
    )
    out["satisfaction"] = charts.line(
        _("Satisfaction"),
        months,
        {_("Average overall rating"): m.satisfaction},
        urls=[drill_url(_month_period(d), "surveyed", staff=False, region=region, category=category) for d in m.months],
        label_column=_("Month"),
    )
    out["satisfied"] = charts.line(
        _("Satisfied customers (overall 4–5)"),
        months,
        {_("Share of overall ratings 4–5 (%)"): m.satisfied},
        urls=[drill_url(_month_period(d), "detractors", staff=False, region=region, category=category) for d in m.months],
        label_column=_("Month"),
    )
    # The NPS only from the 0–10 question of the surveys and the revisit calls (selectors/nps.py).
    out["nps"] = charts.line(
        _("NPS (0–10: surveys and revisit calls)"),
        months,
        {_("NPS"): m.nps},
        label_column=_("Month"),
    )
    labels = cost_labels()
    out["cost_month"] = charts.bar(
        _("After-sales cost by month"),
        months,
        {labels[name]: [float(v) for v in m.cost_by_month[name]] for name in COST_FIELDS},
        urls=[drill_url(_month_period(d), "costed", staff=False, region=region, category=category) for d in m.months],
        stacked=True,
        value_format=".2f",
        label_column=_("Month"),
    )
    out["cost_per_ticket"] = charts.line(
        _("Cost per ticket"),
        months,
        {_("Cost per ticket"): [float(v) if v is not None else None for v in m.cost_per_ticket]},
        urls=month_urls,
        value_format=".2f",
        label_column=_("Month"),
    )
    out["cost_model"] = charts.bar(
        _("After-sales cost by model"),
        [label for _k, label, _c in m.cost_by_model],
        {labels[name]: [float(c[name]) for _k, _l, c in m.cost_by_model] for name in COST_FIELDS},
        urls=[
            drill_url(whole, "costed", staff=False, model=k, region=region, category=category) for k, _l, _c in m.cost_by_model
        ],
        stacked=True,
        horizontal=True,
        value_format=".2f",
        label_column=_("Model"),
    )
    return out


@dataclass(frozen=True)
class Cell:
    n: int
    url: str = ""


@dataclass(frozen=True)
class BacklogRow:
    """One line of the backlog's tables: a status (or SLA state) with its count per age band,
    each linking to the ticket list filtered to exactly those tickets."""

    key: str
    label: str
    url: str
    cells: list[Cell]
    total: Cell


def backlog_rows(m: Management, *, region: int | None, category: int | None) -> tuple[list[BacklogRow], list[BacklogRow]]:
    """(by status, by SLA state) rows of the backlog, with the ticket list's links: per cell the
    open tickets of that status (SLA state) registered within the age band as of the backlog's
    count (``m.backlog_at``); per line all of them. ``region``: the filter, else the caller's
    region scope (the list then counts what the figure counts)."""
    bands = range(len(AGE_BANDS) + 1)

    def line(key: str, label: str, counts: list[int], *, status: str, sla: str = "") -> BacklogRow:
        url = ticket_list_url(status=status, sla=sla, region=region, category=category)
        cells = [
            Cell(
                n,
                backlog_cell_url(at=m.backlog_at, band=i, status=status, sla=sla, region=region, category=category)
                if n and m.backlog_at
                else "",
            )
            for i, n in zip(bands, counts, strict=True)
        ]
        return BacklogRow(key=key, label=label, url=url, cells=cells, total=Cell(sum(counts), url if sum(counts) else ""))

    by_status = [line(s.value, str(s.label), m.backlog[s.value], status=s.value) for s in TicketStatus if s.value in m.backlog]
    risk_names = {"warning": _("Warning"), "breached": _("Breached")}
    by_risk = [
        line(k, str(risk_names[k]), m.sla_risk.get(k, [0] * len(bands)), status="open", sla=k) for k in ("warning", "breached")
    ]
    return by_status, by_risk


def first_of_year_before(end: dt.date) -> dt.date:
    """The first month of the twelve ending with ``end`` (a month's first day)."""
    return (end - dt.timedelta(days=335)).replace(day=1)


def default_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The dashboard's default months: the twelve ending with this one."""
    end = today.replace(day=1)
    return first_of_year_before(end), end


def management_cache_key(
    *, reach: str, start: dt.date, end: dt.date, region: int | None, category: int | None, version: int
) -> str:
    return f"analytics:mgmt:3:{get_language()}:{reach}:{start}:{end}:{region}:{category}:v{version}"


@login_required
def management(request: HttpRequest) -> HttpResponse:
    """Backlog, SLA risk, intake, top faults, satisfaction and cost for months, region and category."""
    user = request.user
    try:
        ticket_reach(user)  # type: ignore[arg-type]
    except DomainError as exc:
        raise PermissionDenied from exc
    end = _month(request.GET.get("to")) or default_months(timezone.localdate())[1]
    start = _month(request.GET.get("from")) or first_of_year_before(end)
    error = ""
    if start > end:
        error, start = _("The period ends before it starts."), end
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        error, start = _("The period may be at most three years long."), end.replace(year=end.year - 2, month=1)
    raw_region, raw_category = request.GET.get("region", ""), request.GET.get("category", "")
    region = int(raw_region) if raw_region.isdigit() and len(raw_region) < 19 else None
    category = int(raw_category) if raw_category.isdigit() and len(raw_category) < 19 else None
    # The figures change only when the refresh job changes the rollups: the rendered charts
    # (pygal: ~20–30 ms each) are cached per filters, scope, language and data version; the
    # refresh job renders the default view ahead (``warm.py``).
    reach = "all" if sees_all(user) else str(getattr(user, "region_id", ""))  # type: ignore[arg-type]
    version, as_of = refresh_marks()
    key = management_cache_key(reach=reach, start=start, end=end, region=region, category=category, version=version)
    cached = cache.get(key)
    if cached is None:
        m = management_for_user(user=user, start=start, end=end, region=region, category=category)  # type: ignore[arg-type]
        cached = (m, build_charts(m, region=region, category=category))
        cache.set(key, cached, CHART_CACHE_SECONDS)
    m, rendered = cached
    scope = reach_region(ticket_reach(user))  # type: ignore[arg-type]
    by_status, by_risk = backlog_rows(m, region=region if region is not None else scope, category=category)
    context = {
        "m": m,
        "error": error,
        "charts": rendered,
        "charts_key": key,
        "charts_ttl": CHART_CACHE_SECONDS,
        "regions": Region.objects.order_by("code") if sees_all(user) else [],  # type: ignore[arg-type]
        "categories": TicketCategory.objects.order_by("position", "code"),
        "region": region,
        "category": category,
        "start": start,
        "end": end,
        "cost_per_ticket": (m.total_cost / m.total_intake).quantize(Decimal("0.01")) if m.total_intake else None,
        # The figures behind the charts as Excel (exports/kinds/analytics.py), same filters.
        "export_kinds": EXPORT_KINDS,
        "as_of": as_of,
        "bands": band_labels(),
        "backlog_by_status": by_status,
        "backlog_by_risk": by_risk,
    }
    return render(request, "analytics/management.html", context, status=422 if error else 200)
