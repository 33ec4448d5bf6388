"""The travel API: advances and reimbursements in the caller's scope, creates with
Idempotency-Key, steps with If-Match (428 without, 412 stale), scopes, refusals naming the field."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import Role
from aftersales.travel.models import AdvanceStatus, CashAdvance, Reimbursement, ReimbursementStatus
from tests.api.conftest import api_client

from .factories import advance, claim, finance, paid_advance, staff, team_with_leader, technician

pytestmark = pytest.mark.django_db
BASE = "/api/v1"
A = AdvanceStatus
R = ReimbursementStatus


@pytest.fixture
def world():
    team, leader = team_with_leader()
    tech = technician(team=team)
    return {"leader": leader, "tech": tech, "finance": finance(), "stranger": technician()}


def body(**change):
    return {"purpose": "上门维修差旅", "amount": "500.00", "trip_from": "2026-12-08", "trip_until": "2026-12-09", **change}


def test_a_technician_requests_an_advance_once_per_idempotency_key(world):
    client = api_client(world["tech"])
    first = client.post(f"{BASE}/advances", body(), headers={"Idempotency-Key": "jk-1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["status"] == "requested" and data["amount"] == "500.00" and first["ETag"] == '"v1"'
    assert data["actions"] == ["cancel"] and first["Location"].endswith(data["number"])
    again = client.post(f"{BASE}/advances", body(), headers={"Idempotency-Key": "jk-1"})
    assert again.status_code == 201 and again.json()["number"] == data["number"]
    assert CashAdvance.objects.count() == 1
    reused = client.post(f"{BASE}/advances", body(amount="600.00"), headers={"Idempotency-Key": "jk-1"})
    assert reused.status_code == 409


def test_refusals_are_problems_naming_the_field(world):
    client = api_client(world["tech"])
    wrong = client.post(f"{BASE}/advances", body(trip_until="2026-12-01"))
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "trip_until"
    negative = client.post(f"{BASE}/advances", body(amount="-1"))
    assert negative.status_code == 422
    extra = client.post(f"{BASE}/advances", body(status="paid"))
    assert extra.status_code == 422
    refused = api_client(world["finance"]).post(f"{BASE}/advances", body())
    assert refused.status_code == 403


def test_steps_need_if_match(world):
    number = advance(world["tech"]).number
    leader = api_client(world["leader"])
    url = f"{BASE}/advances/{number}/approve"
    assert leader.post(url, {}).status_code == 428
    assert leader.post(url, {}, headers={"If-Match": '"v0"'}).status_code == 412
    own = api_client(world["tech"]).post(url, {}, headers={"If-Match": '"v1"'})
    assert own.status_code == 403
    done = leader.post(url, {}, headers={"If-Match": '"v1"'})
    assert done.status_code == 200 and done.json()["status"] == "approved" and done["ETag"] == '"v2"'
    payer = api_client(world["finance"])
    bad = payer.post(f"{BASE}/advances/{number}/pay", {"method": "cash", "reference": ""}, headers={"If-Match": '"v2"'})
    assert bad.status_code == 422
    paid = payer.post(f"{BASE}/advances/{number}/pay", {"method": "cash", "reference": "收据 1"}, headers={"If-Match": '"v2"'})
    assert paid.status_code == 200 and paid.json()["outstanding"] == "500.00"
    illegal = payer.post(f"{BASE}/advances/{number}/approve", {}, headers={"If-Match": paid["ETag"]})
    assert illegal.status_code in {403, 409}


def test_finance_drafts_posts_and_closes_a_reimbursement(world):
    tech, payer_user = world["tech"], world["finance"]
    approved = claim(tech, "120.00", decider=payer_user)
    paid = paid_advance(tech, "100.00", payer=payer_user)
    payer = api_client(payer_user)
    created = payer.post(
        f"{BASE}/reimbursements",
        {"technician": tech.username, "claims": [approved.pk], "advances": [paid.number]},
        headers={"Idempotency-Key": "bx-1"},
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["total_claims"], data["total_advances"], data["net"], data["direction"]) == ("120.00", "100.00", "20.00", "pay")
    assert {line["kind"] for line in data["lines"]} == {"claim", "advance"} and data["actions"] == ["cancel", "post"]
    again = payer.post(
        f"{BASE}/reimbursements",
        {"technician": tech.username, "claims": [approved.pk], "advances": [paid.number]},
        headers={"Idempotency-Key": "bx-1"},
    )
    assert again.json()["number"] == data["number"] and Reimbursement.objects.count() == 1
    number = data["number"]
    posted = payer.post(f"{BASE}/reimbursements/{number}/post", {}, headers={"If-Match": '"v1"'})
    assert posted.status_code == 200 and posted.json()["status"] == "posted"
    assert payer.get(f"{BASE}/advances/{paid.number}").json()["status"] == "settled"
    closed = payer.post(
        f"{BASE}/reimbursements/{number}/close",
        {"method": "bank_transfer", "reference": "ICBC-1"},
        headers={"If-Match": posted["ETag"]},
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    listed = payer.get(f"{BASE}/reimbursements", {"status": "closed"}).json()["items"]
    assert [r["number"] for r in listed] == [number]


def test_a_second_draft_of_the_same_claim_is_refused(world):
    tech, payer_user = world["tech"], world["finance"]
    approved = claim(tech, "10.00", decider=payer_user)
    payer = api_client(payer_user)
    assert payer.post(f"{BASE}/reimbursements", {"technician": tech.username}).status_code == 201
    second = payer.post(f"{BASE}/reimbursements", {"technician": tech.username, "claims": [approved.pk]})
    assert second.status_code == 422 and second.json()["errors"][0]["field"] == "claims"
    unknown = payer.post(f"{BASE}/reimbursements", {"technician": "nobody"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "technician"


def test_each_sees_his_scope(world):
    mine = advance(world["tech"])
    theirs = advance(world["stranger"])
    leader = api_client(world["leader"])
    assert [a["number"] for a in leader.get(f"{BASE}/advances").json()["items"]] == [mine.number]
    assert leader.get(f"{BASE}/advances/{theirs.number}").status_code == 404
    stranger = api_client(world["stranger"])
    assert [a["number"] for a in stranger.get(f"{BASE}/advances").json()["items"]] == [theirs.number]
    agent = api_client(staff(Role.AGENT))
    assert agent.get(f"{BASE}/advances").json()["items"] == []
    assert agent.get(f"{BASE}/reimbursements/BX-1").status_code == 404
    everyone = api_client(world["finance"]).get(f"{BASE}/advances", {"status": "requested"}).json()["items"]
    assert {a["number"] for a in everyone} == {mine.number, theirs.number}


def test_a_key_without_the_travel_scopes_is_refused(world):
    reader = api_client(world["finance"], scopes=["travel:read"])
    assert reader.get(f"{BASE}/advances").status_code == 200
    number = advance(world["tech"]).number
    assert reader.post(f"{BASE}/advances/{number}/approve", {}, headers={"If-Match": '"v1"'}).status_code == 403
    assert api_client(world["finance"], scopes=["tickets:read"]).get(f"{BASE}/reimbursements").status_code == 403
    assert api_client(world["tech"], scopes=["travel:read"]).post(f"{BASE}/advances", body()).status_code == 403


def test_the_advance_list_does_not_grow_queries_with_its_rows(world):
    client = api_client(world["finance"])
    advance(world["tech"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{BASE}/advances").status_code == 200
        return len(ctx.captured_queries)

    count()  # the key's first use is recorded once
    before = count()
    for _n in range(3):
        advance(technician())
    assert len(client.get(f"{BASE}/advances").json()["items"]) == 4
    assert count() == before
