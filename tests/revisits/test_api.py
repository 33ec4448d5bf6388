"""API v1 of the revisits: the queue, one revisit, recording a call (Idempotency-Key, If-Match),
the policies and the compliance figures; another region's revisit is a 404, a customer's key a 403."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from aftersales.accounts.models import DataScope
from aftersales.api.api import api
from aftersales.core import clock
from aftersales.customers.models import CustomerTier
from aftersales.revisits.models import Revisit, RevisitCall, RevisitStatus
from aftersales.tickets.models import Ticket
from tests.api.conftest import api_client, customer_user
from tests.factories import make_ticket

from .helpers import agent, customer, open_revisit, region

pytestmark = pytest.mark.django_db
BASE = "/api/v1/revisits"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    east, south = region(), region("south", "华南")
    east_agent = agent(region=east, scope=DataScope.REGION, username="east-agent")
    today = clock.local_today()
    east_revisit = open_revisit(cust=customer(tier=CustomerTier.KEY, region=east), due=today, assignee=east_agent)
    south_revisit = open_revisit(cust=customer(tier=CustomerTier.KEY, region=south), due=today)
    return {"east_agent": east_agent, "east": east_revisit, "south": south_revisit}


def test_the_queue_lists_only_revisits_in_the_callers_scope(world):
    client = api_client(world["east_agent"])
    listed = client.get(BASE)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["items"]] == [world["east"].pk]
    assert client.get(f"{BASE}/{world['east'].pk}").status_code == 200
    assert client.get(f"{BASE}/{world['south'].pk}").status_code == 404
    assert client.get(BASE, {"status": "bogus"}).status_code == 422


def test_recording_a_call_raises_a_ticket_once_per_idempotency_key(world):
    client = api_client(world["east_agent"])
    read = client.get(f"{BASE}/{world['east'].pk}")
    body = {"outcome": "reached", "nps": 8, "overall": 4, "new_problem": "遥控器失灵"}
    headers = {"Idempotency-Key": "call-1", "If-Match": read["ETag"]}
    first = client.post(f"{BASE}/{world['east'].pk}/calls", body, headers=headers)
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["status"] == "done" and data["new_ticket"]
    assert data["calls"][0]["nps"] == 8
    again = client.post(f"{BASE}/{world['east'].pk}/calls", body, headers=headers)
    assert again.status_code == 201 and again.json()["new_ticket"] == data["new_ticket"]
    assert RevisitCall.objects.count() == 1
    assert Ticket.objects.filter(number=data["new_ticket"]).count() == 1


def test_a_stale_if_match_and_bad_input_are_problems_naming_the_field(world):
    client = api_client(world["east_agent"])
    stale = client.post(f"{BASE}/{world['east'].pk}/calls", {"outcome": "reached"}, headers={"If-Match": '"v9"'})
    assert stale.status_code == 412 and stale["ETag"] == client.get(f"{BASE}/{world['east'].pk}")["ETag"]
    bad = client.post(f"{BASE}/{world['east'].pk}/calls", {"outcome": "not_reached", "nps": 5})
    assert bad.status_code == 422
    assert "nps" in str(bad.json())
    assert Revisit.objects.get(pk=world["east"].pk).status == RevisitStatus.DUE


def test_refused_consent_is_a_problem_naming_consent_contact(world):
    world["east"].customer.__class__.objects.filter(pk=world["east"].customer_id).update(consent_contact=False)
    client = api_client(world["east_agent"])
    refused = client.post(f"{BASE}/{world['east'].pk}/calls", {"outcome": "reached"})
    assert refused.status_code in (409, 422)
    assert "consent_contact" in str(refused.json())


def test_another_regions_revisit_cannot_be_called(world):
    client = api_client(world["east_agent"])
    assert client.post(f"{BASE}/{world['south'].pk}/calls", {"outcome": "reached"}).status_code == 404


def test_a_customers_key_is_refused(world):
    user = customer_user(make_ticket())
    client = api_client(user, scopes=("tickets:read", "revisits:read", "revisits:write"))
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}/{world['east'].pk}").status_code == 403
    assert client.post(f"{BASE}/{world['east'].pk}/calls", {"outcome": "reached"}).status_code == 403


def test_policies_and_compliance_are_readable(world):
    client = api_client(world["east_agent"])
    policies = client.get(f"{BASE}/policies").json()
    assert {p["tier"]: p["interval_months"] for p in policies["policies"]} == {"key": 6, "long_term": 12}
    assert policies["after_ticket"][0] == {"request_type": "repair", "days_after_close": 7, "active": True}
    figures = client.get(f"{BASE}/compliance")
    assert figures.status_code == 200
    assert figures.json()["total"]["eligible"] == 1


def test_every_operation_is_in_the_openapi_document():
    paths = api.get_openapi_schema()["paths"]
    for path in (
        "/api/v1/revisits",
        "/api/v1/revisits/{revisit_id}",
        "/api/v1/revisits/{revisit_id}/calls",
        "/api/v1/revisits/policies",
        "/api/v1/revisits/compliance",
    ):
        assert path in paths
