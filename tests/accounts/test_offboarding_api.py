"""The staff handover's API: ``GET /staff/{id}/holdings`` and ``POST /staff/{id}/offboard`` —
scopes, administrators only, 404, 409 when inactive already, 422 naming the field, the
Idempotency-Key replay."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import Role, User
from aftersales.audit.models import AuditEvent
from aftersales.tickets.models import Ticket
from tests.api.conftest import api_client

from .handover_helpers import administrator, assigned_ticket, staff

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


@pytest.fixture
def world():
    admin = administrator()
    leaver = staff(Role.AGENT)
    ticket = assigned_ticket(leaver, by=admin)
    return {"admin": admin, "leaver": leaver, "successor": staff(Role.AGENT), "ticket": ticket}


def test_an_administrator_reads_the_holdings(world):
    client = api_client(world["admin"], scopes=["staff:read"])
    response = client.get(f"{BASE}/staff/{world['leaver'].pk}/holdings")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["user"] == {
        "id": world["leaver"].pk,
        "username": world["leaver"].username,
        "name": str(world["leaver"]),
        "role": "agent",
        "active": True,
    }
    tickets = next(h for h in data["holdings"] if h["kind"] == "tickets")
    assert tickets == {
        "kind": "tickets",
        "label": "Open tickets assigned",
        "count": 1,
        "url": f"/tickets/?assignee={world['leaver'].pk}",
        "moved": True,
    }
    assert {h["kind"] for h in data["holdings"]} >= {"work_orders", "api_keys", "travel_advances", "teams_led"}


def test_scopes_and_roles_are_checked(world):
    leaver = world["leaver"].pk
    no_scope = api_client(world["admin"], scopes=["tickets:read"])
    assert no_scope.get(f"{BASE}/staff/{leaver}/holdings").status_code == 403
    read_only = api_client(world["admin"], scopes=["staff:read"])
    refused = read_only.post(f"{BASE}/staff/{leaver}/offboard", {"reason": "离职"})
    assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"
    supervisor = api_client(staff(Role.SUPERVISOR))
    answer = supervisor.post(f"{BASE}/staff/{leaver}/offboard", {"reason": "离职"})
    assert answer.status_code == 403 and answer.json()["code"] == "offboard_not_allowed"
    assert supervisor.get(f"{BASE}/staff/{leaver}/holdings").status_code == 403
    self_ = api_client(world["admin"]).post(f"{BASE}/staff/{world['admin'].pk}/offboard", {"reason": "离职"})
    assert self_.status_code == 403 and self_.json()["code"] == "offboard_self"
    assert User.objects.filter(pk__in=[leaver, world["admin"].pk], is_active=True).count() == 2


def test_an_administrator_offboards_once_per_key_and_twice_is_a_conflict(world):
    client = api_client(world["admin"])
    url = f"{BASE}/staff/{world['leaver'].pk}/offboard"
    body = {"successor": world["successor"].pk, "reason": "合同到期"}
    first = client.post(url, body, headers={"Idempotency-Key": "leave-1"})
    assert first.status_code == 200, first.content
    data = first.json()
    assert data["user"]["active"] is False and data["successor"]["id"] == world["successor"].pk
    assert [(h["kind"], h["count"]) for h in data["moved"]] == [("tickets", 1)]
    assert data["attention"] == []
    assert Ticket.objects.get(pk=world["ticket"].pk).assignee_id == world["successor"].pk
    replay = client.post(url, body, headers={"Idempotency-Key": "leave-1"})
    assert replay.status_code == 200 and replay.json() == data
    again = client.post(url, body, headers={"Idempotency-Key": "leave-2"})
    assert again.status_code == 409 and again.json()["code"] == "already_inactive"
    assert AuditEvent.objects.filter(action="account.offboarded").count() == 1


def test_refusals_are_problems_naming_the_field(world):
    client = api_client(world["admin"])
    url = f"{BASE}/staff/{world['leaver'].pk}/offboard"
    gone = staff(Role.AGENT, is_active=False)
    inactive = client.post(url, {"successor": gone.pk, "reason": "离职"})
    assert inactive.status_code == 422 and inactive.json()["errors"][0]["field"] == "successor"
    blank = client.post(url, {"reason": "  "})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "reason"
    assert client.post(url, {}).status_code == 422  # no reason at all
    extra = client.post(url, {"reason": "离职", "active": False})
    assert extra.status_code == 422 and User.objects.get(pk=world["leaver"].pk).is_active
    assert client.get(f"{BASE}/staff/999999/holdings").status_code == 404
    customer = staff(Role.CUSTOMER)
    assert client.post(f"{BASE}/staff/{customer.pk}/offboard", {"reason": "离职"}).status_code == 404
