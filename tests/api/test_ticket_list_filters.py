"""``GET /api/v1/tickets`` drills down as the staff list does (``tickets.selectors.listing``): by
product model, responsibility, request type and ticket number (whole or its start), within what
the key sees; a bad value is a 422 problem naming the parameter; the OpenAPI document says so."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from aftersales.tickets.models import Ticket
from tests.api.conftest import api_client
from tests.factories import ProductModelFactory, make_ticket

pytestmark = pytest.mark.django_db


def numbers(client: Any, **params: Any) -> list[str]:
    response = client.get("/api/v1/tickets", params)
    assert response.status_code == 200, response.content
    page = response.json()
    assert page["total"] == len(page["items"])
    return sorted(item["number"] for item in page["items"])


def refused(client: Any, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/tickets", params)
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def tickets(world: dict[str, Any]) -> dict[str, Any]:
    washer, fridge = ProductModelFactory(code="XQG100-W1"), ProductModelFactory(code="BCD-520W")
    east, south = world["east_ticket"], world["south_ticket"]
    third = make_ticket(region=world["east"], phone="13800000003", customer_name="王芳")
    Ticket.objects.filter(pk=east.pk).update(product_model=washer, responsibility="supplier", request_type="repair")
    Ticket.objects.filter(pk=south.pk).update(product_model=washer, responsibility="internal", request_type="exchange")
    Ticket.objects.filter(pk=third.pk).update(product_model=fridge, responsibility="supplier", request_type="complaint")
    return {**world, "third": third, "washer": washer, "fridge": fridge}


def test_each_drill_down_alone_and_together(tickets: dict[str, Any]) -> None:
    east, south, third = tickets["east_ticket"].number, tickets["south_ticket"].number, tickets["third"].number
    agent = api_client(tickets["agent"])
    assert numbers(agent, product_model="XQG100-W1") == sorted([east, south])
    assert numbers(agent, responsibility="supplier") == sorted([east, third])
    assert numbers(agent, request_type="exchange") == [south]
    assert numbers(agent, product_model="XQG100-W1", responsibility="supplier") == [east]
    assert numbers(agent, product_model="BCD-520W", request_type="repair") == []
    # A whole number is that ticket; its start (the day's prefix) every ticket of that day.
    assert numbers(agent, number=east) == [east]
    day_prefix = east.split("-")[0]
    assert numbers(agent, number=day_prefix) == sorted([east, south, third])
    assert numbers(agent, number=day_prefix, request_type="complaint") == [third]
    assert numbers(agent, number="XX") == []


def test_the_filters_never_widen_what_a_key_sees(tickets: dict[str, Any]) -> None:
    east_agent = api_client(tickets["east_agent"], region=tickets["east"])
    assert numbers(east_agent, product_model="XQG100-W1") == [tickets["east_ticket"].number]
    assert numbers(east_agent, number=tickets["south_ticket"].number) == []
    customer = api_client(tickets["east_customer"])
    assert numbers(customer, responsibility="supplier") == [tickets["east_ticket"].number]


def test_bad_values_are_refused_naming_the_parameter(tickets: dict[str, Any]) -> None:
    agent = api_client(tickets["agent"])
    unknown = refused(agent, product_model="NO-SUCH-MODEL")
    assert unknown["code"] == "product_model_unknown"
    assert [e["field"] for e in unknown["errors"]] == ["product_model"]
    for name, value in [
        ("responsibility", "aliens"),
        ("request_type", "teleport"),
        ("number", "SH2026%"),
        ("number", "SH 2026"),
        ("number", "S" * 33),
        ("product_model", "M" * 65),
        ("product_model", ""),
    ]:
        body = refused(agent, **{name: value})
        assert [e["field"] for e in body["errors"]] == [name], (name, value, body)


def test_the_openapi_document_lists_the_parameters_with_their_values() -> None:
    document = json.loads(Client().get("/api/v1/openapi.json").content)
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/tickets"]["get"]["parameters"]}
    for name in ("product_model", "responsibility", "request_type", "number"):
        assert parameters[name]["in"] == "query" and parameters[name]["description"], name
    text = json.dumps(document)
    assert "supplier" in text and "complaint" in text
    assert "product_model_unknown" in parameters["product_model"]["description"]
