"""API v1 of scheduled reports: the kinds, create (Idempotency-Key; a recipient outside the
company is a 422 naming the field), read, change (pause), delete, the deliveries with their
status and errors; scope reports:write; another person's subscription is a 404."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from aftersales.accounts.models import DataScope, Role
from aftersales.reports.models import ReportDelivery, ReportSubscription
from aftersales.reports.services import send_due_reports
from tests.api.conftest import ApiClient, api_client, key_for

from .helpers import at, free_port, smtp_settings, staff, subscribe

pytestmark = pytest.mark.django_db
BASE = "/api/v1/reports"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()


def body(**overrides):  # type: ignore[no-untyped-def]
    values = {
        "kind": "tickets",
        "filters": "status=new&page=2",
        "frequency": "weekly",
        "weekday": 0,
        "send_time": "08:30",
        "recipients": ["zhang@example.com"],
        "language": "en",
    }
    values.update(overrides)
    return values


def send(client: ApiClient, method: str, path: str, json=None):  # type: ignore[no-untyped-def]
    return getattr(client.client, method)(path, json or {}, content_type="application/json", headers=client._headers(None))


def test_the_kinds_the_caller_may_subscribe_to():
    kinds = api_client(staff()).get(f"{BASE}/kinds").json()
    assert {"kind": "tickets", "title": "Tickets"} in kinds


def test_create_is_idempotent_and_keeps_the_filters():
    owner = staff(email="zhang@example.com")
    client = api_client(owner)
    first = client.post(f"{BASE}/subscriptions", body(), headers={"Idempotency-Key": "sub-1"})
    assert first.status_code == 201, first.content
    again = client.post(f"{BASE}/subscriptions", body(), headers={"Idempotency-Key": "sub-1"})
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert ReportSubscription.objects.count() == 1
    data = first.json()
    assert data["filters"] == {"status": "new"}
    assert (data["frequency"], data["weekday"], data["send_time"], data["owner"]) == ("weekly", 0, "08:30:00", owner.username)
    assert first["Location"].endswith(f"/reports/subscriptions/{data['id']}")


def test_an_outside_recipient_is_a_422_naming_the_field_in_the_callers_language():
    client = api_client(staff())
    client.language = "zh-hans"
    response = client.post(f"{BASE}/subscriptions", body(recipients=["friend@qq.com"]))
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "report_recipient_outside"
    assert "recipients" in str(problem)
    assert "friend@qq.com" in problem["detail"] and "公司" in problem["detail"]


def test_a_weekly_subscription_without_its_weekday_is_refused():
    response = api_client(staff(email="zhang@example.com")).post(f"{BASE}/subscriptions", body(weekday=None))
    assert response.status_code == 422
    assert "weekday" in str(response.json())


def test_without_the_scope_or_as_a_customer_it_is_a_403():
    owner = staff(email="zhang@example.com")
    limited = ApiClient(key_for(owner, ["tickets:read"]))
    assert limited.get(f"{BASE}/subscriptions").status_code == 403
    customer = staff(role=Role.CUSTOMER)
    assert ApiClient(key_for(customer, ["reports:write"])).get(f"{BASE}/subscriptions").status_code == 403


def test_read_change_pause_and_delete():
    owner = staff(email="zhang@example.com")
    client = api_client(owner)
    created = client.post(f"{BASE}/subscriptions", body()).json()
    path = f"{BASE}/subscriptions/{created['id']}"
    assert client.get(path).json()["name"] == "Tickets"
    changed = send(client, "put", path, body(frequency="monthly", day_of_month=31, weekday=None, active=False, name="月报"))
    assert changed.status_code == 200, changed.content
    assert (changed.json()["day_of_month"], changed.json()["active"], changed.json()["name"]) == (31, False, "月报")
    listed = client.get(f"{BASE}/subscriptions").json()
    assert listed["total"] == 1
    assert send(client, "delete", path).status_code == 204
    assert client.get(path).status_code == 404


def test_another_persons_subscription_is_a_404_but_an_administrator_sees_it():
    subscription = subscribe(staff(email="zhang@example.com"))
    path = f"{BASE}/subscriptions/{subscription.pk}"
    assert api_client(staff()).get(path).status_code == 404
    assert send(api_client(staff()), "delete", path).status_code == 404
    assert api_client(staff(role=Role.ADMINISTRATOR, scope=DataScope.ALL)).get(path).status_code == 200


def test_deliveries_show_status_attempts_and_the_last_error(settings):
    owner = staff(email="zhang@example.com")
    subscription = subscribe(owner, created="2026-03-01 09:00")
    smtp_settings(settings, free_port())
    send_due_reports(now=at("2026-03-02 08:00"))
    page = api_client(owner).get(f"{BASE}/deliveries", {"subscription": subscription.pk}).json()
    assert page["total"] == 1
    (item,) = page["items"]
    assert (item["period_start"], item["status"], item["attempts"]) == ("2026-03-02", "pending", 1)
    assert item["last_error"] and item["next_attempt_at"]
    assert api_client(staff()).get(f"{BASE}/deliveries").json()["total"] == 0
    assert ReportDelivery.objects.count() == 1
