"""``refund.requested`` and ``compensation.requested`` (docs/webhooks.md): sent once when the
request is created — by the service, the staff page or the API (a retried API call with the same
Idempotency-Key too) — in the request's transaction, before the first ``status_changed``; with
the number, the ticket, the amount and its currency, the kind, the reason's category and not the
bank account, the coupon code or the reason typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from aftersales.compensation import services
from aftersales.compensation.models import Compensation, FulfilmentStatus, Refund
from aftersales.core.errors import ValidationFailed
from aftersales.remedies.services import remedy_decide
from aftersales.tickets.models import MeasureKind, Ticket, TicketCategory
from aftersales.webhooks.models import Event
from tests.api.conftest import api_client
from tests.clients import client_for
from tests.compensation.helpers import agent, rule, supervisor, ticket_with
from tests.factories import RegionFactory
from tests.webhooks.test_domain_events import sent, subscribe, text_of

pytestmark = pytest.mark.django_db

ACCOUNT = "6222020200112233"
WHY = "客户王芳三次报修未修好"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """The API's rate limits count in the cache; the subscriptions' cache is emptied with it."""
    cache.clear()
    yield
    cache.clear()


def categorised(ticket: Ticket, code: str) -> TicketCategory:
    """The ticket classified under a complaint category of its own (the seeded ones aside)."""
    category = TicketCategory.objects.create(code=code, name="测试类别", name_en="Test category")
    Ticket.objects.filter(pk=ticket.pk).update(category=category)
    return category


def test_a_refund_request_is_sent_once_before_its_first_move() -> None:
    subscribe("refund.requested", "refund.status_changed")
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=100)
    categorised(ticket, "refund-quality")
    refund = services.refund_request(
        measure=measure,
        actor=handler,
        method="bank_transfer",
        price_paid="3000",
        daily_rate="0.001",
        fees="50",
        bank_name="工商银行",
        account_name="王芳",
        account_number=ACCOUNT,
        reason=WHY,
    )
    [requested] = sent("refund.requested")
    assert requested["ticket"]["number"] == ticket.number
    data = requested["refund"]
    assert data["number"] == refund.number and data["status"] == FulfilmentStatus.REQUESTED
    assert data["amount"] == f"{refund.amount:.2f}" == "2650.00" and data["currency"] == "CNY"
    assert data["method"] == "bank_transfer" and data["price"] == "3000.00" and data["fees"] == "50.00"
    assert data["requested_at"] and data["decided_at"] is None
    assert requested["reason_category"] == "refund-quality" and requested["has_reason"] is True
    assert requested["remedy_rule"] is None
    # The request comes first; its routing (no rule: approved at once) follows in the same commit.
    first_move = Event.objects.filter(event_type="refund.status_changed").order_by("pk").first()
    assert first_move is not None and first_move.pk > Event.objects.get(event_type="refund.requested").pk
    assert (first_move.payload["data"]["from_status"], first_move.payload["data"]["to_status"]) == ("requested", "approved")
    # Neither the bank account, its holder nor the reason typed.
    text = text_of("refund.requested")
    assert ACCOUNT not in text and "王芳" not in text and WHY not in text and "工商银行" not in text
    # Later moves send status changes only.
    services.refund_cancel(refund=Refund.objects.get(pk=refund.pk), actor=handler, reason="客户撤回")
    assert len(sent("refund.requested")) == 1
    assert sent("refund.status_changed")[-1]["to_status"] == FulfilmentStatus.CANCELLED


def test_a_refund_names_the_remedy_rule_and_an_unclassified_ticket_has_no_category() -> None:
    subscribe("refund.requested")
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=5)
    decision = remedy_decide(ticket=ticket, actor=handler, remedy="return", price_paid="3000")
    services.refund_request(measure=measure, actor=handler, method="original", price_paid="3000", daily_rate="0")
    [requested] = sent("refund.requested")
    assert requested["remedy_rule"] == decision.rule and decision.rule
    assert requested["reason_category"] is None and requested["has_reason"] is False


def test_a_compensation_request_with_its_kind_while_it_waits_for_approval() -> None:
    subscribe("compensation.requested", "compensation.status_changed")
    handler = agent()
    ticket, measure = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="300")
    rule(MeasureKind.COMPENSATION, "100")  # set after the plan's agreement: this request needs its own approval
    categorised(ticket, "coupon-delay")
    item = services.compensation_request(measure=measure, actor=handler, kind="coupon", amount="300", reason=WHY)
    assert Compensation.objects.get(pk=item.pk).status == FulfilmentStatus.AWAITING_APPROVAL
    [requested] = sent("compensation.requested")
    data = requested["compensation"]
    assert requested["ticket"]["number"] == ticket.number
    assert data["number"] == item.number and data["kind"] == "coupon" and data["status"] == FulfilmentStatus.REQUESTED
    assert data["amount"] == "300.00" and data["currency"] == "CNY" and data["points"] == 0
    assert requested["reason_category"] == "coupon-delay" and requested["has_reason"] is True
    assert "remedy_rule" not in requested and "code" not in data and WHY not in text_of("compensation.requested")
    [move] = sent("compensation.status_changed")
    assert (move["from_status"], move["to_status"]) == ("requested", "awaiting_approval")
    # The approval is a status change, not a second request.
    services.compensation_decide(compensation=Compensation.objects.get(pk=item.pk), actor=supervisor(), approve=True)
    assert len(sent("compensation.requested")) == 1 and len(sent("compensation.status_changed")) == 2


def test_the_staff_pages_send_one_event_each() -> None:
    subscribe("refund.requested", "compensation.requested")
    handler = agent()
    client = client_for(handler)
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=20)
    refused = client.post(
        reverse("compensation:refund_new", args=[ticket.number]),
        {"measure": measure.pk, "method": "original", "price_paid": "2000", "daily_rate": "0.001", "fees": "0", "amount": "2500"},
    )
    assert refused.status_code == 422 and sent("refund.requested") == []  # a refused request sends nothing
    good = client.post(
        reverse("compensation:refund_new", args=[ticket.number]),
        {"measure": measure.pk, "method": "original", "price_paid": "2000", "daily_rate": "0.001", "fees": "0"},
    )
    assert good.status_code == 302
    [requested] = sent("refund.requested")
    assert requested["refund"]["number"] == Refund.objects.get().number
    ticket2, measure2 = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="88")
    made = client.post(
        reverse("compensation:compensation_new", args=[ticket2.number]),
        {"measure": measure2.pk, "kind": "cash", "amount": "88"},
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    [compensated] = sent("compensation.requested")
    assert compensated["compensation"]["kind"] == "cash" and compensated["compensation"]["amount"] == "88.00"
    assert compensated["ticket"]["number"] == ticket2.number


def test_the_api_sends_one_event_also_for_a_retried_create() -> None:
    subscribe("refund.requested", "compensation.requested")
    handler = agent()
    client = api_client(handler)
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=10)
    body = {"ticket": ticket.number, "measure_id": measure.pk, "method": "original", "price_paid": "3000", "daily_rate": "0.001"}
    key = {"Idempotency-Key": "refund-h8"}
    first = client.post("/api/v1/refunds", body, headers=key)
    again = client.post("/api/v1/refunds", body, headers=key)
    assert first.status_code == again.status_code == 201 and first.json()["number"] == again.json()["number"]
    [requested] = sent("refund.requested")
    assert requested["refund"]["number"] == first.json()["number"] and requested["refund"]["amount"] == "2970.00"
    ticket2, measure2 = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="100")
    created = client.post(
        "/api/v1/compensations", {"ticket": ticket2.number, "measure_id": measure2.pk, "kind": "coupon", "amount": "100"}
    )
    assert created.status_code == 201, created.content
    [compensated] = sent("compensation.requested")
    assert compensated["compensation"]["number"] == created.json()["number"]


def test_a_rolled_back_request_sends_nothing() -> None:
    subscribe("refund.requested", "compensation.requested")
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="50")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.compensation_request(measure=measure, actor=handler, kind="cash", amount="50")
        assert len(sent("compensation.requested")) == 1  # recorded inside the transaction
        raise RuntimeError("the caller's transaction fails after the request")
    assert sent("compensation.requested") == [] and not Compensation.objects.exists()
    _ticket2, measure2 = ticket_with(actor=handler, purchase_days_ago=10)
    with pytest.raises(ValidationFailed):
        services.refund_request(measure=measure2, actor=handler, method="bank_transfer", price_paid="3000", daily_rate="0")
    assert sent("refund.requested") == []


def test_only_the_tickets_region_and_only_subscribers() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="60")
    services.compensation_request(measure=measure, actor=handler, kind="cash", amount="60")
    assert not Event.objects.exists()  # nobody subscribes: nothing stored
    subscribe("compensation.requested", region=RegionFactory())
    _ticket2, measure2 = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="60")
    services.compensation_request(measure=measure2, actor=handler, kind="cash", amount="60")
    assert not Event.objects.exists()  # another region's subscription
    home = RegionFactory()
    subscribe("compensation.requested", region=home)
    ticket3, measure3 = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="60", region=home)
    services.compensation_request(measure=measure3, actor=handler, kind="cash", amount="60")
    [requested] = sent("compensation.requested")
    assert requested["ticket"]["number"] == ticket3.number and requested["ticket"]["region"] == home.code
