"""The management dashboard's figures, from the rollups only (``MonthCube``, ``BacklogCell``):
a handful of grouped queries over at most months × regions × categories × channels × models
rows, whatever the number of tickets. Scope: every region (data scope "all") or the caller's
region (``common.ticket_reach``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel
from aftersales.tickets.models import TicketCategory

from ..models import BacklogCell, MonthCube
from ..services.rollups import AGE_BANDS, COST_FIELDS
from .common import money, ticket_reach

TOP = 10
ZERO = Decimal("0")


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
    satisfaction: list[float | None]  # average overall rating per month
    nps: list[float | None]
    cost_by_month: dict[str, list[Decimal]]  # component → amounts per month
    cost_per_ticket: list[Decimal | None]
    cost_by_model: list[tuple[int, str, dict[str, Decimal]]]
    total_cost: Decimal
    total_intake: int


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def management_for_user(
    *, user: User, start: dt.date, end: dt.date, region: int | None = None, category: int | None = None
) -> Management:
    """The dashboard of the months from ``start`` to ``end`` (any days in them) in ``user``'s scope."""
    reach = ticket_reach(user)
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
    cube = MonthCube.objects.filter(reach, narrow, month__gte=months[0], month__lte=months[-1]).order_by()
    by_channel: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    for month, channel, n in cube.values_list("month", "channel").annotate(n=Sum("intake")).values_list("month", "channel", "n"):
        by_channel[channel][index[month]] += n
    by_category: dict[int, list[int]] = defaultdict(lambda: [0] * len(months))
    for month, key, n in (
        cube.values_list("month", "category_key").annotate(n=Sum("intake")).values_list("month", "category_key", "n")
    ):
        by_category[key][index[month]] += n
    intake = [0] * len(months)
    surveys = [0] * len(months)
    overall = [0] * len(months)
    promoters = [0] * len(months)
    detractors = [0] * len(months)
    costs: dict[str, list[Decimal]] = {name: [ZERO] * len(months) for name in COST_FIELDS}
    for row in cube.values("month").annotate(
        n=Sum("intake"),
        s=Sum("surveys"),
        o=Sum("overall_sum"),
        p=Sum("promoters"),
        d=Sum("detractors"),
        **{f"c_{name}": Sum(name) for name in COST_FIELDS},
    ):
        i = index[row["month"]]
        intake[i], surveys[i], overall[i], promoters[i], detractors[i] = row["n"], row["s"], row["o"], row["p"], row["d"]
        for name in COST_FIELDS:
            costs[name][i] = money(row[f"c_{name}"])
    model_rows = list(
        cube.values("model_key")
        .annotate(n=Sum("intake"), **{f"c_{name}": Sum(name) for name in COST_FIELDS})
        .order_by("-n", "model_key")
    )
    models = {m.pk: f"{m.code} {m.name}" for m in ProductModel.objects.filter(pk__in=[r["model_key"] for r in model_rows])}
    faults = [r for r in model_rows if r["model_key"]][:TOP]
    by_cost = sorted(model_rows, key=lambda r: (-sum((r[f"c_{name}"] or ZERO) for name in COST_FIELDS), r["model_key"]))[:TOP]
    month_totals = [sum((costs[name][i] for name in COST_FIELDS), ZERO) for i in range(len(months))]
    categories = {c.pk: str(c) for c in TicketCategory.objects.filter(pk__in=list(by_category))}
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
        top_models=[(r["model_key"], models.get(r["model_key"], f"#{r['model_key']}"), r["n"]) for r in faults],
        satisfaction=[round(overall[i] / surveys[i], 2) if surveys[i] else None for i in range(len(months))],
        nps=[round(100 * (promoters[i] - detractors[i]) / surveys[i], 1) if surveys[i] else None for i in range(len(months))],
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
    )
