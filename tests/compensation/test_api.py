"""API v1: refunds and compensation — create with Idempotency-Key, the steps with If-Match,
scopes, and authorization with another customer's and another region's objects."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from aftersales.accounts.models import DataScope, Role
from aftersales.compensation.models import Compensation, Refund
from aftersales.tickets.models import MeasureKind
from tests.api.conftest import api_client, customer_user
from tests.factories import RegionFactory, UserFactory

from .helpers import agent, finance, marketing, ticket_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def refund_body(ticket, measure, **extra):  # type: ignore[no-untyped-def]
    body = {
        "ticket": ticket.number,
        "measure_id": measure.pk,
        "method": "original",
        "price_paid": "3000",
        "daily_rate": "0.001",
        "fees": "0",
    }
    body.update(extra)
    return body


def test_refund_create_is_idempotent_and_walks_to_done_with_if_match() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler, purchase_days_ago=10)
    client = api_client(handler)
    key = {"Idempotency-Key": "refund-1"}
    first = client.post("/api/v1/refunds", refund_body(ticket, measure), headers=key)
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/refunds", refund_body(ticket, measure), headers=key)
    assert again.status_code == 201 and again.json()["number"] == first.json()["number"]
    assert Refund.objects.count() == 1
    data = first.json()
    assert data["formula"]["depreciation"] == "30.00" and data["amount"] == "2970.00"
    assert data["formula"]["text"] == "3000.00 − 3000.00 × 0.001 × 10 − 0.00 = 2970.00"
    number = data["number"]
    cashier = api_client(finance())
    # If-Match is required, and a stale one is refused
    assert cashier.post(f"/api/v1/refunds/{number}/pay", {"payment_reference": "B1"}).status_code == 428
    stale = cashier.post(f"/api/v1/refunds/{number}/pay", {"payment_reference": "B1"}, headers={"If-Match": 'W/"x-0"'})
    assert stale.status_code == 412
    etag = cashier.get(f"/api/v1/refunds/{number}")["ETag"]
    paid = cashier.post(
        f"/api/v1/refunds/{number}/pay", {"payment_reference": "B1"}, headers={"If-Match": etag, "Idempotency-Key": "pay-1"}
    )
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid"
    done = cashier.post(f"/api/v1/refunds/{number}/confirm", {}, headers={"If-Match": paid["ETag"]})
    assert done.json()["status"] == "done"


def test_refund_above_price_paid_is_a_problem_naming_the_field() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler)
    response = api_client(handler).post("/api/v1/refunds", refund_body(ticket, measure, amount="3500"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "amount_above_computed"
    assert [e["field"] for e in problem["errors"]] == ["amount"]
    assert not Refund.objects.exists()


def test_bank_details_masked_for_an_agent_not_for_finance() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler)
    body = refund_body(
        ticket, measure, method="bank_transfer", bank_name="工商银行", account_name="张伟", account_number="6222020200112233"
    )
    number = api_client(handler).post("/api/v1/refunds", body).json()["number"]
    assert api_client(handler).get(f"/api/v1/refunds/{number}").json()["account_number"] == "**** 2233"
    assert api_client(finance()).get(f"/api/v1/refunds/{number}").json()["account_number"] == "6222020200112233"


def test_coupon_issue_retry_returns_the_same_code_and_a_new_try_is_refused() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="100")
    created = api_client(handler).post(
        "/api/v1/compensations", {"ticket": ticket.number, "measure_id": measure.pk, "kind": "coupon", "amount": "100"}
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    seller = api_client(marketing())
    headers = {"If-Match": created["ETag"], "Idempotency-Key": "issue-1"}
    first = seller.post(f"/api/v1/compensations/{number}/issue", {}, headers=headers)
    retry = seller.post(f"/api/v1/compensations/{number}/issue", {}, headers=headers)
    assert first.status_code == retry.status_code == 200
    assert first.json()["code"] == retry.json()["code"] == Compensation.objects.get(number=number).code
    another = seller.post(f"/api/v1/compensations/{number}/issue", {}, headers={"If-Match": "*"})
    assert another.status_code == 409 and another.json()["code"] == "already_fulfilled"


def test_scopes_and_roles() -> None:
    handler = agent()
    ticket, measure = ticket_with(actor=handler)
    read_only = api_client(handler, scopes=["compensation:read"])
    assert read_only.post("/api/v1/refunds", refund_body(ticket, measure)).status_code == 403
    assert read_only.get("/api/v1/refunds").status_code == 200
    assert api_client(handler, scopes=["tickets:read"]).get("/api/v1/refunds").status_code == 403
    # finance may not request, marketing may not pay
    assert api_client(finance()).post("/api/v1/refunds", refund_body(ticket, measure)).status_code == 403
    number = api_client(handler).post("/api/v1/refunds", refund_body(ticket, measure)).json()["number"]
    paid = api_client(marketing()).post(f"/api/v1/refunds/{number}/pay", {"payment_reference": "B"}, headers={"If-Match": "*"})
    assert paid.status_code == 403


def test_another_customers_and_another_regions_objects_are_not_found() -> None:
    east, south = RegionFactory(code="e1", name="华东"), RegionFactory(code="s1", name="华南")
    handler = agent()
    ticket, measure = ticket_with(actor=handler, region=south, phone="13700000001")
    number = api_client(handler).post("/api/v1/refunds", refund_body(ticket, measure)).json()["number"]
    # a staff member of another region
    east_agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east)
    assert api_client(east_agent).get(f"/api/v1/refunds/{number}").status_code == 404
    assert api_client(east_agent).get("/api/v1/refunds").json()["items"] == []
    assert api_client(east_agent).post("/api/v1/refunds", refund_body(ticket, measure)).status_code == 404
    # a key limited to another region, though its owner sees everything
    boss = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    east_key = api_client(boss, region=east)
    assert east_key.get(f"/api/v1/refunds/{number}").status_code == 404
    assert (
        east_key.post(f"/api/v1/refunds/{number}/pay", {"payment_reference": "Z"}, headers={"If-Match": "*"}).status_code == 404
    )
    # customers: staff only, their own or another's
    other_ticket, _m = ticket_with(actor=handler, region=east, phone="13700000002")
    stranger = customer_user(other_ticket, "other-customer")
    assert api_client(stranger, scopes=["compensation:read"]).get(f"/api/v1/refunds/{number}").status_code == 403
    owner = customer_user(ticket, "owner-customer")
    assert api_client(owner, scopes=["compensation:read"]).get(f"/api/v1/refunds/{number}").status_code == 403
