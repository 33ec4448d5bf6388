"""Fault statistics against hand-computed fixtures: the fault rate per batch with its denominator,
batches without shipments flagged, units of unknown batch and tickets without a unit apart, the
rollup job idempotent and incremental, counts per dimension, the p-chart and the time to failure."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.quality.models import FaultCount, FaultRecord
from aftersales.quality.rollup import fault_rollup_rebuild, fault_totals, months_between
from aftersales.quality.statistics import (
    StatFilters,
    batch_fault_rates,
    counts_by,
    filters_for,
    pareto_of,
    time_to_failure,
    weekly_p_chart,
)
from aftersales.tickets.models import Ticket
from tests.factories import RegionFactory, UserFactory

from .helpers import fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    m = model("KFR-35GW")
    ship(m, "B1", 600, D(2026, 1, 1))
    ship(m, "B1", 400, D(2026, 2, 1))
    ship(m, "B2", 500, D(2026, 2, 1))
    u1 = unit(m, "B1", purchase_date=D(2026, 1, 15), production_date=D(2025, 12, 20))
    u2 = unit(m, "B1", purchase_date=D(2026, 2, 1), production_date=D(2025, 12, 20))
    u3 = unit(m, "B1", purchase_date=D(2026, 2, 1))
    u4 = unit(m, "B2", purchase_date=D(2026, 3, 1))
    u5 = unit(m, "B3", purchase_date=D(2026, 3, 1))
    u6 = unit(m, "", purchase_date=D(2026, 3, 1), production_date=None)
    fault(u1, on=D(2026, 3, 2))  # 1 month 15 days in service → month 1
    fault(u1, on=D(2026, 4, 6))  # the same unit again: a ticket, not another faulty unit
    fault(u2, on=D(2026, 3, 3))  # month 1
    fault(u3, on=D(2026, 3, 4), request_type="consultation")  # not a fault ticket
    fault(u4, on=D(2026, 3, 10))  # month 0
    fault(u5, on=D(2026, 3, 11))  # batch B3: nothing shipped
    fault(u6, on=D(2026, 3, 12))  # unknown batch
    fault(None, on=D(2026, 3, 12), product_model_code="KFR-35GW")  # no registered unit
    refresh()
    return m


def test_fault_rate_per_batch_is_faulty_units_over_units_shipped(world):  # type: ignore[no-untyped-def]
    rates = batch_fault_rates(StatFilters())
    by_batch = {r.batch: r for r in rates.rows}
    assert set(by_batch) == {"B1", "B2", "B3"}
    b1, b2, b3 = by_batch["B1"], by_batch["B2"], by_batch["B3"]
    assert (b1.shipped, b1.faulty_units, b1.tickets) == (1000, 2, 3)
    assert b1.rate == pytest.approx(0.002)
    assert (b2.shipped, b2.faulty_units, b2.tickets, b2.rate) == (500, 1, 1, pytest.approx(0.002))
    # No shipments recorded: no rate (never a division by zero), flagged.
    assert (b3.shipped, b3.faulty_units, b3.rate, b3.missing_volume) == (None, 1, None, True)
    assert rates.missing_volumes == [b3]
    # Unknown batch: the unit without a batch and the ticket without a unit, apart.
    assert [(r.model, r.faulty_units, r.tickets) for r in rates.unknown_batch] == [("KFR-35GW", 1, 2)]
    assert rates.unitless_tickets == 1


def test_the_job_is_idempotent_and_incremental(world):  # type: ignore[no-untyped-def]
    before = (list(FaultCount.objects.order_by("pk").values()), fault_totals())
    refresh()
    assert fault_totals() == before[1] == {"tickets": 7, "units": 5, "unitless": 1}
    assert FaultRecord.objects.count() == 7
    # A new fault on a new unit of B2 is picked up by the next run only.
    m = world
    u = unit(m, "B2", purchase_date=D(2026, 3, 1))
    fault(u, on=D(2026, 5, 4))
    assert fault_totals()["units"] == 5
    refresh()
    assert batch_fault_rates(StatFilters(batch="B2")).rows[0].faulty_units == 2
    # A rebuild from scratch gives the same figures.
    fault_rollup_rebuild()
    assert fault_totals() == {"tickets": 8, "units": 6, "unitless": 1}


def test_a_ticket_that_stops_being_a_fault_leaves_the_figures(world):  # type: ignore[no-untyped-def]
    ticket = Ticket.objects.filter(product_unit__batch="B2").get()
    Ticket.objects.filter(pk=ticket.pk).update(status="cancelled", updated_at=ticket.updated_at)
    refresh()
    assert batch_fault_rates(StatFilters(batch="B2")).rows[0].faulty_units == 0


def test_period_region_and_category_filters(world):  # type: ignore[no-untyped-def]
    march = StatFilters(since=D(2026, 3, 1), until=D(2026, 3, 31))
    b1 = {r.batch: r for r in batch_fault_rates(march).rows}["B1"]
    assert (b1.faulty_units, b1.tickets) == (2, 2)  # the April repeat is outside
    april = {r.batch: r for r in batch_fault_rates(StatFilters(since=D(2026, 4, 1))).rows}
    assert april["B1"].tickets == 1 and april["B1"].faulty_units == 0  # a repeat: not a first fault
    region = RegionFactory()
    assert batch_fault_rates(StatFilters(region_id=region.pk)).rows == []
    assert batch_fault_rates(StatFilters(category_id=world.category_id)).rows


def test_a_region_bound_reader_sees_only_their_region():  # type: ignore[no-untyped-def]
    region = RegionFactory()
    everyone = UserFactory(role=Role.QUALITY_ENGINEER, data_scope=DataScope.ALL)
    regional = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=region)
    nowhere = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION)
    assert filters_for(everyone, StatFilters()).region_id is None
    assert filters_for(regional, StatFilters(region_id=None)).region_id == region.pk
    assert filters_for(nowhere, StatFilters()).scoped_out
    assert batch_fault_rates(filters_for(nowhere, StatFilters())).rows == []


def test_counts_by_dimension_and_pareto(world):  # type: ignore[no-untyped-def]
    by_batch = {c.label: (c.tickets, c.units) for c in counts_by("batch", StatFilters())}
    assert by_batch == {"B1": (3, 2), "B2": (1, 1), "B3": (1, 1), "": (2, 1)}
    by_model = counts_by("model", StatFilters())
    assert [(c.label, c.tickets) for c in by_model] == [("KFR-35GW", 7)]
    months = {c.label: c.tickets for c in counts_by("production_month", StatFilters())}
    assert months["2025-12"] == 3
    Ticket.objects.filter(product_unit__batch="B1").update(cause="materials", updated_at=clock.now())
    refresh()
    pareto = pareto_of("cause", StatFilters())
    assert [(p.key, p.tickets) for p in pareto] == [("materials", 3)]  # unknown causes are not a bar
    with pytest.raises(ValueError):
        pareto_of("batch", StatFilters())


def test_weekly_p_chart_limits_and_out_of_control(world):  # type: ignore[no-untyped-def]
    points = weekly_p_chart(StatFilters(since=D(2026, 3, 2), until=D(2026, 3, 22)), today=D(2026, 6, 1))
    assert [p.week for p in points] == [D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 16)]
    # Week of 2 March: u1 and u2 (first faults); 9 March: u4, u5, u6. 1,500 units in the field.
    assert [(p.faulty_units, p.in_field) for p in points] == [(2, 1500), (3, 1500), (0, 1500)]
    p_bar = 5 / 4500
    assert points[0].centre == pytest.approx(p_bar)
    sigma = (p_bar * (1 - p_bar) / 1500) ** 0.5
    assert points[0].upper == pytest.approx(p_bar + 3 * sigma)
    assert points[0].lower == 0.0
    assert not any(p.out_of_control for p in points)


def test_time_to_failure_per_thousand_units_at_risk(world):  # type: ignore[no-untyped-def]
    ttf = time_to_failure(StatFilters(), today=D(2026, 4, 15))
    # Shipped: 600 in January (age 3), 900 in February (age 2).
    assert ttf.shipped == 1500
    by_month = {m.month: m for m in ttf.months}
    assert by_month[0].at_risk == 1500 and by_month[3].at_risk == 600
    # Month 0: u4, u5, u6 (bought 1 March, failed in March) and the unit-less ticket has no age.
    assert by_month[0].claims == 3
    assert (by_month[1].claims, by_month[1].faulty_units) == (2, 2)  # u1 (2 March), u2 (3 March)
    assert (by_month[2].claims, by_month[2].faulty_units) == (1, 0)  # u1's repeat (6 April)
    assert ttf.unknown_age_claims == 1
    assert by_month[0].per_thousand == pytest.approx(1000 * 3 / 1500)
    assert by_month[0].survival == pytest.approx(1 - 3 / 1500)


def test_months_between():
    assert months_between(D(2026, 1, 15), D(2026, 3, 2)) == 1
    assert months_between(D(2026, 1, 15), D(2026, 3, 15)) == 2
    assert months_between(D(2026, 5, 1), D(2026, 3, 1)) == 0
    assert months_between(None, D(2026, 3, 1)) == -1
