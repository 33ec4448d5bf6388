"""GET /tickets/{number}?expand=… reads what the ticket page shows — plan with measure ids,
approvals, agreements, SLA clocks, work orders, surveys — scoped and masked as the page is; and
GET /tickets/{number}/case-file.pdf prints it."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.tickets.models import PlanMeasure
from tests.api.conftest import api_client, customer_user
from tests.casefile.world import INTERNAL_NOTE, lived_ticket
from tests.factories import RegionFactory, UserFactory
from tests.fieldservice.helpers import in_progress_ticket, unit_in_warranty

pytestmark = pytest.mark.django_db

ALL = ["plan", "approvals", "agreements", "sla_clocks", "work_orders", "surveys"]
EXPANSIONS = {"plan", "approvals", "agreements", "sla_clocks", "work_orders", "surveys"}


def read(client, number: str, *expand: str):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/tickets/{number}", {"expand": list(expand)} if expand else None)


def test_the_measure_ids_of_the_plan_are_what_update_measure_takes():
    handler = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    client = api_client(handler)

    response = read(client, ticket.number, "plan")
    assert response.status_code == 200
    body = response.json()
    plan = body["plan"]
    assert plan["status"] == "agreed" and plan["diagnosis"]
    (item,) = plan["measures"]
    assert item["id"] == measure.pk and item["kind"] == "onsite_repair" and item["owner"] == handler.username
    assert "update_measure" in body["actions"]
    assert set(body) & EXPANSIONS == {"plan"}  # only what was asked for

    moved = client.post(
        f"/api/v1/tickets/{ticket.number}/actions/update-measure",
        {"measure_id": item["id"], "status": "in_progress", "progress_note": "已联系客户"},
        headers={"If-Match": response["ETag"]},
    )
    assert moved.status_code == 200, moved.json()
    assert PlanMeasure.objects.get(pk=measure.pk).status == "in_progress"
    assert read(client, ticket.number, "plan").json()["plan"]["measures"][0]["status"] == "in_progress"


def test_everything_the_page_shows_of_a_closed_ticket():
    world = lived_ticket()
    body = read(api_client(world.handler), world.ticket.number, *ALL).json()

    assert body["status"] == "closed" and body["actions"] == ["reopen"]
    assert body["plan"]["measures"][0]["id"] == world.measure.pk
    assert body["plan"]["cost_budget"] == "500.00"
    (approval,) = body["approvals"]
    assert (approval["status"], approval["decided_by"], approval["comment"]) == ("approved", "王主管", "同意上门维修。")
    (agreement,) = body["agreements"]
    assert (agreement["decision"], agreement["method"], agreement["note"]) == ("accepted", "phone", "客户电话同意。")
    clocks = {c["metric"]: c for c in body["sla_clocks"]}
    assert set(clocks) == {"first_response", "solution", "resolution"}
    for clock in clocks.values():
        assert {"due_at", "status", "paused", "breached"} <= set(clock)
        assert clock["paused"] is False and clock["breached"] is False and clock["status"] == "met"
    (wo,) = body["work_orders"]
    assert (wo["number"], wo["status"], wo["technician"], wo["technician_name"]) == (
        world.work_order.number,
        "customer_accepted",
        world.tech.username,
        "刘强",
    )
    assert wo["appointment_start"] and wo["appointment_end"] and wo["measure_id"] == world.measure.pk
    assert wo["charge_total"] == "0.00" and wo["charges"] and all(line["reason"] for line in wo["charges"])
    (survey,) = body["surveys"]
    assert (survey["overall"], survey["solved"], survey["comment"]) == (5, True, "很满意")


def test_a_plain_read_stays_as_it_was_and_an_expanded_one_is_never_304():
    world = lived_ticket()
    client = api_client(world.handler)
    plain = read(client, world.ticket.number)
    assert plain.status_code == 200 and not set(plain.json()) & EXPANSIONS
    etag = plain["ETag"]
    assert client.get(f"/api/v1/tickets/{world.ticket.number}", headers={"If-None-Match": etag}).status_code == 304
    expanded = client.get(f"/api/v1/tickets/{world.ticket.number}", {"expand": ["work_orders"]}, headers={"If-None-Match": etag})
    assert expanded.status_code == 200 and expanded["ETag"] == etag and expanded.json()["work_orders"]
    # The list stays cheap: summaries only.
    listed = client.get("/api/v1/tickets").json()["items"][0]
    assert not set(listed) & EXPANSIONS and "actions" not in listed


def test_masked_for_a_role_without_access_to_phones():
    world = lived_ticket()
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    body = read(api_client(finance), world.ticket.number, *ALL).json()
    assert body["contact_phone"] == "139****5678" and body["contact_name"] == "陈*" and body["address"] == ""
    assert body["actions"] == []
    assert body["work_orders"][0]["number"] == world.work_order.number


def test_out_of_scope_is_404_for_the_read_and_the_case_file():
    world = lived_ticket()
    outsider = api_client(UserFactory(role=Role.AGENT, data_scope=DataScope.OWN))
    other_region = api_client(world.handler, region=RegionFactory())
    for client in (outsider, other_region):
        assert read(client, world.ticket.number, *ALL).status_code == 404
        assert client.get(f"/api/v1/tickets/{world.ticket.number}/case-file.pdf").status_code == 404


def test_what_a_key_or_a_customer_may_not_expand_is_refused_not_dropped():
    world = lived_ticket()
    no_work_orders = api_client(world.handler, scopes=["tickets:read"])
    refused = read(no_work_orders, world.ticket.number, "work_orders")
    assert refused.status_code == 403 and refused.json()["code"] == "scope_missing"
    assert read(no_work_orders, world.ticket.number, "surveys").status_code == 403
    assert read(no_work_orders, world.ticket.number, "plan", "sla_clocks").status_code == 200

    customer = api_client(customer_user(world.ticket))
    staff_only = read(customer, world.ticket.number, "approvals")
    assert staff_only.status_code == 403 and staff_only.json()["code"] == "staff_only"
    assert read(customer, world.ticket.number, "sla_clocks").status_code == 403
    assert read(customer, world.ticket.number, "work_orders").status_code == 403  # a staff-only scope
    own = read(customer, world.ticket.number, "plan", "agreements", "surveys").json()
    measure = own["plan"]["measures"][0]
    assert (measure["amount"], measure["owner"], own["plan"]["cost_budget"]) == (None, None, None)
    assert own["agreements"][0]["decision"] == "accepted" and own["surveys"][0]["comment"] == "很满意"

    assert read(api_client(world.handler), world.ticket.number, "secrets").status_code == 422


def test_the_case_file_pdf_in_the_callers_language_audited_and_scoped_by_the_keys_scopes():
    world = lived_ticket()
    client = api_client(world.handler)
    client.language = "en"
    response = client.get(f"/api/v1/tickets/{world.ticket.number}/case-file.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{world.ticket.number}.pdf"'
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Case file {world.ticket.number}" in text and INTERNAL_NOTE in text
    assert "Charges" in text and "Ratings" in text
    viewed = AuditEvent.objects.get(action="customer.personal_data_viewed", actor=world.handler)
    assert viewed.changes["case_file"] == "api"

    narrow = api_client(world.handler, scopes=["tickets:read"])
    narrow.language = "zh-Hans"
    text = "\n".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(narrow.get(f"/api/v1/tickets/{world.ticket.number}/case-file.pdf").content)).pages
    )
    # No work-order section (its charges) and no survey section (its ratings) without their scopes.
    assert "案卷" in text and "收费明细" not in text and "评分" not in text

    customer = api_client(customer_user(world.ticket))
    own = customer.get(f"/api/v1/tickets/{world.ticket.number}/case-file.pdf")
    assert own.status_code == 200
    assert INTERNAL_NOTE not in "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(own.content)).pages)
    assert (
        api_client(world.handler, scopes=["customers:read"])
        .get(f"/api/v1/tickets/{world.ticket.number}/case-file.pdf")
        .status_code
        == 403
    )
