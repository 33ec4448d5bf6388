"""The trip-log API: trips in the caller's scope, open with Idempotency-Key, log and step with
If-Match (428 without, 412 stale), the reconciliation in the answer, refusals naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.accounts.models import Role
from aftersales.fieldservice.models import ChargePolicy, WorkOrder
from aftersales.travel.models import Trip, TripStatus
from tests.api.conftest import api_client

from .factories import finance, job, staff, technician
from .trip_factories import days_ago, submitted

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


@pytest.fixture
def world():
    tech = technician()
    wo = job(tech)
    WorkOrder.objects.filter(pk=wo.pk).update(labour_hours=Decimal("6.00"))
    ChargePolicy.objects.create(name="2026", labour_cost_per_hour=Decimal("40.00"), valid_from=dt.date(2020, 1, 1))
    return {"tech": tech, "wo": wo, "finance": finance(), "stranger": technician()}


def body(**change):
    return {
        "province": "Jiangsu",
        "city": "苏州",
        "purpose": "上门维修",
        "planned_from": days_ago(3).isoformat(),
        "planned_until": days_ago(0).isoformat(),
        "departed_on": days_ago(3).isoformat(),
        **change,
    }


def entry(wo, **change):
    return {"day": days_ago(1).isoformat(), "place": "苏州", "activity": "更换压缩机", "work_order": wo.number,
            "working_hours": "6", "travel_hours": "2", "overnight": True, "km": "40", **change}  # fmt: skip


def test_the_whole_flow_through_the_api(world):
    tech = api_client(world["tech"])
    first = tech.post(f"{BASE}/trips", body(), headers={"Idempotency-Key": "cc-1"})
    assert first.status_code == 201, first.content
    data = first.json()
    number = data["number"]
    assert data["province"] == "江苏省" and data["status"] == "open" and first["ETag"] == '"v1"'
    assert data["actions"] == ["cancel", "submit"] and first["Location"].endswith(number)
    again = tech.post(f"{BASE}/trips", body(), headers={"Idempotency-Key": "cc-1"})
    assert again.status_code == 201 and again.json()["number"] == number and Trip.objects.count() == 1

    url = f"{BASE}/trips/{number}/entries"
    assert tech.post(url, entry(world["wo"])).status_code == 428
    assert tech.post(url, entry(world["wo"]), headers={"If-Match": '"v0"'}).status_code == 412
    logged = tech.post(url, entry(world["wo"]), headers={"If-Match": '"v1"'})
    assert logged.status_code == 201, logged.content
    recon = logged.json()["reconciliation"]
    assert recon["rows"][0]["work_order"] == world["wo"].number and recon["rows"][0]["flagged"] is False
    assert recon["cost"] == "240.00" and logged["ETag"] == '"v2"' and len(logged.json()["entries"]) == 1

    sent = tech.post(f"{BASE}/trips/{number}/submit", {}, headers={"If-Match": '"v2"'})
    assert sent.status_code == 200 and sent.json()["status"] == "submitted"
    payer = api_client(world["finance"])
    listed = payer.get(f"{BASE}/trips", {"status": "submitted"}).json()["items"]
    assert [t["number"] for t in listed] == [number] and listed[0]["actions"] == ["approve", "return"]
    approved = payer.post(f"{BASE}/trips/{number}/approve", {}, headers={"If-Match": '"v3"'})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["reconciliation"]["frozen"] is True


def test_refusals_are_problems_naming_the_field(world):
    tech = api_client(world["tech"])
    wrong = tech.post(f"{BASE}/trips", body(province="Atlantis"))
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "province"
    order = tech.post(f"{BASE}/trips", body(planned_until="2020-01-01"))
    assert order.status_code == 422 and order.json()["errors"][0]["field"] == "planned_until"
    extra = tech.post(f"{BASE}/trips", body(status="approved"))
    assert extra.status_code == 422
    assert api_client(world["finance"]).post(f"{BASE}/trips", body()).status_code == 403
    number = tech.post(f"{BASE}/trips", body()).json()["number"]
    hours = tech.post(f"{BASE}/trips/{number}/entries", entry(world["wo"], working_hours="30"), headers={"If-Match": '"v1"'})
    assert hours.status_code == 422
    early = tech.post(
        f"{BASE}/trips/{number}/entries", entry(world["wo"], day=days_ago(9).isoformat()), headers={"If-Match": '"v1"'}
    )
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "day"
    empty = tech.post(f"{BASE}/trips/{number}/submit", {}, headers={"If-Match": '"v1"'})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "entries"


def test_scope_and_review_rules(world):
    done = submitted(world["tech"], world["wo"])
    stranger = api_client(world["stranger"])
    assert stranger.get(f"{BASE}/trips/{done.number}").status_code == 404
    assert stranger.get(f"{BASE}/trips").json()["items"] == []
    own = api_client(world["tech"]).post(f"{BASE}/trips/{done.number}/approve", {}, headers={"If-Match": f'"v{done.version}"'})
    assert own.status_code == 403
    reviewer = api_client(staff(Role.SUPERVISOR))
    no_reason = reviewer.post(f"{BASE}/trips/{done.number}/return", {"reason": ""}, headers={"If-Match": f'"v{done.version}"'})
    assert no_reason.status_code == 422
    back = reviewer.post(f"{BASE}/trips/{done.number}/return", {"reason": "工时不符"}, headers={"If-Match": f'"v{done.version}"'})
    assert back.status_code == 200 and back.json()["status"] == TripStatus.RETURNED
    assert back.json()["return_reason"] == "工时不符"
    bad_month = reviewer.get(f"{BASE}/trips", {"month": "2026-13"})
    assert bad_month.status_code == 422
    read_only = api_client(world["finance"], scopes=["travel:read"])
    assert read_only.post(f"{BASE}/trips/{done.number}/approve", {}, headers={"If-Match": '"v5"'}).status_code == 403
