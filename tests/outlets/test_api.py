"""The outlets API: outlets and statements in the caller's scope, drafting (idempotent), the steps
with If-Match, refusals as problems naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import Role
from aftersales.outlets.models import Settlement, SettlementStatus
from tests.api.conftest import api_client

from .factories import accepted_job, last_month, local, outlet_with_people, staff

pytestmark = pytest.mark.django_db
S = SettlementStatus
BASE = "/api/v1"


@pytest.fixture
def world():
    outlet, leader, tech = outlet_with_people(name="徐汇授权网点")
    other, _other_leader, other_tech = outlet_with_people(name="浦东授权网点")
    start, _end = last_month()
    accepted_job(outlet=outlet, technician=tech, accepted_at=local(start + dt.timedelta(days=2)), hours="2", km="10")
    accepted_job(outlet=other, technician=other_tech, accepted_at=local(start + dt.timedelta(days=3)))
    return {"outlet": outlet, "leader": leader, "other": other, "month": f"{start:%Y-%m}", "start": start}


def test_drafting_is_idempotent_and_the_statement_reads_with_its_lines(world):
    finance = api_client(staff(Role.FINANCE))
    body = {"outlet": world["outlet"].code, "month": world["month"]}
    created = finance.post(f"{BASE}/settlements", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "draft" and data["line_count"] == 1 and data["total_amount"] == "225.00"
    assert data["lines"][0]["labour_amount"] == "160.00" and created["ETag"] == '"v1"'
    again = finance.post(f"{BASE}/settlements", body)
    assert again.status_code == 200 and again.json()["number"] == data["number"]
    read = finance.get(f"{BASE}/settlements/{data['number']}")
    assert read.status_code == 200 and read["ETag"] == '"v1"' and "recalculate" in read.json()["actions"]
    listed = finance.get(f"{BASE}/settlements", {"outlet": world["outlet"].code, "status": "draft"}).json()
    assert [s["number"] for s in listed["items"]] == [data["number"]]


def test_steps_need_if_match_and_refusals_name_the_field(world):
    supervisor = api_client(staff(Role.SUPERVISOR))
    number = supervisor.post(f"{BASE}/settlements", {"outlet": world["outlet"].code, "month": world["month"]}).json()["number"]
    leader = api_client(world["leader"])
    assert leader.post(f"{BASE}/settlements/{number}/confirm", {}).status_code == 428
    assert leader.post(f"{BASE}/settlements/{number}/confirm", {}, headers={"If-Match": '"v0"'}).status_code == 412
    refused = leader.post(f"{BASE}/settlements/{number}/dispute", {"reason": " "}, headers={"If-Match": '"v1"'})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
    confirmed = leader.post(f"{BASE}/settlements/{number}/confirm", {}, headers={"If-Match": '"v1"'})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    not_yet = leader.post(f"{BASE}/settlements/{number}/approve", {}, headers={"If-Match": confirmed["ETag"]})
    assert not_yet.status_code == 403
    approved = supervisor.post(f"{BASE}/settlements/{number}/approve", {}, headers={"If-Match": confirmed["ETag"]})
    assert approved.status_code == 200
    finance = api_client(staff(Role.FINANCE))
    paid = finance.post(
        f"{BASE}/settlements/{number}/pay",
        {"payment_reference": "CMB-77", "paid_on": str(world["start"])},
        headers={"If-Match": approved["ETag"]},
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert Settlement.objects.get(number=number).payment_reference == "CMB-77"


def test_adjusting_a_line_through_the_api(world):
    supervisor = api_client(staff(Role.SUPERVISOR))
    data = supervisor.post(f"{BASE}/settlements", {"outlet": world["outlet"].code, "month": world["month"]}).json()
    line = data["lines"][0]["id"]
    url = f"{BASE}/settlements/{data['number']}/lines/{line}/adjust"
    missing = supervisor.post(url, {"adjustment": "-25.00"}, headers={"If-Match": '"v1"'})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reason"
    done = supervisor.post(url, {"adjustment": "-25.00", "reason": "工单照片不全"}, headers={"If-Match": '"v1"'})
    assert done.status_code == 200 and done.json()["total_amount"] == "200.00"


def test_the_leader_sees_only_his_outlet_and_other_staff_nothing(world):
    supervisor = api_client(staff(Role.SUPERVISOR))
    for outlet in (world["outlet"], world["other"]):
        supervisor.post(f"{BASE}/settlements", {"outlet": outlet.code, "month": world["month"]})
    leader = api_client(world["leader"])
    assert [o["code"] for o in leader.get(f"{BASE}/outlets").json()["items"]] == [world["outlet"].code]
    assert leader.get(f"{BASE}/outlets/{world['other'].code}").status_code == 404
    assert [s["outlet"] for s in leader.get(f"{BASE}/settlements").json()["items"]] == [world["outlet"].code]
    theirs = Settlement.objects.get(outlet=world["other"]).number
    assert leader.get(f"{BASE}/settlements/{theirs}").status_code == 404
    refused = leader.post(f"{BASE}/settlements", {"outlet": world["outlet"].code, "month": world["month"]})
    assert refused.status_code == 403
    agent = api_client(staff(Role.AGENT))
    assert agent.get(f"{BASE}/outlets").json()["items"] == []
    assert agent.get(f"{BASE}/settlements/{theirs}").status_code == 404
    bad = agent.post(f"{BASE}/settlements", {"outlet": world["outlet"].code, "month": world["month"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "outlet"
    outlet = supervisor.get(f"{BASE}/outlets/{world['outlet'].code}").json()
    assert outlet["labour_rate"] == "80.00" and outlet["dispatcher"] == world["leader"].username


def test_a_key_without_the_outlet_scopes_is_refused(world):
    reader = api_client(staff(Role.SUPERVISOR), scopes=["outlets:read"])
    assert reader.get(f"{BASE}/outlets").status_code == 200
    assert reader.post(f"{BASE}/settlements", {"outlet": world["outlet"].code, "month": world["month"]}).status_code == 403
    assert api_client(staff(Role.SUPERVISOR), scopes=["tickets:read"]).get(f"{BASE}/settlements").status_code == 403
    wrong = api_client(staff(Role.SUPERVISOR)).post(f"{BASE}/settlements", {"outlet": world["outlet"].code, "month": "2026-13"})
    assert wrong.status_code == 422


def test_the_statement_list_does_not_grow_queries_with_its_rows(world):
    supervisor_user = staff(Role.SUPERVISOR)
    supervisor = api_client(supervisor_user)
    supervisor.post(f"{BASE}/settlements", {"outlet": world["outlet"].code, "month": world["month"]})

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert supervisor.get(f"{BASE}/settlements").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    supervisor.post(f"{BASE}/settlements", {"outlet": world["other"].code, "month": world["month"]})
    for _n in range(2):
        outlet, _leader, tech = outlet_with_people()
        accepted_job(outlet=outlet, technician=tech, accepted_at=local(world["start"] + dt.timedelta(days=4)))
        supervisor.post(f"{BASE}/settlements", {"outlet": outlet.code, "month": world["month"]})
    assert len(supervisor.get(f"{BASE}/settlements").json()["items"]) == 4
    assert count() == before
