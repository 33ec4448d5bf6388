"""Pages: the ticket panel, the request forms with the formula and errors on their fields, the
queues, the detail steps (htmx), the customer's history and the recent-compensation warning."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.compensation import services
from aftersales.compensation.models import FulfilmentStatus, Refund
from aftersales.tickets.models import MeasureKind
from tests.clients import client_for

from .helpers import agent, finance, marketing, rule, supervisor, ticket_with

pytestmark = pytest.mark.django_db
FS = FulfilmentStatus


def panel(client: Client, ticket) -> str:  # type: ignore[no-untyped-def]
    """The ticket page's panel as htmx loads it after the page (with the customer card's summary
    out of band)."""
    response = client.get(reverse("compensation:ticket_panel", args=[ticket.number]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def test_ticket_panel_offers_the_refund_and_the_form_shows_the_formula_and_errors() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=20)
    client = client_for(handler)
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    panel_url = reverse("compensation:ticket_panel", args=[ticket.number])
    assert 'data-test-id="compensation-panel-loading"' in page and f'hx-get="{panel_url}"' in page
    assert 'data-test-id="request-refund"' not in page and '<span id="customer-compensation" hidden></span>' in page
    assert 'data-test-id="request-refund"' in panel(client, ticket)
    form_url = reverse("compensation:refund_new", args=[ticket.number])
    preview = client.post(
        reverse("compensation:refund_preview", args=[ticket.number]),
        {"price_paid": "2000", "purchased_on": "2026-01-01", "returned_on": "2026-01-11", "daily_rate": "0.001", "fees": "10"},
    ).content.decode()
    assert "2000.00 − 20.00 − 10.00 = " in preview and "1970.00" in preview
    bad = client.post(
        form_url,
        {"measure": measure.pk, "method": "original", "price_paid": "2000", "daily_rate": "0.001", "fees": "0", "amount": "2500"},
    )
    assert bad.status_code == 422
    assert 'data-test-id="error-amount"' in bad.content.decode()
    assert not Refund.objects.exists()
    good = client.post(
        form_url, {"measure": measure.pk, "method": "original", "price_paid": "2000", "daily_rate": "0.001", "fees": "0"}
    )
    refund = Refund.objects.get()
    assert good.status_code == 302 and good["Location"] == reverse("compensation:refund", args=[refund.number])
    detail = client.get(good["Location"]).content.decode()
    assert "refund-formula" in detail and refund.number in detail
    answer = panel(client, ticket)
    assert refund.number in answer
    # the customer card's summary comes out of band with the panel
    assert 'id="customer-compensation" data-test-id="customer-compensation" hx-swap-oob="true"' in answer


def test_finance_queue_and_htmx_pay_step() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler)
    refund = services.refund_request(measure=measure, actor=handler, method="original", price_paid="1000", fees="0")
    cashier = client_for(finance())
    queue = cashier.get(reverse("compensation:queues")).content.decode()
    assert 'data-test-id="queue-to-pay"' in queue and refund.number in queue
    url = reverse("compensation:refund_step", args=[refund.number, "fulfil"])
    empty = cashier.post(url, {"payment_reference": "", "version": refund.version}, headers={"HX-Request": "true"})
    assert 'data-test-id="error-payment_reference"' in empty.content.decode()
    done = cashier.post(url, {"payment_reference": "BANK-77", "version": refund.version}, headers={"HX-Request": "true"})
    assert 'data-status="paid"' in done.content.decode()
    stale = cashier.post(reverse("compensation:refund_step", args=[refund.number, "confirm"]), {"version": refund.version})
    assert stale.status_code == 302
    assert Refund.objects.get(pk=refund.pk).status == FS.PAID


def test_an_agent_cannot_pay_and_sees_no_pay_form() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler)
    refund = services.refund_request(measure=measure, actor=handler, method="original", price_paid="1000", fees="0")
    client = client_for(handler)
    assert 'data-test-id="step-fulfil"' not in client.get(reverse("compensation:refund", args=[refund.number])).content.decode()
    client.post(reverse("compensation:refund_step", args=[refund.number, "fulfil"]), {"payment_reference": "X"})
    assert Refund.objects.get(pk=refund.pk).status == FS.APPROVED


def test_approver_sees_the_recent_compensation_warning_and_marketing_issues() -> None:
    handler = agent()
    rule(MeasureKind.COMPENSATION, "100")
    _t1, m1 = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="50", phone="13911112222")
    services.compensation_request(measure=m1, actor=handler, kind="coupon", amount="50")
    t2, m2 = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="50", phone="13911112222")
    # the agent sees the warning on the ticket and the request form before proposing
    page = panel(client_for(handler), t2)
    assert 'data-test-id="compensation-recent-warning"' in page
    assert 'data-test-id="customer-compensation-recent"' in page
    form = client_for(handler).get(reverse("compensation:compensation_new", args=[t2.number])).content.decode()
    assert 'data-test-id="compensation-recent-warning"' in form
    second = services.compensation_request(measure=m2, actor=handler, kind="coupon", amount="200")
    assert second.status == FS.AWAITING_APPROVAL
    boss = client_for(supervisor())
    detail = boss.get(reverse("compensation:compensation", args=[second.number])).content.decode()
    assert 'data-test-id="compensation-recent-warning"' in detail and 'data-test-id="step-decide"' in detail
    boss.post(reverse("compensation:compensation_step", args=[second.number, "decide"]), {"decision": "approve"})
    seller = client_for(marketing())
    assert second.number in seller.get(reverse("compensation:queues")).content.decode()
    seller.post(reverse("compensation:compensation_step", args=[second.number, "fulfil"]))
    issued = seller.get(reverse("compensation:compensation", args=[second.number])).content.decode()
    assert 'data-test-id="cp-code"' in issued
    history = seller.get(reverse("compensation:customer", args=[second.customer_id])).content.decode()
    assert history.count('data-test-id="history-row"') == 2


def test_pages_in_english_and_chinese_and_for_customers() -> None:
    handler = agent()
    _ticket, measure = ticket_with(actor=handler)
    refund = services.refund_request(measure=measure, actor=handler, method="original", price_paid="1000", fees="0")
    client = client_for(handler)
    zh = client.get(reverse("compensation:refund", args=[refund.number]), headers={"Accept-Language": "zh-hans"})
    assert zh.status_code == 200
    ticket_panel = reverse("compensation:ticket_panel", args=[_ticket.number])
    zh_panel = client.get(ticket_panel, headers={"Accept-Language": "zh-hans"}).content.decode()
    client.cookies.load({"django_language": "en"})
    en_panel = client.get(ticket_panel, headers={"Accept-Language": "en"}).content.decode()
    assert "<html" in zh_panel and "退款与补偿" in zh_panel and refund.number in zh_panel  # without JavaScript: a page
    assert "Refunds and compensation" in en_panel and "退款与补偿" not in en_panel
    assert client.get(reverse("compensation:queues")).status_code == 200
    from tests.api.conftest import customer_user

    customer = customer_user(measure.plan.ticket, "cust-pages")
    assert client_for(customer).get(reverse("compensation:refund", args=[refund.number])).status_code == 403
    assert client_for(customer).get(ticket_panel, headers={"HX-Request": "true"}).status_code == 403
