"""Compensation: approval by amount, fulfilment by marketing (coupon codes, points) and the
warehouse (gift from stock), cash by finance, the abuse check, the measure completing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.compensation import services
from aftersales.compensation.models import Compensation, FulfilmentStatus, PointsCredit
from aftersales.compensation.selectors import customer_history
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.notifications.models import Notification
from aftersales.parts.models import Stock, StockMovement
from aftersales.tickets.models import MeasureKind, MeasureStatus, PlanMeasure

from .helpers import agent, finance, gift_stock, marketing, rule, supervisor, ticket_with, warehouse_keeper

pytestmark = pytest.mark.django_db
FS = FulfilmentStatus
C = MeasureKind.COMPENSATION


def test_coupon_issued_once_with_a_unique_code_and_the_measure_completes() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, kind=C, amount="200")
    item = services.compensation_request(measure=measure, actor=handler, kind="coupon", amount="200", reason="服务延误")
    assert item.status == FS.APPROVED and item.number.startswith("CP")
    with pytest.raises(PermissionDenied):
        services.compensation_issue(compensation=item, actor=warehouse_keeper())
    seller = marketing()
    issued = services.compensation_issue(compensation=item, actor=seller, expected_version=item.version)
    code = issued.code
    assert code and len(code) == 12
    # the retry: refused, nothing changes, the code stays the one generated
    with pytest.raises(DomainError) as caught:
        services.compensation_issue(compensation=item, actor=seller)
    assert caught.value.code == "already_fulfilled"
    assert Compensation.objects.get(pk=item.pk).code == code
    message = Notification.objects.filter(template="compensation_coupon_issued").first()
    assert message is not None and code in message.body
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.IN_PROGRESS
    services.compensation_confirm(compensation=issued, actor=seller)
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.DONE


def test_points_are_credited_once() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, kind=C, amount="0")
    with pytest.raises(ValidationFailed) as caught:
        services.compensation_request(measure=measure, actor=handler, kind="points", points=0)
    assert caught.value.field == "points"
    item = services.compensation_request(measure=measure, actor=handler, kind="points", points=500)
    services.compensation_issue(compensation=item, actor=marketing())
    assert PointsCredit.objects.get(compensation=item).points == 500


def test_gift_from_stock_never_negative() -> None:
    handler = agent()
    part, warehouse = gift_stock(quantity=1)
    _ticket, measure = ticket_with(actor=handler, kind=C, amount="0")
    with pytest.raises(ValidationFailed) as caught:
        services.compensation_request(measure=measure, actor=handler, kind="gift", gift_part=part, gift_quantity=1)
    assert caught.value.field == "warehouse"
    too_many = services.compensation_request(
        measure=measure, actor=handler, kind="gift", gift_part=part, gift_quantity=2, warehouse=warehouse
    )
    keeper = warehouse_keeper()
    with pytest.raises(ValidationFailed) as caught:
        services.compensation_issue(compensation=too_many, actor=keeper)
    assert caught.value.field == "gift_quantity" and caught.value.code == "insufficient_stock"
    assert Compensation.objects.get(pk=too_many.pk).status == FS.APPROVED
    assert Stock.objects.get(part=part).on_hand == 1
    services.compensation_cancel(compensation=too_many, actor=handler, reason="库存不足，改为一件")
    one = services.compensation_request(
        measure=measure, actor=handler, kind="gift", gift_part=part, gift_quantity=1, warehouse=warehouse
    )
    issued = services.compensation_issue(compensation=one, actor=keeper)
    assert Stock.objects.get(part=part).on_hand == 0
    assert StockMovement.objects.get(pk=issued.stock_movement_id).reference == one.number


def test_cash_compensation_is_paid_by_finance_with_a_reference() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, kind=C, amount="300")
    item = services.compensation_request(measure=measure, actor=handler, kind="cash", amount="300")
    with pytest.raises(PermissionDenied):
        services.compensation_issue(compensation=item, actor=marketing(), payment_reference="X1")
    with pytest.raises(ValidationFailed) as caught:
        services.compensation_issue(compensation=item, actor=finance())
    assert caught.value.field == "payment_reference"
    paid = services.compensation_issue(compensation=item, actor=finance(), payment_reference="CASH-1")
    assert paid.status == FS.PAID and paid.payment_reference == "CASH-1"


def test_approval_by_amount_and_refusal() -> None:
    handler = agent()
    rule(C, "100")
    boss = supervisor()
    _ticket, measure = ticket_with(actor=handler, kind=C, amount="50")
    item = services.compensation_request(measure=measure, actor=handler, kind="coupon", amount="500")
    assert item.status == FS.AWAITING_APPROVAL
    with pytest.raises(DomainError) as caught:
        services.compensation_issue(compensation=item, actor=marketing())
    assert caught.value.code == "not_approved"
    refused = services.compensation_decide(compensation=item, actor=boss, approve=False, comment="金额过高")
    assert refused.status == FS.REFUSED
    assert refused.code is None


def test_recent_compensation_of_the_same_customer_warns() -> None:
    handler = agent()
    _t1, m1 = ticket_with(actor=handler, kind=C, amount="100", phone="13900001111")
    first = services.compensation_request(measure=m1, actor=handler, kind="coupon", amount="100")
    _t2, m2 = ticket_with(actor=handler, kind=C, amount="100", phone="13900001111")
    history = customer_history(user=handler, customer=m2.plan.ticket.customer)
    assert history.warning and history.recent_count == 1
    assert history.entries[0].number == first.number
    second = services.compensation_request(measure=m2, actor=handler, kind="coupon", amount="100")
    assert customer_history(user=handler, customer=second.customer, exclude=second).recent_count == 1
    services.compensation_cancel(compensation=first, actor=handler, reason="重复")
    assert customer_history(user=handler, customer=second.customer, exclude=second).recent_count == 0
    other = ticket_with(actor=handler, kind=C, amount="100", phone="13900002222")[0]
    assert not customer_history(user=handler, customer=other.customer).warning


def test_points_value_may_be_zero_but_a_coupon_needs_an_amount() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, kind=C, amount="100")
    with pytest.raises(ValidationFailed) as caught:
        services.compensation_request(measure=measure, actor=handler, kind="coupon", amount="0")
    assert caught.value.field == "amount"
    with pytest.raises(ValidationFailed) as caught:
        services.compensation_request(measure=measure, actor=handler, kind="voucher", amount="10")
    assert caught.value.field == "kind"
    assert not Compensation.objects.exists()
    assert Decimal("0") == sum((c.amount for c in Compensation.objects.all()), Decimal("0"))
