"""POST/PATCH /api/v1/customers (scope customers:write): the services of the staff's customer
pages, the customer's ETag in If-Match, RFC 9457 problems naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import ConsentRecord, ConsentSource, Customer, CustomerTier
from tests.factories import CustomerFactory, RegionFactory, UserFactory

from .conftest import ApiClient, api_client

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def patch(client: ApiClient, path: str, body: dict[str, Any], if_match: str | None = None) -> Any:
    headers = {"If-Match": if_match} if if_match else {}
    return client.client.patch(path, json.dumps(body), content_type="application/json", headers=client._headers(headers))


@pytest.fixture
def supervisor():
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="boss")


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="agent")


def test_read_then_patch_with_the_etag(agent):
    customer = CustomerFactory(name="张伟", phone="+8613800001111")
    client = api_client(agent)
    read = client.get(f"/api/v1/customers/{customer.pk}")
    assert read.status_code == 200
    etag = read["ETag"]
    assert etag == f'"v{read.json()["version"]}"'

    changed = patch(
        client,
        f"/api/v1/customers/{customer.pk}",
        {"name": "张伟强", "phone": "139 0000 2222", "consent_marketing": True, "language": "en"},
        etag,
    )

    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["name"], body["phone"], body["language"], body["consent_marketing"]) == ("张伟强", "+8613900002222", "en", True)
    assert changed["ETag"] != etag and changed["ETag"] == f'"v{body["version"]}"'
    assert ConsentRecord.objects.get(customer=customer).source == ConsentSource.STAFF
    assert AuditEvent.objects.filter(action="customer.updated", actor=agent).exists()
    # Fields not sent are left as they were.
    assert Customer.objects.get(pk=customer.pk).email == customer.email


def test_patch_needs_a_current_if_match(agent):
    customer = CustomerFactory()
    client = api_client(agent)
    path = f"/api/v1/customers/{customer.pk}"
    missing = patch(client, path, {"name": "x"})
    assert missing.status_code == 428 and missing["Content-Type"].startswith(PROBLEM)
    assert missing.json()["code"] == "if_match_required"
    old = client.get(path)["ETag"]
    assert patch(client, path, {"notes": "第一次"}, old).status_code == 200
    stale = patch(client, path, {"notes": "第二次"}, old)
    assert stale.status_code == 412 and stale.json()["code"] == "stale_version"
    assert Customer.objects.get(pk=customer.pk).notes == "第一次"


def test_a_taken_phone_is_a_422_naming_the_field(agent):
    CustomerFactory(phone="+8613800001111")
    customer = CustomerFactory(phone="+8613800002222")
    client = api_client(agent)
    path = f"/api/v1/customers/{customer.pk}"
    refused = patch(client, path, {"phone": "13800001111"}, "*")
    assert refused.status_code == 422 and refused["Content-Type"].startswith(PROBLEM)
    problem = refused.json()
    assert problem["code"] == "customer_invalid"
    assert [e["field"] for e in problem["errors"]] == ["phone"]
    chinese = ApiClient(client.secret, language="zh-hans")
    assert "另一位客户已使用这个电话号码" in json.dumps(
        patch(chinese, path, {"phone": "13800001111"}, "*").json(), ensure_ascii=False
    )
    unknown = patch(client, path, {"tier": "gold", "colour": "red"}, "*")
    assert unknown.status_code == 422


def test_only_supervisors_change_the_tier(agent, supervisor):
    customer = CustomerFactory()
    path = f"/api/v1/customers/{customer.pk}"
    refused = patch(api_client(agent), path, {"tier": "key"}, "*")
    assert refused.status_code == 403 and refused.json()["code"] == "customer_tier_forbidden"
    assert patch(api_client(supervisor), path, {"tier": "key"}, "*").json()["tier"] == "key"
    assert Customer.objects.get(pk=customer.pk).tier == CustomerTier.KEY


def test_writing_needs_the_scope_and_a_role_that_edits(agent):
    customer = CustomerFactory()
    path = f"/api/v1/customers/{customer.pk}"
    read_only = api_client(agent, scopes=["customers:read"])
    assert patch(read_only, path, {"name": "x"}, "*").status_code == 403
    assert read_only.post("/api/v1/customers", {"name": "x", "phone": "13800009999"}).status_code == 403
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    assert patch(api_client(finance), path, {"name": "x"}, "*").status_code == 403
    assert Customer.objects.get(pk=customer.pk).name == customer.name


def test_a_customer_outside_the_callers_scope_is_a_404():
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    regional = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east)
    theirs = CustomerFactory(region=west)
    assert patch(api_client(regional), f"/api/v1/customers/{theirs.pk}", {"name": "x"}, "*").status_code == 404


def test_register_a_customer_with_an_idempotency_key(agent):
    client = api_client(agent)
    body = {
        "name": "陈静",
        "phone": "137 1234 0000",
        "email": "chen@example.com",
        "external_code": "ERP-9",
        "province": "上海市",
        "city": "上海市",
        "detail": "世纪大道1号",
    }
    made = client.post("/api/v1/customers", body, headers={"Idempotency-Key": "crm-1"})
    assert made.status_code == 201, made.content
    created = made.json()
    assert made["Location"].endswith(f"/api/v1/customers/{created['id']}")
    assert made["ETag"] == f'"v{created["version"]}"'
    assert (created["phone"], created["external_code"], created["tier"]) == ("+8613712340000", "ERP-9", "normal")
    again = client.post("/api/v1/customers", body, headers={"Idempotency-Key": "crm-1"})
    assert again.status_code == 201 and again.json()["id"] == created["id"]
    assert Customer.objects.filter(name="陈静").count() == 1

    duplicate = client.post("/api/v1/customers", {**body, "phone": "13800000001"})
    assert duplicate.status_code == 422
    assert [e["field"] for e in duplicate.json()["errors"]] == ["external_code"]


def test_registering_a_key_customer_needs_a_supervisor(agent, supervisor):
    body = {"name": "要客", "phone": "13800003333", "tier": "key"}
    assert api_client(agent).post("/api/v1/customers", body).status_code == 403
    assert api_client(supervisor).post("/api/v1/customers", body).json()["tier"] == "key"


def test_a_customers_own_key_never_writes_customers():
    portal_user = UserFactory(role=Role.CUSTOMER)
    with pytest.raises(ValidationFailed) as refused:  # customers:write is a staff-only scope
        api_client(portal_user, scopes=["customers:write"])
    assert refused.value.code == "api_key_scope_not_allowed"
    client = api_client(portal_user, scopes=["tickets:read"])
    assert client.post("/api/v1/customers", {"name": "x", "phone": "13800009999"}).status_code == 403


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("138 0000 1111", {"张伟"}),  # the whole number, typed with spaces
        ("1111", {"张伟"}),  # its last four digits
        ("111", set()),  # fewer than four digits: no phone search
        ("李", {"李娜"}),  # part of the name
        ("LI.NA@EXAMPLE.COM", {"李娜"}),  # the email, any case
    ],
)
def test_the_list_searches_as_the_staff_pages_do(agent, q, expected):
    CustomerFactory(name="张伟", phone="+8613800001111")
    CustomerFactory(name="李娜", phone="+8613900002222", email="li.na@example.com")
    found = api_client(agent).get("/api/v1/customers", {"q": q}).json()["items"]
    assert {item["name"] for item in found} == expected
