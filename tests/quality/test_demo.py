"""The quality demo: shipments, a batch with a real defect, an action whose check shows the drop;
a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from aftersales.catalog.models import ShipmentVolume
from aftersales.demo.quality import DEMO_MODEL, load_quality_demo
from aftersales.quality.models import ImprovementAction
from aftersales.quality.statistics import StatFilters, batch_fault_rates
from aftersales.tickets.models import Ticket
from tests.factories import ProductModelFactory, ProductUnitFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_demo_has_a_defect_batch_and_an_action_whose_check_shows_the_drop():
    model = ProductModelFactory(code=DEMO_MODEL)
    unit = ProductUnitFactory(model=model, batch="B20260301")
    make_ticket(serial_number=unit.serial_number)
    # Years of earlier production of the same model with no fault kept (as the imports demo's
    # shipment file brings): the check compares the span just before the change, not these.
    for year in (2022, 2023, 2024):
        ShipmentVolume.objects.create(model=model, batch=f"B{year}0601", month=dt.date(year, 6, 1), region=None, units=200_000)
    load_quality_demo(io.StringIO())
    counts = (Ticket.objects.count(), ShipmentVolume.objects.count(), ImprovementAction.objects.count())
    rates = {r.batch: r for r in batch_fault_rates(StatFilters(model_id=model.pk)).rows}
    worst = max(rates.values(), key=lambda r: r.rate or 0)
    assert worst.batch.startswith("QA") and worst.faulty_units == 30 and worst.shipped == 1000
    assert rates["B20260301"].shipped  # the registered batch got its shipment volume
    action = ImprovementAction.objects.get()
    assert action.status == "act" and action.check_passed is True
    assert action.check_before_faulty / action.check_before_units > 5 * action.check_after_faulty / action.check_after_units
    # The archived repairs read like tickets: registered, resolved, closed on their timelines, and
    # none of them on a customer who signs in to the portal.
    archived = Ticket.objects.filter(product_unit__batch__startswith="QA")
    assert archived.count() == 76
    assert {t.events.filter(public=True).count() for t in archived} == {3}
    assert not archived.filter(customer__user__isnull=False).exists()
    load_quality_demo(io.StringIO())
    assert (Ticket.objects.count(), ShipmentVolume.objects.count(), ImprovementAction.objects.count()) == counts


def test_demo_gives_the_fault_rates_per_factory_supplier_and_month_their_figures():
    from aftersales.catalog.models import ProductionBatch
    from aftersales.demo.quality import FACTORY, SECOND_SUPPLIER, SUPPLIER
    from aftersales.quality.rates import group_rates

    model = ProductModelFactory(code=DEMO_MODEL)
    make_ticket(serial_number=ProductUnitFactory(model=model, batch="B20260301", factory="合肥工厂").serial_number)
    load_quality_demo(io.StringIO())
    registered = ProductionBatch.objects.count()
    assert registered == 13  # the twelve story batches and the other one, inferred from its unit
    factories = {r.key: r for r in group_rates("factory", StatFilters()).rows}
    assert factories[FACTORY].shipped == 12_000 and factories[FACTORY].faulty_units == 76
    assert "合肥工厂" in factories
    suppliers = {r.key: r for r in group_rates("supplier", StatFilters()).rows}
    assert suppliers[SUPPLIER].faulty_units == 30 and suppliers[SUPPLIER].shipped == 7000
    assert suppliers[SECOND_SUPPLIER].faulty_units == 0 and suppliers[SECOND_SUPPLIER].shipped == 5000
    assert len(group_rates("production_month", StatFilters()).rows) >= 12
    load_quality_demo(io.StringIO())
    assert ProductionBatch.objects.count() == registered
