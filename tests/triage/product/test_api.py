"""API v1: GET /tickets/{number}/triage and POST /tickets/{number}/triage/feedback."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import Ticket
from aftersales.triage.models import TriageFeedback
from aftersales.triage.services import triage_run
from tests.api.conftest import api_client, customer_user
from tests.factories import RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def url(ticket: Ticket, tail: str = "") -> str:
    return f"/api/v1/tickets/{ticket.number}/triage{tail}"


def test_the_triage_reads_suggestions_and_duplicates(agent, engine):
    first = make_ticket(description="热水器底部一直漏水，地板都泡了，快递送来就这样。", phone="13912345678")
    second = make_ticket(description="热水器底部一直在漏水，地板被泡了，快递送来就这样！", phone="13912345678")
    client = api_client(agent)
    pending = client.get(url(second)).json()
    assert pending["status"] == "pending" and pending["suggestions"] == []
    triage_run(ticket_id=second.pk)
    body = client.get(url(second)).json()
    assert body["status"] == "done" and body["model_version"] == "test-1"
    by_field = {s["field"]: s for s in body["suggestions"]}
    assert by_field["category"]["value"] == "logistics" and by_field["category"]["confidence"] == pytest.approx(0.8)
    assert by_field["category"]["label"] == "Logistics and delivery" and by_field["category"]["feedback"] is None
    assert body["duplicates"][0]["number"] == first.number and "same_phone" in body["duplicates"][0]["reasons"]


def test_feedback_accepts_or_corrects_with_an_idempotency_key(agent, engine):
    ticket = make_ticket(description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    client = api_client(agent)
    response = client.post(
        url(ticket, "/feedback"), {"field": "category", "value": "product_quality"}, headers={"Idempotency-Key": "fb-1"}
    )
    assert response.status_code == 200, response.content
    assert {s["field"]: s for s in response.json()["suggestions"]}["category"]["feedback"] == "corrected"
    again = client.post(
        url(ticket, "/feedback"), {"field": "category", "value": "product_quality"}, headers={"Idempotency-Key": "fb-1"}
    )
    assert again.status_code == 200 and again.json() == response.json()
    assert TriageFeedback.objects.filter(ticket=ticket).count() == 1
    accepted = client.post(url(ticket, "/feedback"), {"field": "request_type"})
    assert accepted.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).request_type == "complaint"


def test_an_invalid_value_is_a_problem(agent, engine):
    ticket = make_ticket(description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    response = api_client(agent).post(url(ticket, "/feedback"), {"field": "category", "value": "nope"})
    assert response.status_code == 422 and response.json()["code"] == "triage_value_invalid"


def test_the_scopes_are_required(agent, engine):
    ticket = make_ticket(description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    reader = api_client(agent, scopes=["tickets:read"])
    assert reader.get(url(ticket)).status_code == 403
    only_read = api_client(agent, scopes=["tickets:read", "triage:read"])
    assert only_read.get(url(ticket)).status_code == 200
    assert only_read.post(url(ticket, "/feedback"), {"field": "category"}).status_code == 403


def test_a_customer_never_sees_the_triage(engine):
    ticket = make_ticket(description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    customer = api_client(customer_user(ticket), scopes=["tickets:read", "triage:read", "triage:write"])
    assert customer.get(url(ticket)).status_code == 404
    assert customer.post(url(ticket, "/feedback"), {"field": "category"}).status_code == 403


def test_another_regions_agent_gets_404(engine):
    east, north = RegionFactory(code="east-a", name="华东"), RegionFactory(code="north-a", name="华北")
    ticket = make_ticket(description="快递把洗衣机摔坏了")
    Ticket.objects.filter(pk=ticket.pk).update(region=east)
    triage_run(ticket_id=ticket.pk)
    outsider = api_client(UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=north))
    assert outsider.get(url(ticket)).status_code == 404
    assert outsider.post(url(ticket, "/feedback"), {"field": "category"}).status_code == 404
