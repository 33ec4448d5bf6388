"""Refunds: the amount with depreciation, the ceiling of what was paid, approval by amount,
payment by finance with a unique reference, and the measure completing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.compensation import services
from aftersales.compensation.models import FulfilmentStatus, Refund
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.notifications.models import Notification
from aftersales.remedies.models import Purchase
from aftersales.tickets.models import MeasureKind, MeasureStatus, PlanMeasure, Ticket, TicketEvent
from aftersales.tickets.process import ticket_resolve

from .helpers import agent, finance, marketing, rule, supervisor, ticket_with

pytestmark = pytest.mark.django_db
FS = FulfilmentStatus


def request(measure, actor, **kwargs):  # type: ignore[no-untyped-def]
    values = {"method": "original", "price_paid": "3000", "daily_rate": "0.001", "fees": "50"}
    values.update(kwargs)
    return services.refund_request(measure=measure, actor=actor, **values)


def test_amount_is_price_less_depreciation_and_fees_and_no_rule_approves_at_once() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=100)
    refund = request(measure, handler)
    # 3000 × 0.001 × 100 days = 300 depreciation; 3000 − 300 − 50 = 2650
    assert (refund.days_used, refund.depreciation, refund.amount) == (100, Decimal("300.00"), Decimal("2650.00"))
    assert refund.status == FS.APPROVED
    assert refund.number.startswith("RF")
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.IN_PROGRESS
    assert Purchase.objects.get(unit_id=ticket.product_unit_id).price_paid == Decimal("3000")
    events = TicketEvent.objects.filter(ticket=ticket, data__refund=refund.number)
    assert events.filter(public=True).exists()
    assert AuditEvent.objects.filter(action="refund.requested").exists()


def test_refund_above_price_paid_is_refused_naming_the_field_and_nothing_is_written() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler)
    with pytest.raises(ValidationFailed) as caught:
        request(measure, handler, amount="3100")
    assert caught.value.field == "amount"
    assert not Refund.objects.exists()
    assert not Purchase.objects.exists()
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.PENDING


def test_several_refunds_of_one_purchase_never_exceed_what_was_paid() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, purchase_days_ago=0)
    request(measure, handler, amount="2000", fees="0")
    # a second refund cannot claim a higher price than the invoice
    with pytest.raises(ValidationFailed) as caught:
        request(measure, handler, price_paid="5000", amount="500")
    assert caught.value.field == "price_paid"
    with pytest.raises(ValidationFailed) as caught:
        request(measure, handler, price_paid="", amount="1500", fees="0")
    assert caught.value.field == "amount"
    assert caught.value.code == "refund_exceeds_paid"
    assert "1000.00" in str(caught.value.message)
    ok = request(measure, handler, price_paid="", amount="1000", fees="0")
    assert ok.amount == Decimal("1000.00")


def test_cancelled_refund_frees_the_amount() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, purchase_days_ago=0)
    first = request(measure, handler, fees="0")
    services.refund_cancel(refund=first, actor=handler, reason="客户改为换货")
    again = request(measure, handler, fees="0")
    assert again.amount == Decimal("3000.00")


def test_approval_by_amount_through_the_approval_rules() -> None:
    handler = agent()
    rule(MeasureKind.REFUND, "2000")
    # plan amount 1000 < 2000: the plan needed no approval; the refund of 2650 does
    _ticket, measure = ticket_with(actor=handler, purchase_days_ago=100)
    boss = supervisor()
    refund = request(measure, handler)
    assert refund.status == FS.AWAITING_APPROVAL
    assert refund.approver_role == "supervisor"
    assert Notification.objects.filter(template="refund_awaiting_approval").exists()
    # not allowed: the agent, finance, the requester
    for someone in (agent(), finance()):
        with pytest.raises(PermissionDenied):
            services.refund_decide(refund=refund, actor=someone, approve=True)
    with pytest.raises(ValidationFailed) as caught:
        services.refund_decide(refund=refund, actor=boss, approve=False)
    assert caught.value.field == "comment"
    decided = services.refund_decide(refund=refund, actor=boss, approve=True, expected_version=refund.version)
    assert decided.status == FS.APPROVED
    assert Notification.objects.filter(template="refund_approved").exists()


def test_administrator_rule_refuses_a_supervisor() -> None:
    handler = agent()
    rule(MeasureKind.REFUND, "100", role="administrator")
    _ticket, measure = ticket_with(actor=handler, amount="50")
    refund = request(measure, handler)
    with pytest.raises(PermissionDenied) as caught:
        services.refund_decide(refund=refund, actor=supervisor(), approve=True)
    assert caught.value.code == "approver_role"


def test_plan_approval_covers_a_refund_up_to_its_amount() -> None:
    handler = agent()
    rule(MeasureKind.REFUND, "500")
    _ticket, measure = ticket_with(actor=handler, amount="3000", purchase_days_ago=0)
    refund = request(measure, handler, fees="0")
    assert refund.status == FS.APPROVED


def test_paying_an_unapproved_refund_is_refused() -> None:
    handler = agent()
    rule(MeasureKind.REFUND, "10")
    _ticket, measure = ticket_with(actor=handler, amount="5")
    refund = request(measure, handler)
    with pytest.raises(DomainError) as caught:
        services.refund_pay(refund=refund, actor=finance(), payment_reference="BANK-1")
    assert caught.value.code == "not_approved"
    assert Refund.objects.get(pk=refund.pk).payment_reference == ""


def test_finance_pays_with_a_unique_reference_then_confirms_and_the_measure_completes() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler)
    refund = request(
        measure, handler, method="bank_transfer", bank_name="工商银行", account_name="张伟", account_number="6222020200112233445"
    )
    with pytest.raises(PermissionDenied):
        services.refund_pay(refund=refund, actor=marketing(), payment_reference="BANK-1")
    with pytest.raises(ValidationFailed) as caught:
        services.refund_pay(refund=refund, actor=finance(), payment_reference=" ")
    assert caught.value.field == "payment_reference"
    cashier = finance()
    with pytest.raises(Conflict):
        services.refund_pay(refund=refund, actor=cashier, payment_reference="BANK-1", expected_version=refund.version - 1)
    paid = services.refund_pay(refund=refund, actor=cashier, payment_reference="BANK-1", expected_version=refund.version)
    assert paid.status == FS.PAID
    note = Notification.objects.filter(template="refund_paid").first()
    assert note is not None and "http" in note.body
    with pytest.raises(DomainError) as caught:
        services.refund_pay(refund=paid, actor=cashier, payment_reference="BANK-2")
    assert caught.value.code == "already_fulfilled"
    with pytest.raises(DomainError):
        services.refund_cancel(refund=paid, actor=handler, reason="晚了")
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.IN_PROGRESS
    services.refund_confirm(refund=paid, actor=cashier)
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.DONE
    # the process goes on without manual edits: the ticket can be resolved
    resolved = ticket_resolve(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler, summary="已退款")
    assert resolved.status == "resolved"


def test_payment_reference_is_unique_across_refunds() -> None:
    handler = agent()
    _t1, m1 = ticket_with(actor=handler)
    _t2, m2 = ticket_with(actor=handler)
    cashier = finance()
    services.refund_pay(refund=request(m1, handler), actor=cashier, payment_reference="BANK-9")
    second = request(m2, handler)
    with pytest.raises(ValidationFailed) as caught:
        services.refund_pay(refund=second, actor=cashier, payment_reference="BANK-9")
    assert caught.value.code == "payment_reference_taken"
    assert Refund.objects.get(pk=second.pk).status == FS.APPROVED


def test_bank_transfer_needs_details_and_they_are_masked_for_roles_without_need() -> None:
    from aftersales.compensation.selectors import bank_account_shown

    handler = agent()
    _ticket, measure = ticket_with(actor=handler)
    with pytest.raises(ValidationFailed) as caught:
        request(measure, handler, method="bank_transfer", bank_name="工商银行", account_name="张伟")
    assert caught.value.field == "account_number"
    refund = request(
        measure, handler, method="bank_transfer", bank_name="工商银行", account_name="张伟", account_number="6222 0202 0011 2233"
    )
    assert bank_account_shown(handler, refund) == "**** 2233"
    assert bank_account_shown(finance(), refund) == "6222020200112233"


def test_wrong_measure_unit_and_roles() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION)
    with pytest.raises(ValidationFailed) as caught:
        request(measure, handler)
    assert caught.value.field == "measure"
    _ticket, measure = ticket_with(actor=handler, unit=None)
    with pytest.raises(ValidationFailed) as caught:
        request(measure, handler)
    assert caught.value.field == "unit"
    _ticket, measure = ticket_with(actor=handler)
    with pytest.raises(PermissionDenied):
        request(measure, finance())
    from aftersales.accounts.models import DataScope

    with pytest.raises(NotFound):
        request(measure, agent(scope=DataScope.OWN))


def test_return_date_before_purchase_is_refused() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, purchase_days_ago=5)
    with pytest.raises(ValidationFailed) as caught:
        request(measure, handler, returned_on=clock.local_today() - dt.timedelta(days=30))
    assert caught.value.field == "returned_on"


def test_an_rma_of_another_ticket_is_refused_on_its_field() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler)
    with pytest.raises(ValidationFailed) as caught:
        request(measure, handler, rma_number="RMA-NOPE")
    assert caught.value.field == "rma_number"
    assert not Refund.objects.exists()
