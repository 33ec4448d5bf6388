"""Issue 17: the dashboard's split rollups (``MonthTotal``, ``MonthChannel``, ``MonthModel`` at
four levels of region × category) give exactly the figures computed directly from the ticket
facts, for every scope and filter combination."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.analytics.models import LEVEL_ALL, MonthChannel, MonthModel, MonthTotal, TicketFact
from aftersales.analytics.selectors.common import money
from aftersales.analytics.selectors.management import TOP, management_for_user, months_between
from aftersales.analytics.services.cubes import rebuild_months
from aftersales.analytics.services.rollups import COST_FIELDS
from tests.factories import RegionFactory, make_ticket

from .fixtures import at, staff

pytestmark = pytest.mark.django_db

ZERO = Decimal("0")
MONTHS = (dt.date(2025, 8, 1), dt.date(2025, 9, 1), dt.date(2025, 10, 1))
CHANNELS = ("hotline", "web", "wechat")
CATEGORIES = (0, 7, 8, 9)
MODELS = tuple(range(13))  # 0 = none; more than TOP models, so the top lists are cut


@pytest.fixture
def facts():
    """48 ticket facts spread over three months, three regions (one of them "none"), four
    categories, three channels and 13 models, with varied ratings and costs."""
    east, west = RegionFactory(code="E", name="East"), RegionFactory(code="W", name="West")
    regions = (0, east.pk, west.pk)
    rnd = random.Random(17)
    rows = []
    for i in range(48):
        ticket = make_ticket(customer_name=f"客户{i}", phone=f"1381234{i:04d}")
        day = MONTHS[i % 3] + dt.timedelta(days=rnd.randrange(28))
        overall = rnd.choice((None, 1, 3, 4, 5, 5))
        rows.append(
            TicketFact(
                ticket=ticket,
                number=ticket.number,
                day=day,
                resolved_day=day if rnd.random() < 0.5 else None,
                status="closed",
                channel=rnd.choice(CHANNELS),
                region_key=rnd.choice(regions),
                category_key=rnd.choice(CATEGORIES),
                model_key=rnd.choice(MODELS),
                overall=overall,
                computed_at=at(2025, 11, 1, 0),
                **{name: Decimal(rnd.choice((0, 0, 12, 100))) + Decimal(i) / 100 for name in COST_FIELDS},
            )
        )
    TicketFact.objects.all().delete()
    TicketFact.objects.bulk_create(rows)
    for fact in rows:
        fact.cost_total = sum((getattr(fact, name) for name in COST_FIELDS), ZERO)
    TicketFact.objects.bulk_update(rows, ["cost_total"])
    rebuild_months(MONTHS)
    return rows, east, west


def direct(rows, months, *, regions=None, category=None):
    """The dashboard's cube figures summed straight from the facts (``regions``: the keys the
    scope and the region filter allow together)."""
    index = {m: i for i, m in enumerate(months)}
    picked = [
        f
        for f in rows
        if f.day.replace(day=1) in index
        and (regions is None or f.region_key in regions)
        and (category is None or f.category_key == category)
    ]
    n = len(months)
    by_channel = defaultdict(lambda: [0] * n)
    by_category = defaultdict(lambda: [0] * n)
    intake, surveys, overall, promoters, detractors = ([0] * n for _ in range(5))
    costs = {name: [ZERO] * n for name in COST_FIELDS}
    models = defaultdict(lambda: {"n": 0, **dict.fromkeys(COST_FIELDS, ZERO)})
    for f in picked:
        i = index[f.day.replace(day=1)]
        by_channel[f.channel][i] += 1
        by_category[f.category_key][i] += 1
        intake[i] += 1
        if f.overall is not None:
            surveys[i] += 1
            overall[i] += f.overall
            promoters[i] += f.overall == 5
            detractors[i] += f.overall <= 3
        models[f.model_key]["n"] += 1
        for name in COST_FIELDS:
            costs[name][i] += getattr(f, name)
            models[f.model_key][name] += getattr(f, name)
    totals = [sum((costs[name][i] for name in COST_FIELDS), ZERO) for i in range(n)]
    by_cost = sorted(models, key=lambda k: (-sum(models[k][name] for name in COST_FIELDS), k))[:TOP]
    return {
        "intake_by_channel": dict(by_channel),
        "intake_by_category": dict(by_category),
        "intake": intake,
        "satisfaction": [round(overall[i] / surveys[i], 2) if surveys[i] else None for i in range(n)],
        "satisfied": [round(100 * (surveys[i] - detractors[i]) / surveys[i], 2) if surveys[i] else None for i in range(n)],
        "cost_by_month": {name: [money(v) for v in values] for name, values in costs.items()},
        "cost_per_ticket": [(totals[i] / intake[i]).quantize(Decimal("0.01")) if intake[i] else None for i in range(n)],
        "cost_by_model": [
            (k, "—" if not k else f"#{k}", {name: money(models[k][name]) for name in COST_FIELDS}) for k in by_cost
        ],
        "total_cost": money(sum(totals, ZERO)),
        "total_intake": len(picked),
    }


def shown(m):
    return {key: getattr(m, key) for key in direct([], [])} | {"total_cost": money(m.total_cost)}


def test_rollups_are_bounded_by_their_own_dimensions(facts):
    # One all-regions row per month, and per month at most channels / models rows at that level.
    assert MonthTotal.objects.filter(level=LEVEL_ALL).count() == len(MONTHS)
    assert MonthChannel.objects.filter(level=LEVEL_ALL).count() <= len(MONTHS) * len(CHANNELS)
    assert MonthModel.objects.filter(level=LEVEL_ALL).count() <= len(MONTHS) * len(MODELS)
    assert MonthTotal.objects.filter(level=LEVEL_ALL).values_list("intake", flat=True).order_by("month")[0] == 16


def test_dashboard_equals_the_facts_for_every_scope_and_filter(facts):
    rows, east, west = facts
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    east_boss = staff(Role.SUPERVISOR, DataScope.REGION, region=east)
    months = list(MONTHS)
    checked = 0
    for start, end in ((MONTHS[0], MONTHS[-1]), (MONTHS[1], MONTHS[1]), (dt.date(2025, 7, 1), MONTHS[1])):
        period = months_between(start, end)
        for user, scope in ((boss, None), (east_boss, {east.pk})):
            for region in (None, 0, east.pk, west.pk):
                for category in (None, *CATEGORIES):
                    allowed = scope if region is None else ({region} & scope if scope is not None else {region})
                    got = management_for_user(user=user, start=start, end=end, region=region, category=category)
                    assert got.months == period
                    assert shown(got) == direct(rows, period, regions=allowed, category=category), (
                        user.data_scope,
                        start,
                        region,
                        category,
                    )
                    checked += 1
    # The fixture is not degenerate: the widest view has every month, channel and the cut lists.
    wide = management_for_user(user=boss, start=MONTHS[0], end=MONTHS[-1])
    assert wide.total_intake == 48 and all(wide.intake) and set(wide.intake_by_channel) == set(CHANNELS)
    assert len(wide.cost_by_model) == TOP and wide.total_cost > 0
    # The top faults are the quality pages' fault tickets (quality.selectors.fault_counts_by_model,
    # tested in tests/quality), not these cubes: the facts here have no ticket behind them.
    assert wide.top_models == []
    assert any(s is not None for s in wide.satisfaction) and len(months) == 3 and checked == 120


def test_rebuilding_a_month_replaces_its_rows(facts):
    _rows, _east, _west = facts
    before = MonthModel.objects.count() + MonthChannel.objects.count() + MonthTotal.objects.count()
    ids = set(MonthTotal.objects.values_list("pk", flat=True))
    assert rebuild_months([MONTHS[0]]) == 0  # already right: nothing rewritten
    assert set(MonthTotal.objects.values_list("pk", flat=True)) == ids
    TicketFact.objects.filter(pk=_rows[0].pk).update(channel="web" if _rows[0].channel != "web" else "email")
    assert MonthModel.objects.count() + MonthChannel.objects.count() + MonthTotal.objects.count() == before
    assert rebuild_months([MONTHS[0]]) > 0
    TicketFact.objects.filter(day__gte=MONTHS[0], day__lt=MONTHS[1]).delete()
    assert rebuild_months([MONTHS[0]]) > 0  # its rows deleted
    assert not MonthTotal.objects.filter(month=MONTHS[0]).exists()
    assert not MonthChannel.objects.filter(month=MONTHS[0]).exists()
    assert not MonthModel.objects.filter(month=MONTHS[0]).exists()
