"""The week rows of every question (``FaultSummary`` at week grain): a figure over a date range
reads its whole months' rows and its edge weeks' rows, never ``FaultCount``, and gives what summing
``FaultCount`` over the same weeks gives (the read before the week rows) — on random rollups, at the
edges of a period, inside one week, across a year end; built by the full rebuild and kept by the
refresh job, incrementally."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.quality import rollup, statistics
from aftersales.quality.models import SUMMARY_DIMENSIONS, FaultCount, FaultSummary, RollupState, SummaryGrain
from aftersales.quality.periods import covered_dates, period_plan
from aftersales.quality.rollup import SUMMARY_FIELDS, fault_summaries_rebuild
from aftersales.quality.statistics import StatFilters, batch_fault_rates
from tests.factories import RegionFactory

from .helpers import fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date
FIRST_WEEK = D(2025, 10, 6)  # a Monday; 22 weeks: October 2025 to early March 2026
WEEKS = 22


def _fill(rng: random.Random) -> dict[str, Any]:
    """``FaultCount`` rows as the job writes them (one per week and key), random over 22 weeks
    across a year end, two regions (and no region), two models, three batches."""
    regions = [RegionFactory(), RegionFactory()]
    models = [model("KFR-26GW"), model("KFR-72LW")]
    rows = []
    for _ in range(400):
        m = rng.choice(models)
        rows.append(
            FaultCount(
                week=FIRST_WEEK + dt.timedelta(weeks=rng.randrange(WEEKS)),
                model=m,
                product_category_id=m.category_id,
                region=rng.choice([*regions, None]),
                batch=rng.choice(["B1", "B2", ""]),
                factory=rng.choice(["佛山工厂", "合肥工厂"]),
                production_month=rng.choice([D(2025, 6, 1), None]),
                months_in_service=rng.choice([-1, 0, 3, 7]),
                cause=rng.choice(["", "materials", "design"]),
                component=rng.choice(["", "C101 电容"]),
                supplier=rng.choice(["", "苏州电机"]),
                tickets=rng.randint(1, 5),
                units=rng.randint(0, 1),
                unitless=rng.randint(0, 1),
            )
        )
    FaultCount.objects.bulk_create(rows)
    fault_summaries_rebuild()
    return {"regions": regions, "models": models}


def _before(f: StatFilters, dimension: str) -> dict[tuple[Any, ...], list[int]]:
    """The figure summed straight from ``FaultCount`` over the period's weeks (the read before)."""
    field = SUMMARY_FIELDS[dimension]
    out: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in statistics._counts(f):
        acc = out[(row.model_id, getattr(row, field) if field else None)]
        acc[0] += row.tickets
        acc[1] += row.units
        acc[2] += row.unitless
    return dict(out)


def _now(f: StatFilters, dimension: str) -> dict[tuple[Any, ...], list[int]]:
    got = statistics._grouped(f, dimension, ("model", "value") if SUMMARY_FIELDS[dimension] else ("model",))
    return {(k if len(k) == 2 else (k[0], None)): v for k, v in got.items() if any(v)}


def _periods(rng: random.Random) -> list[tuple[dt.date | None, dt.date | None]]:
    days = [FIRST_WEEK - dt.timedelta(days=3) + dt.timedelta(days=i) for i in range(WEEKS * 7 + 6)]
    periods: list[tuple[dt.date | None, dt.date | None]] = [
        (D(2025, 12, 24), D(2026, 1, 7)),  # across the year end
        (D(2025, 12, 30), D(2026, 1, 1)),  # inside one week (29 Dec – 4 Jan), across the year end
        (D(2026, 1, 13), D(2026, 1, 15)),  # inside one week
        (D(2025, 12, 29), D(2026, 1, 4)),  # exactly one week: Monday to Sunday
        (D(2025, 11, 3), D(2025, 11, 30)),  # exactly November's Mondays (3 to 24 November)
        (D(2025, 11, 1), D(2025, 12, 1)),  # a Saturday to a Monday: 27 October's week to 1 December's
        (D(2025, 10, 31), None),
        (None, D(2026, 1, 31)),
        (D(2025, 12, 1), D(2026, 2, 28)),
    ]
    for _ in range(40):
        a, b = sorted(rng.sample(days, 2))
        periods.append((a, b))
    return periods


def test_a_date_range_reads_the_summaries_only_and_equals_the_faultcount_read():  # type: ignore[no-untyped-def]
    rng = random.Random(1812)
    world = _fill(rng)
    region, m = world["regions"][0], world["models"][1]
    for since, until in _periods(rng):
        for place in ({}, {"region_id": region.pk}, {"model_id": m.pk}, {"region_id": region.pk, "model_id": m.pk}):
            f = StatFilters(since=since, until=until, **place)
            for dimension in SUMMARY_DIMENSIONS:
                with CaptureQueriesContext(connection) as queries:
                    got = _now(f, dimension)
                assert not [q for q in queries if "quality_faultcount" in q["sql"]], (f, dimension)
                assert got == {k: v for k, v in _before(f, dimension).items() if any(v)}, (f, dimension)


def test_the_edges_of_a_period_are_whole_weeks():  # type: ignore[no-untyped-def]
    # 1 January 2026 is a Thursday: its week (Monday 29 December) is December's by its Monday.
    assert covered_dates(D(2026, 1, 1), D(2026, 1, 1)) == (D(2025, 12, 29), D(2026, 1, 4))
    assert period_plan(D(2026, 1, 1), D(2026, 1, 1)) == (None, [(D(2025, 12, 29), D(2026, 1, 1))])
    # 10 November to 14 January: December whole, the weeks of 10–24 November and of 5–12 January.
    months, edges = period_plan(D(2025, 11, 12), D(2026, 1, 14))
    assert months == (D(2025, 12, 1), D(2025, 12, 1))
    assert edges == [(D(2025, 11, 10), D(2025, 11, 30)), (D(2026, 1, 1), D(2026, 1, 14))]
    # Open ends: no edge on the open side.
    assert period_plan(D(2025, 12, 1), None) == ((D(2025, 12, 1), None), [])
    assert covered_dates(None, None) == (None, None)


def test_a_rebuild_writes_every_question_per_week_and_the_months_are_their_sums():  # type: ignore[no-untyped-def]
    _fill(random.Random(7))
    weeks = set(FaultCount.objects.values_list("week", flat=True))
    for dimension in SUMMARY_DIMENSIONS:
        assert (
            set(
                FaultSummary.objects.filter(grain=SummaryGrain.WEEK, dimension=dimension, all_regions=True).values_list(
                    "period", flat=True
                )
            )
            == weeks
        ), dimension
    for grain_rows in (SummaryGrain.WEEK, SummaryGrain.MONTH, SummaryGrain.ALL):
        for all_regions in (False, True):
            total = sum(
                FaultSummary.objects.filter(grain=grain_rows, dimension="batch", all_regions=all_regions).values_list(
                    "tickets", flat=True
                )
            )
            assert total == sum(FaultCount.objects.values_list("tickets", flat=True)), (grain_rows, all_regions)
    # A month's rows are the sums of the weeks whose Monday falls in it (29 December is December's).
    december = FaultSummary.objects.filter(grain=SummaryGrain.MONTH, period=D(2025, 12, 1), dimension="total", all_regions=True)
    weeks_of_december = FaultSummary.objects.filter(
        grain=SummaryGrain.WEEK, period__gte=D(2025, 12, 1), period__lte=D(2025, 12, 29), dimension="total", all_regions=True
    )
    assert sum(r.tickets for r in december) == sum(r.tickets for r in weeks_of_december) > 0


def _summary_rows() -> list[tuple[Any, ...]]:
    fields = ("grain", "period", "all_regions", "region_id", "product_category_id", "model_id", "dimension", "value")
    return sorted(FaultSummary.objects.values_list(*fields, "tickets", "units", "unitless"), key=repr)


def test_the_refresh_job_keeps_the_week_rows_incrementally_across_a_year_end():  # type: ignore[no-untyped-def]
    region = RegionFactory()
    m = model("KFR-35GW")
    ship(m, "B1", 1000, D(2025, 10, 1))
    first = unit(m, "B1", purchase_date=D(2025, 10, 1))
    fault(first, on=D(2025, 12, 10), region=region, cause="materials")
    fault(unit(m, "B1", purchase_date=D(2025, 10, 1)), on=D(2025, 12, 22), region=region)
    refresh()
    # Across the year end: 1 January 2026 (a Thursday) is the week of 29 December; a second fault
    # of the first unit, and a fault without a unit.
    fault(first, on=D(2026, 1, 1), region=region, cause="design")
    fault(unit(m, "B1", purchase_date=D(2025, 10, 1)), on=D(2026, 1, 2), region=region)
    fault(None, on=D(2026, 1, 5), region=region, product_model_code=m.code)
    refresh()
    incremental = _summary_rows()
    assert FaultSummary.objects.filter(grain=SummaryGrain.WEEK, period=D(2025, 12, 29), dimension="cause").count() == 4
    fault_summaries_rebuild()
    assert _summary_rows() == incremental
    # The period inside that week: two tickets, one faulty unit (the first unit's first fault was
    # on 10 December), shipped 1,000.
    rates = batch_fault_rates(StatFilters(since=D(2025, 12, 31), until=D(2026, 1, 2)))
    assert [(r.batch, r.tickets, r.faulty_units, r.shipped) for r in rates.rows] == [("B1", 2, 1, 1000)]
    over_year_end = batch_fault_rates(StatFilters(since=D(2025, 12, 20), until=D(2026, 1, 6)))
    assert [(r.tickets, r.faulty_units) for r in over_year_end.rows] == [(3, 2)]
    assert over_year_end.unitless_tickets == 1


def test_summaries_of_an_older_deployment_are_built_again_once(monkeypatch):  # type: ignore[no-untyped-def]
    _fill(random.Random(3))
    # As before the week rows: only the total per week, under the previous state's name.
    FaultSummary.objects.filter(grain=SummaryGrain.WEEK).exclude(dimension="total").delete()
    RollupState.objects.filter(name=rollup.SUMMARY_STATE).delete()
    RollupState.objects.create(name="fault_summaries")
    monkeypatch.setitem(statistics._READY, "weeks", False)
    f = StatFilters(since=D(2025, 11, 12), until=D(2026, 1, 14))
    # Until the job has run, a period's edge weeks are read from FaultCount: the figures stay right.
    for since, until in [(f.since, f.until), *_periods(random.Random(5))[:16]]:
        period = StatFilters(since=since, until=until)
        assert _now(period, "batch") == {k: v for k, v in _before(period, "batch").items() if any(v)}, period
    refresh()
    weekly = set(FaultSummary.objects.filter(grain=SummaryGrain.WEEK).values_list("dimension", flat=True))
    assert weekly == set(SUMMARY_DIMENSIONS)
    assert RollupState.objects.filter(name=rollup.SUMMARY_STATE).exists()
    with CaptureQueriesContext(connection) as queries:
        got = _now(f, "batch")
    assert not [q for q in queries if "quality_faultcount" in q["sql"]]
    assert got == {k: v for k, v in _before(f, "batch").items() if any(v)}
