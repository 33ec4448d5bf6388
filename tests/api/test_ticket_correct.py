"""Correcting what intake registered through the API: ``PATCH /api/v1/tickets/{number}`` (the
action ``correct_details``; ``tickets.services.details``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.tickets.models import Ticket, TicketEvent
from tests.api.conftest import ApiClient, api_client
from tests.factories import ProductUnitFactory

pytestmark = pytest.mark.django_db


def patch(client: ApiClient, number: str, body: dict[str, Any], etag: str | None = None) -> Any:
    headers = client._headers({"If-Match": etag} if etag else {})
    return client.client.patch(f"/api/v1/tickets/{number}", body, content_type="application/json", headers=headers)


def etag_of(client: ApiClient, number: str) -> str:
    return client.get(f"/api/v1/tickets/{number}")["ETag"]


def test_only_the_fields_sent_are_corrected_and_the_new_etag_comes_back(world):
    ticket = world["east_ticket"]
    client = api_client(world["agent"])
    today = clock.local_today()
    unit = ProductUnitFactory(purchase_date=today - dt.timedelta(days=20), production_date=today - dt.timedelta(days=60))
    etag = etag_of(client, ticket.number)
    assert "correct_details" in client.get(f"/api/v1/tickets/{ticket.number}/actions").json()["actions"]

    response = patch(client, ticket.number, {"serial_number": unit.serial_number, "purchase_date": "2026-01-02"}, etag)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["serial_number"] == unit.serial_number and body["product_model"] == unit.model.code
    assert response["ETag"] == f'"v{body["version"]}"' != etag
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.product_unit_id == unit.pk and stored.reported_purchase_date == dt.date(2026, 1, 2)
    assert stored.contact_name == "张伟" and stored.description == ticket.description  # not sent: kept
    (row,) = AuditEvent.objects.filter(action="ticket.details_corrected", object_id=str(ticket.pk))
    assert set(row.changes) == {"reported_serial", "product_unit", "product_model", "reported_purchase_date"}
    event = TicketEvent.objects.get(ticket=ticket, data__action="correct_details")
    assert event.public is False
    # The customer does not see it on their timeline.
    customer = api_client(world["east_customer"])
    assert "field_changed" not in [e["kind"] for e in customer.get(f"/api/v1/tickets/{ticket.number}/timeline").json()]


def test_null_empties_a_field_that_may_be_empty(world):
    ticket = world["east_ticket"]
    client = api_client(world["agent"])
    patch(client, ticket.number, {"batch": "B7", "purchase_date": "2026-01-02"}, etag_of(client, ticket.number))
    response = patch(client, ticket.number, {"batch": None, "purchase_date": None}, etag_of(client, ticket.number))
    assert response.status_code == 200, response.content
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.reported_batch == "" and stored.reported_purchase_date is None


def test_if_match_is_required_and_a_stale_one_is_refused(world):
    ticket = world["east_ticket"]
    client = api_client(world["agent"])
    missing = patch(client, ticket.number, {"batch": "B1"})
    assert missing.status_code == 428
    etag = etag_of(client, ticket.number)
    assert patch(client, ticket.number, {"batch": "B1"}, etag).status_code == 200
    stale = patch(client, ticket.number, {"batch": "B2"}, etag)
    assert stale.status_code == 412 and stale.json()["code"] == "stale_version"
    assert Ticket.objects.get(pk=ticket.pk).reported_batch == "B1"


def test_nothing_to_change_bad_fields_and_unknown_fields_are_refused_by_name(world):
    ticket = world["east_ticket"]
    client = api_client(world["agent"])
    etag = etag_of(client, ticket.number)
    same = patch(client, ticket.number, {"contact_name": "张伟"}, etag)
    assert same.status_code == 409 and same.json()["code"] == "nothing_changed"
    bad = patch(client, ticket.number, {"purchase_date": "2999-01-01", "description": "", "product_model_code": "NOPE"}, etag)
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["description", "product_model_code", "purchase_date"]
    unknown = patch(client, ticket.number, {"status": "closed", "customer_id": 1}, etag)
    assert unknown.status_code == 422 and unknown.json()["code"] == "field_not_allowed"
    channel = patch(client, ticket.number, {"channel": "web"}, etag)
    assert channel.status_code == 422 and channel.json()["code"] == "channel_fixed"
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


def test_who_may_correct(world):
    ticket = world["east_ticket"]
    # A customer may not correct their registered details here (they write to the agent).
    customer = api_client(world["east_customer"])
    refused = patch(customer, ticket.number, {"batch": "B1"}, etag_of(customer, ticket.number))
    assert refused.status_code == 403
    # A key without tickets:write may not.
    reader = api_client(world["agent"], scopes=["tickets:read"])
    assert patch(reader, ticket.number, {"batch": "B1"}, etag_of(reader, ticket.number)).status_code == 403
    # Another region's ticket is not there for a regional agent.
    east_agent = api_client(world["east_agent"])
    assert patch(east_agent, world["south_ticket"].number, {"batch": "B1"}, '"v1"').status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).reported_batch == ""


def test_a_cancelled_ticket_is_read_only(world):
    ticket = world["east_ticket"]
    client = api_client(world["agent"])
    cancelled = client.post(
        f"/api/v1/tickets/{ticket.number}/actions/cancel",
        {"reason": "客户撤回"},
        headers={"If-Match": etag_of(client, ticket.number)},
    )
    assert cancelled.status_code == 200
    response = patch(client, ticket.number, {"batch": "B1"}, cancelled["ETag"])
    assert response.status_code == 409 and response.json()["code"] == "ticket_final"
