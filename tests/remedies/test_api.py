"""API v1 remedies: the proposal and the decision of a ticket; choosing with If-Match and
Idempotency-Key; another customer's and another region's tickets answer 404 and are not
changed; scopes."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.remedies.models import RemedyDecision
from tests.api.conftest import api_client, customer_user
from tests.factories import RegionFactory, UserFactory
from tests.remedies.helpers import agent, ticket_on, unit_sold

pytestmark = pytest.mark.django_db

REMEDY_SCOPES = ("remedies:read", "remedies:write", "tickets:read")


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    east, south = RegionFactory(code="east", name="华东"), RegionFactory(code="south", name="华南")
    handler = agent()
    today = clock.local_today()
    east_ticket = ticket_on(unit_sold(today - dt.timedelta(days=5)), today, actor=handler, region=east)
    south_ticket = ticket_on(
        unit_sold(today - dt.timedelta(days=12)), today, actor=handler, region=south, phone="13900001111", customer_name="李娜"
    )
    assert east_ticket.customer_id != south_ticket.customer_id
    return {"east": east, "south": south, "handler": handler, "east_ticket": east_ticket, "south_ticket": south_ticket}


def _path(ticket, suffix=""):  # type: ignore[no-untyped-def]
    return f"/api/v1/tickets/{ticket.number}/remedy{suffix}"


def test_staff_reads_the_proposal_in_their_language(world) -> None:  # type: ignore[no-untyped-def]
    client = api_client(world["handler"])
    response = client.get(_path(world["east_ticket"]))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["proposal"]["rule"] == "return_period"
    assert [r["code"] for r in body["proposal"]["remedies"]] == ["return", "exchange", "repair_free"]
    assert (
        "Performance fault on day 5 after sale (within 7 days): return, exchange or repair at the customer's choice."
        in body["proposal"]["reasons"]
    )
    assert body["decision"] is None
    assert response["ETag"] == '"v0"'
    client.language = "zh-hans"
    assert any(r.startswith("售出第 5 天") for r in client.get(_path(world["east_ticket"])).json()["proposal"]["reasons"])


def test_choose_with_if_match_and_idempotency(world) -> None:  # type: ignore[no-untyped-def]
    client = api_client(world["handler"])
    ticket = world["east_ticket"]
    first = client.post(_path(ticket, "/decision"), {"remedy": "exchange"}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 200, first.content
    assert first.json()["decision"]["chosen"] == "exchange" and first["ETag"] == '"v1"'
    replay = client.post(_path(ticket, "/decision"), {"remedy": "exchange"}, headers={"Idempotency-Key": "k-1"})
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert RemedyDecision.objects.get().version == 1
    missing = client.post(_path(ticket, "/decision"), {"remedy": "return"})
    assert missing.status_code == 428
    stale = client.post(_path(ticket, "/decision"), {"remedy": "return"}, headers={"If-Match": '"v0"'})
    assert stale.status_code == 412
    deviation = client.post(_path(ticket, "/decision"), {"remedy": "repair_paid"}, headers={"If-Match": '"v1"'})
    assert deviation.status_code == 422
    assert deviation.json()["code"] == "reason_required"
    ok = client.post(_path(ticket, "/decision"), {"remedy": "repair_paid", "reason": "客户要求"}, headers={"If-Match": '"v1"'})
    assert ok.status_code == 200, ok.content
    decision = ok.json()["decision"]
    assert decision["follows_proposal"] is False and decision["reason"] == "客户要求" and decision["version"] == 2


def test_the_first_choice_takes_if_match_optionally_and_it_names_v0(world) -> None:  # type: ignore[no-untyped-def]
    client = api_client(world["handler"])
    ticket = world["east_ticket"]
    stale = client.post(_path(ticket, "/decision"), {"remedy": "exchange"}, headers={"If-Match": '"v3"'})
    assert stale.status_code == 412 and stale.json()["code"] == "stale_version" and stale["ETag"] == '"v0"'
    assert not RemedyDecision.objects.exists()
    first = client.post(_path(ticket, "/decision"), {"remedy": "exchange"}, headers={"If-Match": 'W/"v0"'})
    assert first.status_code == 200, first.content
    assert first["ETag"] == '"v1"'


def test_bad_remedy_names_the_field(world) -> None:  # type: ignore[no-untyped-def]
    response = api_client(world["handler"]).post(_path(world["east_ticket"], "/decision"), {"remedy": "cash"})
    assert response.status_code == 422
    assert "remedy" in response.content.decode()
    assert not RemedyDecision.objects.exists()


def test_another_regions_ticket_is_not_found(world) -> None:  # type: ignore[no-untyped-def]
    regional = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=world["east"])
    client = api_client(regional)
    assert client.get(_path(world["east_ticket"])).status_code == 200
    assert client.get(_path(world["south_ticket"])).status_code == 404
    assert client.post(_path(world["south_ticket"], "/decision"), {"remedy": "exchange"}).status_code == 404
    keyed = api_client(world["handler"], region=world["east"])  # an all-seeing owner, a key limited to 华东
    assert keyed.get(_path(world["south_ticket"])).status_code == 404
    assert keyed.post(_path(world["south_ticket"], "/decision"), {"remedy": "exchange"}).status_code == 404
    assert not RemedyDecision.objects.exists()


def test_customer_reads_their_own_only_and_cannot_choose(world) -> None:  # type: ignore[no-untyped-def]
    customer = customer_user(world["east_ticket"])
    client = api_client(customer, scopes=REMEDY_SCOPES)
    assert client.get(_path(world["east_ticket"])).status_code == 200
    assert client.get(_path(world["south_ticket"])).status_code == 404
    assert client.post(_path(world["east_ticket"], "/decision"), {"remedy": "return"}).status_code == 403
    assert client.post(_path(world["south_ticket"], "/decision"), {"remedy": "return"}).status_code in (403, 404)
    assert not RemedyDecision.objects.exists()


def test_scopes(world) -> None:  # type: ignore[no-untyped-def]
    reader = api_client(world["handler"], scopes=("remedies:read",))
    assert reader.get(_path(world["east_ticket"])).status_code == 200
    assert reader.post(_path(world["east_ticket"], "/decision"), {"remedy": "exchange"}).status_code == 403
    none = api_client(world["handler"], scopes=("tickets:read",))
    assert none.get(_path(world["east_ticket"])).status_code == 403
    assert not RemedyDecision.objects.exists()
