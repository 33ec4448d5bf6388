"""The receivables on API v1: finance, supervisors and administrators read their scope's, a
technician his own jobs'; finance records a payment (Idempotency-Key: one per key; overpayment a
422 naming ``amount``) and the invoice (PUT); the work orders' key scopes; the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from aftersales.accounts.models import Role
from aftersales.billing.models import Invoice, Payment, ReceivableStatus
from aftersales.core import clock
from tests.api.conftest import api_client

from .factories import finance, receivable, staff, technician

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


def put(client, path, body):
    return client.client.put(path, json.dumps(body), content_type="application/json", headers=client._headers(None))


@pytest.fixture
def world():
    tech = technician()
    return {"tech": tech, "finance": finance(), "mine": receivable(tech, charge="380.00"), "theirs": receivable(technician())}


def test_finance_lists_and_reads_receivables(world):
    client = api_client(world["finance"])
    listed = client.get(f"{BASE}/receivables")
    assert listed.status_code == 200, listed.content
    items = listed.json()["items"]
    assert {i["work_order"] for i in items} == {world["mine"].work_order.number, world["theirs"].work_order.number}
    first = client.get(f"{BASE}/receivables", {"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_after"] is not None
    rest = client.get(f"{BASE}/receivables", {"limit": 1, "after": first["next_after"]}).json()
    assert len(rest["items"]) == 1 and rest["next_after"] is None
    one = client.get(f"{BASE}/receivables/{world['mine'].work_order.number}").json()
    assert one["amount"] == "380.00" and one["outstanding"] == "380.00" and one["status"] == "open"
    assert one["payments"] == [] and one["invoice"] is None and set(one["actions"]) == {"pay", "invoice"}


def test_a_technician_reads_his_own_and_others_nothing(world):
    mine = api_client(world["tech"]).get(f"{BASE}/receivables").json()["items"]
    assert [i["work_order"] for i in mine] == [world["mine"].work_order.number]
    assert api_client(world["tech"]).get(f"{BASE}/receivables/{world['theirs'].work_order.number}").status_code == 404
    assert api_client(staff(Role.AGENT)).get(f"{BASE}/receivables").status_code == 403
    no_scope = api_client(world["finance"], scopes=["tickets:read"]).get(f"{BASE}/receivables")
    assert no_scope.status_code == 403 and no_scope.json()["code"] == "scope_missing"


def test_finance_records_a_payment_once_per_key(world):
    client = api_client(world["finance"])
    url = f"{BASE}/receivables/{world['mine'].work_order.number}/payments"
    body = {"amount": "100.00", "method": "alipay", "reference": "2026120722001"}
    first = client.post(url, body, headers={"Idempotency-Key": "pay-1"})
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "partly_paid" and first.json()["outstanding"] == "280.00"
    again = client.post(url, body, headers={"Idempotency-Key": "pay-1"})
    assert again.status_code == 201 and Payment.objects.count() == 1
    over = client.post(url, {"amount": "280.01", "method": "cash"})
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "amount" and over.json()["code"] == "overpayment"
    rest = client.post(url, {"amount": "280.00", "method": "cash"})
    assert rest.status_code == 201 and rest.json()["status"] == ReceivableStatus.PAID
    refused = api_client(world["tech"]).post(url, {"amount": "1.00", "method": "cash"})
    assert refused.status_code in {403, 409}


def test_finance_records_the_invoice(world):
    client = api_client(world["finance"])
    url = f"{BASE}/receivables/{world['mine'].work_order.number}/invoice"
    today = clock.local_today().isoformat()
    missing = put(client, url, {"kind": "special", "number": "12345678", "issued_on": today, "title": "上海某某有限公司"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "tax_id"
    body = {
        "kind": "special",
        "number": "12345678",
        "issued_on": today,
        "title": "上海某某有限公司",
        "tax_id": "91310000MA1K00000X",
    }
    saved = put(client, url, body)
    assert saved.status_code == 200, saved.content
    assert saved.json()["invoice"]["number"] == "12345678" and saved.json()["invoice"]["amount"] == "380.00"
    assert put(client, url, body).status_code == 200 and Invoice.objects.count() == 1
    assert put(api_client(staff(Role.SUPERVISOR)), url, body).status_code == 403


def test_the_operations_are_documented():
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/v1/receivables", "/api/v1/receivables/{number}", "/api/v1/receivables/{number}/payments"} <= set(paths)
    post = paths["/api/v1/receivables/{number}/payments"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert list(post["responses"]["422"]["content"]) == ["application/problem+json"]
