"""Issue 21: a masked value revealed with a reason, for one page view, audited and rate-limited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.privacy.audit_actions import PrivacyAudit
from tests.clients import client_for
from tests.factories import RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket():
    return make_ticket(actor=UserFactory(role=Role.AGENT), phone="13812345678", email="zhang.wei@example.com")


@pytest.fixture
def keeper():
    return UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL, username="keeper")


def reveal_url(ticket, field: str = "phone") -> str:
    return reverse("privacy:reveal", args=[ticket.number, field])


def test_the_ticket_page_offers_show_on_masked_values_only(ticket, keeper):
    html = client_for(keeper).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert "138 **** 5678" in html and 'data-test-id="reveal-show-phone"' in html
    assert reveal_url(ticket) in html
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    html = client_for(supervisor).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert "138 1234 5678" in html and 'data-test-id="reveal-show-phone"' not in html


def test_show_asks_for_a_reason_and_a_reason_is_required(ticket, keeper):
    client = client_for(keeper)
    form = client.get(reveal_url(ticket), HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    refused = client.post(reveal_url(ticket), {"reason": "", "detail": ""})
    assert refused.status_code == 422 and "138 1234 5678" not in refused.content.decode()
    other_without_text = client.post(reveal_url(ticket), {"reason": "other", "detail": "  "})
    assert other_without_text.status_code == 422
    assert 'data-test-id="reveal-error-detail"' in other_without_text.content.decode()
    assert not AuditEvent.objects.filter(action=PrivacyAudit.REVEALED).exists()
    # htmx swaps only 2xx: the same refusal comes back as 200 with the errors to an htmx request.
    htmx = client.post(reveal_url(ticket), {"reason": ""}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and 'data-test-id="reveal-error-reason"' in htmx.content.decode()


def test_a_reveal_shows_the_value_once_and_writes_who_whose_which_and_why(ticket, keeper):
    client = client_for(keeper)
    shown = client.post(reveal_url(ticket), {"reason": "call_customer", "detail": "约上门时间"}, HTTP_HX_REQUEST="true")
    assert shown.status_code == 200 and "138 1234 5678" in shown.content.decode()
    event = AuditEvent.objects.get(action=PrivacyAudit.REVEALED)
    assert event.actor == keeper
    assert (event.object_type, event.object_id) == ("customers.customer", str(ticket.customer_id))
    assert event.changes == {"ticket": ticket.number, "field": "phone", "reason": "call_customer", "detail": "约上门时间"}
    email = client.post(reveal_url(ticket, "contact_email"), {"reason": "other", "detail": "发送报价"})
    assert email.status_code == 200 and "zhang.wei@example.com" in email.content.decode()
    # The next page view is masked again.
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert "138 1234 5678" not in page and "zhang.wei@example.com" not in page


def test_reveal_is_scoped_and_only_for_masked_roles(ticket):
    elsewhere = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.REGION, region=RegionFactory())
    assert client_for(elsewhere).post(reveal_url(ticket), {"reason": "call_customer"}).status_code == 404
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    assert client_for(agent).get(reveal_url(ticket)).status_code == 403
    keeper = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    assert client_for(keeper).get(reveal_url(ticket, "address")).status_code == 404
    assert not AuditEvent.objects.filter(action=PrivacyAudit.REVEALED).exists()


def test_over_the_hourly_limit_reveals_are_refused_and_the_refusal_audited(ticket, keeper, settings):
    settings.PRIVACY_REVEALS_PER_HOUR = 2
    client = client_for(keeper)
    for _ in range(2):
        assert "138 1234 5678" in client.post(reveal_url(ticket), {"reason": "call_customer"}).content.decode()
    refused = client.post(reveal_url(ticket), {"reason": "call_customer"})
    assert refused.status_code == 429 and "138 1234 5678" not in refused.content.decode()
    assert 'data-test-id="reveal-refused"' in refused.content.decode()
    refusal = AuditEvent.objects.get(action=PrivacyAudit.REVEAL_REFUSED)
    assert refusal.actor == keeper and refusal.changes["field"] == "phone" and refusal.changes["limit"] == 2
    # An hour later the window has moved on.
    AuditEvent.objects.filter(action=PrivacyAudit.REVEALED).update(created_at=clock.now() - dt.timedelta(minutes=61))
    assert client.post(reveal_url(ticket), {"reason": "call_customer"}).status_code == 200


def test_the_reveals_log_filters_by_user_customer_and_refusals(ticket, keeper, settings):
    settings.PRIVACY_REVEALS_PER_HOUR = 1
    client = client_for(keeper)
    client.post(reveal_url(ticket), {"reason": "verify_identity"})
    client.post(reveal_url(ticket), {"reason": "call_customer"})  # refused
    other = make_ticket(actor=UserFactory(role=Role.AGENT), phone="13900001111")
    tech = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.ALL, username="tech")
    client_for(tech).post(reveal_url(other), {"reason": "arrange_visit"})
    boss = client_for(UserFactory(role=Role.SUPERVISOR))
    url = reverse("privacy:reveals")
    assert boss.get(url).content.decode().count('data-test-id="reveal-row"') == 3
    assert boss.get(url, {"actor": "tech"}).content.decode().count('data-test-id="reveal-row"') == 1
    by_customer = boss.get(url, {"customer": str(ticket.customer_id)}).content.decode()
    assert by_customer.count('data-test-id="reveal-row"') == 2
    refused = boss.get(url, {"refused": "1"}).content.decode()
    assert refused.count('data-test-id="reveal-row"') == 1
    assert "Call the customer about this ticket" in refused or "就此工单致电客户" in refused  # the reason in words
    assert client_for(keeper).get(url).status_code == 403
