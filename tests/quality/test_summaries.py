"""The narrow summaries (``FaultSummary``) against a direct computation from the fault records:
every figure of the overview, for all time, for periods that cut weeks and months at their edges,
under region, model and batch filters, after an incremental refresh and after a rebuild."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest

from aftersales.accounts.models import Region
from aftersales.quality import rollup
from aftersales.quality.models import UNKNOWN_MONTHS, FaultRecord, FaultSummary, SummaryGrain
from aftersales.quality.rollup import fault_summaries_rebuild, monday
from aftersales.quality.statistics import (
    StatFilters,
    batch_fault_rates,
    counts_by,
    period_totals,
    time_to_failure,
    weekly_p_chart,
)
from tests.factories import RegionFactory

from .helpers import fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date
TEXTS = {
    "component": ["", "C101 电容", "M2 电机", "PCB 主板"],
    "supplier": ["", "宁波电容厂", "苏州电机"],
    "factory": ["佛山工厂", "合肥工厂"],
}


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    """Two models, three batches, two regions, faults on 30 days spread over four months (repeats
    on some units, tickets without a unit); components, suppliers and factories on the records."""
    rng = random.Random(18)
    regions = [RegionFactory(), RegionFactory()]
    models = [model("KFR-35GW"), model("JSQ-16")]
    units = []
    for m in models:
        for b in ("B1", "B2", ""):
            ship(m, b or "B9", 1000, D(2026, 1, 1))
            for _ in range(3):
                units.append(unit(m, b, purchase_date=D(2026, 1, rng.randint(1, 28)), production_date=D(2025, 12, 1)))
    day = D(2026, 2, 20)
    while day < D(2026, 6, 10):
        target = rng.choice(units)
        fault(target, on=day, region=rng.choice(regions), cause=rng.choice(["", "materials", "design"]))
        if rng.random() < 0.2:
            fault(None, on=day, region=rng.choice(regions), product_model_code=rng.choice(models).code)
        day += dt.timedelta(days=rng.randint(1, 6))
    refresh()
    _spread_texts(rng)
    return {"regions": regions, "models": models}


def _spread_texts(rng: random.Random) -> None:
    """Components, suppliers and factories on the records (as appraisals and parts would give),
    then the weeks counted again as the job does."""
    for record in FaultRecord.objects.all():
        FaultRecord.objects.filter(pk=record.pk).update(**{k: rng.choice(v) for k, v in TEXTS.items()})
    rollup._recount(set(FaultRecord.objects.values_list("week", flat=True)))


def _records(f: StatFilters) -> list[FaultRecord]:
    """The records a figure stands for, filtered in Python (the direct computation)."""
    out = []
    for r in FaultRecord.objects.all():
        if f.since and r.week < monday(f.since):
            continue
        if f.until and r.week > f.until:
            continue
        if f.region_id and r.region_id != f.region_id:
            continue
        if f.model_id and r.model_id != f.model_id:
            continue
        if f.category_id and r.product_category_id != f.category_id:
            continue
        if f.batch is not None and r.batch != f.batch:
            continue
        out.append(r)
    return out


def _direct(f: StatFilters, key: Any) -> dict[Any, list[int]]:
    sums: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0])
    for r in _records(f):
        acc = sums[key(r)]
        acc[0] += 1
        acc[1] += int(r.first_of_unit)
        acc[2] += int(r.unit_id is None)
    return dict(sums)


def _filter_sets(world: dict[str, Any]) -> list[StatFilters]:
    region, m = world["regions"][0], world["models"][0]
    return [
        StatFilters(),
        StatFilters(since=D(2026, 3, 1)),  # a Sunday: the week of 23 February is in
        StatFilters(since=D(2026, 3, 11), until=D(2026, 5, 19)),  # both edges inside months
        StatFilters(since=D(2026, 3, 2), until=D(2026, 4, 27)),  # whole months, to the last Monday
        StatFilters(since=D(2026, 4, 8), until=D(2026, 4, 20)),  # inside one month
        StatFilters(until=D(2026, 4, 5)),
        StatFilters(region_id=region.pk),
        StatFilters(model_id=m.pk, since=D(2026, 3, 15)),
        StatFilters(category_id=m.category_id, region_id=region.pk, until=D(2026, 5, 31)),
        StatFilters(batch="B1"),
        StatFilters(batch="", since=D(2026, 3, 20), model_id=m.pk),
    ]


def test_every_figure_equals_the_direct_computation(world):  # type: ignore[no-untyped-def]
    assert FaultSummary.objects.filter(grain=SummaryGrain.ALL).exists()
    for f in _filter_sets(world):
        direct_total = _direct(f, lambda r: ()).get((), [0, 0, 0])
        totals = period_totals(f)
        assert [totals["tickets"], totals["units"], totals["unitless"]] == direct_total, f
        by_batch = _direct(f, lambda r: (r.model_id, r.batch))
        rates = batch_fault_rates(f)
        got = {(r.model_id, r.batch): [r.tickets, r.faulty_units] for r in [*rates.rows, *rates.unknown_batch] if r.tickets}
        assert got == {k: v[:2] for k, v in by_batch.items()}, f
        assert rates.unitless_tickets == sum(v[2] for v in by_batch.values()), f
        for dimension in ("cause", "component", "supplier", "factory", "production_month", "batch"):
            direct = _direct(f, lambda r, d=dimension: getattr(r, d))
            got_rows = {c.key: [c.tickets, c.units] for c in counts_by(dimension, f, limit=1000)}
            assert got_rows == {k: v[:2] for k, v in direct.items()}, (f, dimension)
        direct_models = _direct(f, lambda r: r.model_id)
        assert {c.key: c.tickets for c in counts_by("model", f)} == {k: v[0] for k, v in direct_models.items()}, f
        ttf = time_to_failure(f, today=D(2026, 6, 15))
        ages = _direct(f, lambda r: r.months_in_service)
        assert ttf.unknown_age_claims == ages.get(UNKNOWN_MONTHS, [0])[0], f
        assert {m.month: m.claims for m in ttf.months if m.claims} == {
            k: v[0] for k, v in ages.items() if k != UNKNOWN_MONTHS and v[0]
        }, f
        _p_chart_equals_the_direct_weekly_count(f)


def _p_chart_equals_the_direct_weekly_count(f: StatFilters) -> None:
    if True:
        since = f.since or D(2026, 2, 16)
        until = f.until or D(2026, 6, 14)
        points = weekly_p_chart(StatFilters(**{**f.__dict__, "since": since, "until": until}), today=D(2026, 6, 15))
        direct = _direct(StatFilters(**{**f.__dict__, "since": since, "until": until}), lambda r: r.week)
        assert {p.week: p.faulty_units for p in points if p.faulty_units} == {w: v[1] for w, v in direct.items() if v[1]}, f


def _summary_rows() -> list[tuple[Any, ...]]:
    return sorted(
        FaultSummary.objects.values_list(
            "grain",
            "period",
            "region_id",
            "product_category_id",
            "model_id",
            "dimension",
            "value",
            "tickets",
            "units",
            "unitless",
        ),
        key=repr,
    )


def test_incremental_refresh_keeps_the_summaries_equal_to_a_rebuild(world):  # type: ignore[no-untyped-def]
    m = world["models"][1]
    region = Region.objects.get(pk=world["regions"][1].pk)
    fresh = unit(m, "B2", purchase_date=D(2026, 5, 1))
    fault(fresh, on=D(2026, 6, 1), region=region, cause="design")
    fault(fresh, on=D(2026, 2, 23), region=region)  # an earlier fault: the first of the unit moves
    refresh()
    incremental = _summary_rows()
    fault_summaries_rebuild()
    assert _summary_rows() == incremental
    # The all-time rows are the sums of the month rows.
    months = _direct(StatFilters(), lambda r: ())[()]
    total = FaultSummary.objects.get(grain=SummaryGrain.ALL, dimension="total", model=m, region=region)
    assert total.tickets == len([r for r in FaultRecord.objects.all() if r.model_id == m.pk and r.region_id == region.pk])
    assert months[0] == FaultRecord.objects.count()
