"""The data migrations of the one record of the price paid (remedies 0003, compensation 0002):
a remedy decision's price and the compensation app's purchase records become the unit's
``remedies.Purchase`` (the compensation app's values win), refunds point at it, and nothing
that had a unit is lost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aftersales.compensation.models import Refund
from aftersales.core import clock
from aftersales.remedies.models import Purchase, RemedyDecision
from tests.factories import ProductUnitFactory

from .helpers import agent, ticket_with

BEFORE = [("remedies", "0002_default_policy"), ("compensation", "0001_initial")]
AFTER = [("remedies", "0003_purchase_record"), ("compensation", "0002_purchase_in_remedies")]


@pytest.mark.django_db(transaction=True)
def test_decision_prices_and_purchase_records_become_one_record_per_unit() -> None:
    handler = agent()
    refunded_unit, decided_unit = ProductUnitFactory(), ProductUnitFactory()
    refunded, measure = ticket_with(actor=handler, unit=refunded_unit)
    decided, _m = ticket_with(actor=handler, unit=decided_unit)
    no_unit, _n = ticket_with(actor=handler, unit=None)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldPurchase = old.get_model("compensation", "Purchase")
    OldRefund = old.get_model("compensation", "Refund")
    OldDecision = old.get_model("remedies", "RemedyDecision")
    now = clock.now()
    paid = OldPurchase.objects.create(
        unit_id=refunded_unit.pk, price_paid=Decimal("2500"), purchased_on=refunded_unit.purchase_date, recorded_at=now
    )
    OldRefund.objects.create(
        number="RF1",
        ticket_id=refunded.pk,
        measure_id=measure.pk,
        customer_id=refunded.customer_id,
        amount=Decimal("1000"),
        requested_at=now,
        updated_at=now,
        purchase_id=paid.pk,
        price=Decimal("2500"),
        purchased_on=refunded_unit.purchase_date,
        returned_on=refunded_unit.purchase_date,
        days_used=0,
        daily_rate=Decimal("0"),
        depreciation=Decimal("0"),
        method="cash",
    )
    for ticket, price in ((refunded, "3000"), (decided, "1800"), (no_unit, "900")):
        OldDecision.objects.create(
            ticket_id=ticket.pk, rule="return_period", chosen="return", price_paid=Decimal(price), decided_at=now
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)  # back where the test database was (the other apps untouched)

    records = {p.unit_id: p for p in Purchase.objects.all()}
    assert set(records) == {refunded_unit.pk, decided_unit.pk}
    assert records[refunded_unit.pk].price_paid == Decimal("2500.00")  # the refund's record wins
    assert records[decided_unit.pk].price_paid == Decimal("1800.00")
    assert records[decided_unit.pk].purchased_on == decided_unit.purchase_date
    assert Refund.objects.get(number="RF1").purchase_id == records[refunded_unit.pk].pk
    prices = {d.ticket_id: d.price_paid for d in RemedyDecision.objects.select_related("ticket__product_unit")}
    assert prices == {refunded.pk: Decimal("2500.00"), decided.pk: Decimal("1800.00"), no_unit.pk: None}
