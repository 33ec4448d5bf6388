"""The refund's daily depreciation comes from the 三包 policy of the ticket's product category
(the settings' default only when no policy applies), and the price paid has one record
(``remedies.Purchase``) that the remedy decision and every refund read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.compensation import selectors, services
from aftersales.compensation.models import Refund
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.remedies.choices import Remedy
from aftersales.remedies.models import Purchase, RemedyDecision, RemedyPolicy
from aftersales.remedies.selectors import decision_of, ticket_daily_rate
from aftersales.remedies.services import remedy_decide
from aftersales.tickets.models import MeasureKind

from .helpers import agent, ticket_with

pytestmark = pytest.mark.django_db


def refund(measure, actor, **kwargs):  # type: ignore[no-untyped-def]
    values = {"method": "original", "price_paid": "3000", "fees": "0"}
    values.update(kwargs)
    return services.refund_request(measure=measure, actor=actor, **values)


# --- 1. the daily rate of the ticket's product category ------------------------------------------------


def test_a_category_with_its_own_rate_changes_the_refund_breakdown() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=100)
    category = ticket.product_unit.model.category
    RemedyPolicy.objects.create(category=category, daily_depreciation_percent=Decimal("0.250"))
    assert ticket_daily_rate(ticket=ticket) == Decimal("0.0025")
    assert selectors.refund_limits(ticket=ticket).daily_rate == Decimal("0.002500")
    made = refund(measure, handler)
    # 3000 × 0.25 % × 100 days = 750; 3000 − 750 = 2250
    assert (made.daily_rate, made.depreciation, made.amount) == (Decimal("0.002500"), Decimal("750.00"), Decimal("2250.00"))


def test_without_its_own_policy_the_default_policy_rate_applies() -> None:
    handler = agent()
    default = RemedyPolicy.objects.get(category__isnull=True)
    default.daily_depreciation_percent = Decimal("0.200")
    default.save()
    _ticket, measure = ticket_with(actor=handler, purchase_days_ago=100)
    made = refund(measure, handler)
    assert (made.daily_rate, made.depreciation, made.amount) == (Decimal("0.002000"), Decimal("600.00"), Decimal("2400.00"))


def test_the_settings_rate_only_when_no_policy_applies(settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPENSATION_DEFAULT_DAILY_RATE = "0.003"
    RemedyPolicy.objects.all().delete()
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=100)
    assert ticket_daily_rate(ticket=ticket) is None
    made = refund(measure, handler)
    assert (made.daily_rate, made.depreciation) == (Decimal("0.003000"), Decimal("900.00"))


def test_a_rate_given_by_the_caller_still_wins() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=100)
    RemedyPolicy.objects.create(category=ticket.product_unit.model.category, daily_depreciation_percent=Decimal("0.250"))
    made = refund(measure, handler, daily_rate="0")
    assert (made.daily_rate, made.amount) == (Decimal("0"), Decimal("3000.00"))


# --- 2. one record of the price paid ----------------------------------------------------------------


def test_the_remedy_decision_records_the_price_and_the_refund_reads_it() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=5)
    decision = remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.RETURN, price_paid="3000", reason="退货")
    purchase = Purchase.objects.get(unit_id=ticket.product_unit_id)
    assert purchase.price_paid == Decimal("3000.00")
    assert purchase.purchased_on == ticket.product_unit.purchase_date
    assert decision.price_paid == Decimal("3000.00")
    assert decision_of(ticket=ticket).price_paid == Decimal("3000.00")
    assert AuditEvent.objects.filter(action="remedies.purchase_recorded", object_id=str(purchase.pk)).count() == 1
    # The refund needs no price any more: it reads the same record, and refunds are capped by it.
    made = refund(measure, handler, price_paid="", daily_rate="0", amount="1000")
    assert made.purchase_id == purchase.pk and made.price == Decimal("3000.00")
    assert Purchase.objects.count() == 1
    assert AuditEvent.objects.filter(action="remedies.purchase_recorded").count() == 1
    with pytest.raises(ValidationFailed) as caught:
        refund(measure, handler, price_paid="3500")
    assert caught.value.field == "price_paid" and caught.value.code == "price_above_paid"


def test_a_decision_reads_the_price_a_refund_recorded() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=5)
    refund(measure, handler, price_paid="2000", daily_rate="0", amount="100")
    decision = remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.RETURN, reason="退货")
    assert decision.price_paid == Decimal("2000.00")
    assert decision.refund_amount == Decimal("2000.00")  # a return within the return period: the price
    with pytest.raises(ValidationFailed) as caught:
        remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.RETURN, price_paid="1900", reason="退货")
    assert caught.value.code == "price_differs" and "price_paid" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.RETURN, price_paid="2100", reason="退货")
    assert caught.value.code == "price_above_paid"
    assert RemedyDecision.objects.get().version == 1
    same = remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.RETURN, price_paid="2000", reason="退货")
    assert same.version == 2 and Purchase.objects.count() == 1


def test_a_price_without_a_unit_is_refused_and_nothing_is_written() -> None:
    handler = agent()
    ticket, _measure = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, unit=None)
    with pytest.raises(ValidationFailed) as caught:
        remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.RETURN, price_paid="3000", reason="退货")
    assert caught.value.code == "unit_required" and "price_paid" in caught.value.errors
    assert not RemedyDecision.objects.exists() and not Purchase.objects.exists()
    decision = remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.REPAIR_PAID, reason="无机身")
    assert decision.price_paid is None


def test_refunds_of_decision_and_refund_together_never_exceed_what_was_paid() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=5)
    remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.RETURN, price_paid="3000", reason="退货")
    refund(measure, handler, price_paid="", daily_rate="0", amount="2000")
    with pytest.raises(ValidationFailed) as caught:
        refund(measure, handler, price_paid="", daily_rate="0", amount="1500")
    assert caught.value.code == "refund_exceeds_paid"
    assert Refund.objects.count() == 1
    assert clock.local_today() - Purchase.objects.get().purchased_on == dt.timedelta(days=5)
