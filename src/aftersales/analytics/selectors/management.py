"""The management dashboard's figures, from the rollups only (``MonthTotal``, ``MonthChannel``,
``MonthModel``, ``BacklogCell``): each query reads one level of its rollup, so at most months ×
channels, months × categories or months × models rows, whatever the number of tickets, regions
or categories. Scope: every region (data scope "all") or the caller's
region (``common.ticket_reach``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel
from aftersales.core.errors import ValidationFailed
from aftersales.quality.selectors import fault_counts_by_model
from aftersales.tickets.models import TicketCategory

from ..models import (
    LEVEL_ALL,
    LEVEL_CATEGORY,
    LEVEL_CELL,
    LEVEL_REGION,
    BacklogCell,
    MonthChannel,
    MonthModel,
    MonthTotal,
    RefreshState,
)
from ..services.rollups import AGE_BANDS, COST_FIELDS
from .common import money, rate, reach_region, ticket_reach
from .nps import monthly_nps

TOP = 10
ZERO = Decimal("0")
MAX_MONTHS = 36


@dataclass(frozen=True)
class Management:
    months: list[dt.date]
    start: dt.date
    end: dt.date  # the last month (its first day)
    # Backlog: status → counts per age band; SLA state → counts per age band.
    backlog: dict[str, list[int]]
    sla_risk: dict[str, list[int]]
    intake_by_channel: dict[str, list[int]]
    intake_by_category: dict[int, list[int]]
    category_labels: dict[int, str]
    intake: list[int]
    top_models: list[tuple[int, str, int]]  # key, label, tickets
    satisfaction: list[float | None]  # average overall rating (1–5) per month
    satisfied: list[float | None]  # share (%) of the overall ratings that are 4 or 5 per month
    nps: list[float | None]  # the 0–10 NPS (surveys and revisit calls) per month (``nps.monthly_nps``)
    nps_answers: list[int]
    cost_by_month: dict[str, list[Decimal]]  # component → amounts per month
    cost_per_ticket: list[Decimal | None]
    cost_by_model: list[tuple[int, str, dict[str, Decimal]]]
    total_cost: Decimal
    total_intake: int
    # When the backlog was counted (its age bands are registration times before it); None
    # before the first refresh.
    backlog_at: dt.datetime | None = None


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _month(params: Mapping[str, str], name: str) -> dt.date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise ValidationFailed({name: [_("Enter a month as YYYY-MM.")]}, code="invalid_month") from None


def _key(params: Mapping[str, str], name: str) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) >= 19:
        raise ValidationFailed({name: [_("Choose a valid value.")]}, code="invalid_filter")
    return int(raw)


def management_filters(params: Mapping[str, str], *, today: dt.date) -> tuple[dt.date, dt.date, int | None, int | None]:
    """The dashboard's filters from a query string (``from``/``to`` months YYYY-MM, ``region``,
    ``category``), with the page's defaults (the last twelve months); a wrong value raises
    ``ValidationFailed`` naming its field. Returns (start, end, region, category)."""
    end = _month(params, "to") or today.replace(day=1)
    start = _month(params, "from") or (end - dt.timedelta(days=335)).replace(day=1)
    if start > end:
        raise ValidationFailed({"from": [_("The period ends before it starts.")]}, code="invalid_period")
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise ValidationFailed({"from": [_("The period may be at most three years long.")]}, code="invalid_period")
    return start, end, _key(params, "region"), _key(params, "category")


def _level(*, by_region: bool, by_category: bool) -> int:
    if by_region:
        return LEVEL_CELL if by_category else LEVEL_REGION
    return LEVEL_CATEGORY if by_category else LEVEL_ALL


def management_for_user(
    *, user: User, start: dt.date, end: dt.date, region: int | None = None, category: int | None = None
) -> Management:
    """The dashboard of the months from ``start`` to ``end`` (any days in them) in ``user``'s scope."""
    return management(reach=ticket_reach(user), start=start, end=end, region=region, category=category)


def management(*, reach: Q, start: dt.date, end: dt.date, region: int | None = None, category: int | None = None) -> Management:
    """``management_for_user`` for the rows of ``reach`` (a filter on ``region_key``: ``Q()`` for
    every region, as the refresh job's cache warming asks)."""
    months = months_between(start, end)
    index = {m: i for i, m in enumerate(months)}
    narrow = Q()
    if region is not None:
        narrow &= Q(region_key=region)
    if category is not None:
        narrow &= Q(category_key=category)
    bands = len(AGE_BANDS) + 1
    backlog: dict[str, list[int]] = defaultdict(lambda: [0] * bands)
    sla_risk: dict[str, list[int]] = defaultdict(lambda: [0] * bands)
    for status, band, state, n in BacklogCell.objects.filter(reach, narrow).values_list("status", "age_band", "sla_state", "n"):
        backlog[status][band] += n
        if state in ("warning", "breached"):
            sla_risk[state][band] += n
    # Each query reads the one level of its rollup that keeps what it filters or groups on: a
    # region (the filter or the caller's scope) and a category (the filter, or the per-category
    # chart), so it reads months × its own dimension rows.
    by_region = region is not None or bool(reach)
    period = Q(month__gte=months[0], month__lte=months[-1])
    level = _level(by_region=by_region, by_category=category is not None)
    by_channel: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for month, channel, n in MonthChannel.objects.filter(reach, narrow, period, level=level).values_list(
        "month", "channel", "intake"
    ):
        by_channel[channel][index[month]] += n
    by_category: dict[int, list[int]] = defaultdict(lambda: [0] * len(months))
    for month, key, n in MonthTotal.objects.filter(
        reach, narrow, period, level=_level(by_region=by_region, by_category=True)
    ).values_list("month", "category_key", "intake"):
        by_category[key][index[month]] += n
    intake = [0] * len(months)
    surveys = [0] * len(months)
    overall = [0] * len(months)
    detractors = [0] * len(months)
    costs: dict[str, list[Decimal]] = {name: [ZERO] * len(months) for name in COST_FIELDS}
    for row in MonthTotal.objects.filter(reach, narrow, period, level=level).values(
        "month", "intake", "surveys", "overall_sum", "detractors", *COST_FIELDS
    ):
        i = index[row["month"]]
        intake[i] += row["intake"]
        surveys[i] += row["surveys"]
        overall[i] += row["overall_sum"]
        detractors[i] += row["detractors"]
        for name in COST_FIELDS:
            costs[name][i] = money(costs[name][i] + row[name])
    model_rows = list(
        MonthModel.objects.filter(reach, narrow, period, level=level)
        .order_by()
        .values("model_key")
        .annotate(n=Sum("intake"), **{f"c_{name}": Sum(name) for name in COST_FIELDS})
        .order_by("-n", "model_key")
    )
    models = {m.pk: f"{m.code} {m.name}" for m in ProductModel.objects.filter(pk__in=[r["model_key"] for r in model_rows])}
    by_cost = sorted(model_rows, key=lambda r: (-sum((r[f"c_{name}"] or ZERO) for name in COST_FIELDS), r["model_key"]))[:TOP]
    month_totals = [sum((costs[name][i] for name in COST_FIELDS), ZERO) for i in range(len(months))]
    categories = {c.pk: str(c) for c in TicketCategory.objects.filter(pk__in=list(by_category))}
    scope = reach_region(reach)
    # Top faults by model: the quality pages' fault tickets (not installs or questions), counted
    # over the same whole weeks as /quality/ (quality.selectors.fault_counts_by_model).
    if scope is not None and region is not None and region != scope:
        faults = []
    else:
        faults = fault_counts_by_model(
            since=months[0],
            until=(months[-1] + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1),
            region_id=region if region is not None else scope,
            ticket_category_id=category,
            limit=TOP,
        )
    nps: list[float | None]
    nps_answers: list[int]
    if scope is not None and region is not None and region != scope:
        nps, nps_answers = [None] * len(months), [0] * len(months)  # another region than the caller's: nothing
    else:
        nps, nps_answers = monthly_nps(months, region=region if region is not None else scope, category=category)
    return Management(
        months=months,
        start=months[0],
        end=months[-1],
        backlog=dict(backlog),
        sla_risk=dict(sla_risk),
        intake_by_channel=dict(by_channel),
        intake_by_category=dict(by_category),
        category_labels={k: categories.get(k, "—" if k == 0 else f"#{k}") for k in by_category},
        intake=intake,
        top_models=[(f.model_id, f.label, f.tickets) for f in faults],
        satisfaction=[round(overall[i] / surveys[i], 2) if surveys[i] else None for i in range(len(months))],
        satisfied=[rate(surveys[i] - detractors[i], surveys[i]) for i in range(len(months))],
        nps=nps,
        nps_answers=nps_answers,
        cost_by_month=costs,
        cost_per_ticket=[
            (month_totals[i] / intake[i]).quantize(Decimal("0.01")) if intake[i] else None for i in range(len(months))
        ],
        cost_by_model=[
            (
                r["model_key"],
                models.get(r["model_key"], "—" if not r["model_key"] else f"#{r['model_key']}"),
                {name: money(r[f"c_{name}"]) for name in COST_FIELDS},
            )
            for r in by_cost
        ],
        total_cost=sum(month_totals, ZERO),
        total_intake=sum(intake),
        backlog_at=RefreshState.objects.filter(name="default").values_list("backlog_at", flat=True).first(),
    )
