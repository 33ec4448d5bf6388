"""Issue 14: the first-response clock stops at the first customer-facing contact by staff — a
verification call, a request for information, the plan sent to the customer, a rejection, a
message or call on the timeline — and not at internal notes or the customer's own messages. The
ticket page says what stopped it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.sla.models import ClockStatus, SlaClock, SlaMetric
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.process import (
    ticket_record_agreement,
    ticket_record_verification,
    ticket_reject,
    ticket_request_information,
    ticket_start_verification,
    ticket_submit_plan,
)
from aftersales.tickets.services import ticket_add_customer_message, ticket_add_note
from tests.factories import make_ticket
from tests.tickets.process_helpers import agent, analysed, repair_plan

pytestmark = pytest.mark.django_db


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def _first_response_clock(ticket: Ticket) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE)


def _marked(ticket: Ticket) -> TicketEvent:
    return TicketEvent.objects.get(ticket=ticket, data__has_key="first_response")


def _verifying(handler):  # type: ignore[no-untyped-def]
    ticket = make_ticket(actor=handler)
    return ticket_start_verification(ticket=ticket, actor=handler)


def test_a_verification_call_with_the_customer_is_the_first_response():
    handler = agent()
    ticket = _verifying(handler)
    assert _first_response_clock(ticket).status == ClockStatus.RUNNING
    ticket_record_verification(ticket=ticket, actor=handler, authentic=True, complete=True, contact="phone", note="核实购买日期")
    ticket = _fresh(ticket)
    assert ticket.first_responded_at is not None
    clock_row = _first_response_clock(ticket)
    assert clock_row.status == ClockStatus.MET and clock_row.met_at == ticket.first_responded_at
    call = _marked(ticket)
    assert call.kind == EventKind.CALL and call.data["first_response"] == "verification" and call.actor == handler


def test_a_verification_without_contact_does_not_stop_the_clock():
    handler = agent()
    ticket = _verifying(handler)
    ticket_record_verification(ticket=ticket, actor=handler, authentic=True, complete=True, note="资料齐全")
    assert _fresh(ticket).first_responded_at is None
    assert _first_response_clock(ticket).status == ClockStatus.RUNNING


def test_an_unknown_contact_is_refused():
    handler = agent()
    ticket = _verifying(handler)
    with pytest.raises(ValidationFailed) as refused:
        ticket_record_verification(ticket=ticket, actor=handler, authentic=True, complete=True, contact="telepathy")
    assert refused.value.field == "contact"


def test_asking_the_customer_for_information_is_the_first_response():
    handler = agent()
    ticket = _verifying(handler)
    ticket_request_information(ticket=ticket, actor=handler, missing="请提供购买发票")
    ticket = _fresh(ticket)
    assert ticket.first_responded_at is not None
    assert _marked(ticket).data["first_response"] == "information_request"
    assert _first_response_clock(ticket).status == ClockStatus.MET


def test_the_plan_sent_to_the_customer_is_the_first_response():
    handler = agent()
    ticket = analysed(make_ticket(actor=handler), handler)
    repair_plan(ticket, handler)
    assert _fresh(ticket).first_responded_at is None  # a draft plan reaches nobody
    ticket_submit_plan(ticket=_fresh(ticket), actor=handler)
    ticket = _fresh(ticket)
    assert ticket.first_responded_at is not None
    assert _marked(ticket).data["first_response"] == "plan_sent"
    assert _first_response_clock(ticket).status == ClockStatus.MET
    # Later contacts change nothing: set once.
    first = ticket.first_responded_at
    ticket_record_agreement(ticket=ticket, actor=handler, accepted=True, method="phone", agreed_at=clock.now())
    assert _fresh(ticket).first_responded_at == first
    assert TicketEvent.objects.filter(ticket=ticket, data__has_key="first_response").count() == 1


def test_a_rejection_sent_to_the_customer_is_the_first_response():
    handler = agent()
    ticket = _verifying(handler)
    ticket_reject(ticket=ticket, actor=handler, reason="非本公司产品")
    assert _fresh(ticket).first_responded_at is not None
    assert _marked(ticket).data["first_response"] == "rejection"


def test_internal_notes_and_the_customers_messages_do_not_count():
    handler = agent()
    ticket = make_ticket(actor=handler)
    ticket_add_note(ticket=ticket, actor=handler, body="内部备注：先查库存")
    ticket_add_customer_message(ticket=ticket, body="请尽快处理", actor_label="客户")
    assert _fresh(ticket).first_responded_at is None
    assert _first_response_clock(ticket).status == ClockStatus.RUNNING
    ticket_add_note(ticket=ticket, actor=handler, body="已回复客户", kind=EventKind.MESSAGE_OUT)
    assert _marked(ticket).data["first_response"] == "message"


def test_the_ticket_page_says_what_stopped_the_clock_and_the_form_offers_the_contact():
    handler = agent(display_name="王芳")
    ticket = _verifying(handler)
    client = Client()
    client.force_login(handler)
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'name="contact"' in page and 'data-test-id="first-response-via"' not in page
    response = client.post(
        reverse("tickets:action", args=[ticket.number, "record_verification"]),
        {"expected_version": _fresh(ticket).version, "authentic": "yes", "complete": "yes", "contact": "phone", "note": ""},
    )
    assert response.status_code in (200, 302)
    assert _fresh(ticket).first_responded_at is not None
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    via = page.split('data-test-id="first-response-via">', 1)[1].split("</span>", 1)[0]
    assert "王芳" in via and ("核实" in via or "Verification" in via)


def test_the_api_records_the_verification_contact_too():
    from tests.api.conftest import api_client

    handler = agent()
    ticket = _verifying(handler)
    client = api_client(handler)
    path = f"/api/v1/tickets/{ticket.number}"
    etag = client.get(path)["ETag"]
    response = client.post(
        f"{path}/actions/record-verification",
        {"authentic": True, "complete": True, "contact": "phone"},
        headers={"If-Match": etag},
    )
    assert response.status_code == 200, response.content
    assert _fresh(ticket).first_responded_at is not None
    assert _marked(ticket).data["first_response"] == "verification"
