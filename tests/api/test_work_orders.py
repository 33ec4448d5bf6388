"""Work orders over the API: create from a measure (idempotent), scoped lists and reads with
masked site details, status moves guarded by If-Match, photos, charges and the acceptance PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.models import DataScope, Role
from aftersales.fieldservice.models import WorkOrder, WorkOrderFile
from aftersales.tickets.models import MeasureKind
from tests.api.conftest import ApiClient, api_client
from tests.api.field_world import FieldWorld, build_field_world
from tests.factories import UserFactory
from tests.fieldservice.helpers import in_progress_ticket, png_bytes, signature_data, window

pytestmark = pytest.mark.django_db
BASE = "/api/v1/work-orders"


@pytest.fixture
def fw(db) -> FieldWorld:  # type: ignore[no-untyped-def]
    return build_field_world()


def _etag(client: ApiClient, number: str) -> str:
    response = client.get(f"{BASE}/{number}")
    assert response.status_code == 200, response.content
    return str(response["ETag"])


def _act(client: ApiClient, number: str, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{BASE}/{number}/actions/{action}", body or {}, headers={"If-Match": _etag(client, number)})


def _photo(name: str = "p.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(4, 4), "image/png")


def test_create_from_a_measure_is_idempotent(fw: FieldWorld) -> None:
    ticket, measure = in_progress_ticket(actor=fw.agent, region=fw.east.region, kind=MeasureKind.INSTALLATION)
    client = api_client(fw.agent)
    measures = client.get(f"/api/v1/tickets/{ticket.number}/field-measures").json()
    assert [(m["id"], m["kind"], m["work_orders"]) for m in measures] == [(measure.pk, "installation", [])]
    start, end = window(days=2)
    body = {
        "ticket": ticket.number,
        "measure_id": measure.pk,
        "description": "安装新机",
        "appointment_start": start.isoformat(),
        "appointment_end": end.isoformat(),
    }
    first = client.post(BASE, body, headers={"Idempotency-Key": "wo-1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["ticket"] == ticket.number and data["kind"] == "installation" and data["status"] == "to_dispatch"
    assert first["ETag"] == f'"v{data["version"]}"' and first["Location"].endswith(data["number"])
    again = client.post(BASE, body, headers={"Idempotency-Key": "wo-1"})
    assert again.status_code == 201 and again.json()["number"] == data["number"]
    assert again["Idempotent-Replayed"] == "true"
    assert WorkOrder.objects.filter(measure=measure).count() == 1
    listed = client.get(f"/api/v1/tickets/{ticket.number}/field-measures").json()
    assert listed[0]["work_orders"] == [data["number"]]
    other = client.post(BASE, {**body, "description": "别的"}, headers={"Idempotency-Key": "wo-1"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_create_refuses_a_measure_of_another_ticket_and_unknown_fields(fw: FieldWorld) -> None:
    client = api_client(fw.agent)
    wrong = client.post(BASE, {"ticket": fw.east.ticket.number, "measure_id": fw.south.measure.pk})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "measure_id"
    extra = client.post(BASE, {"ticket": fw.east.ticket.number, "measure_id": fw.east.measure.pk, "status": "done"})
    assert extra.status_code == 422 and extra.json()["code"] == "field_not_allowed"


def test_a_technician_lists_and_reads_only_their_own_jobs(fw: FieldWorld) -> None:
    client = api_client(fw.east.technician)
    listed = client.get(BASE).json()
    assert [w["number"] for w in listed["items"]] == [fw.east.work_order.number]
    assert client.get(f"{BASE}/{fw.south.work_order.number}").status_code == 404
    detail = client.get(f"{BASE}/{fw.east.work_order.number}").json()
    # dispatched to them: the address and the phone are shown in full
    assert detail["site"]["masked"] is False and detail["site"]["address"] == "漕溪北路88号3栋502室"
    assert detail["actions"] == ["accept", "reschedule"]


def test_roles_without_need_see_the_site_masked(fw: FieldWorld) -> None:
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL, username="fin")
    detail = api_client(finance).get(f"{BASE}/{fw.east.work_order.number}").json()
    assert detail["site"]["masked"] is True
    assert detail["site"]["address"] == "漕溪***" and "****" in detail["site"]["contact_phone"]
    assert detail["actions"] == []


def test_a_regional_key_sees_only_its_region(fw: FieldWorld) -> None:
    client = api_client(fw.boss, region=fw.east.region)
    assert {w["number"] for w in client.get(BASE).json()["items"]} == {fw.east.work_order.number}
    assert client.get(f"{BASE}/{fw.south.work_order.number}").status_code == 404


def test_pagination_has_a_cursor_and_a_maximum(fw: FieldWorld) -> None:
    client = api_client(fw.boss)
    first = client.get(BASE, {"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = client.get(BASE, {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 1 and second["items"][0]["number"] != first["items"][0]["number"]
    assert second["next_cursor"] is None
    assert client.get(BASE, {"limit": 101}).status_code == 422
    bad = client.get(BASE, {"cursor": "!!"})
    assert bad.status_code == 422 and bad.json()["code"] == "cursor_invalid"


def test_moves_need_a_fresh_etag(fw: FieldWorld) -> None:
    client = api_client(fw.east.technician)
    number = fw.east.work_order.number
    missing = client.post(f"{BASE}/{number}/actions/accept", {})
    assert missing.status_code == 428 and missing.json()["code"] == "if_match_required" and missing["ETag"]
    etag = _etag(client, number)
    accepted = client.post(f"{BASE}/{number}/actions/accept", {}, headers={"If-Match": etag})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted["ETag"] != etag
    stale = client.post(f"{BASE}/{number}/actions/depart", {}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json()["code"] == "stale_version"
    assert WorkOrder.objects.get(number=number).status == "accepted"
    not_modified = client.get(f"{BASE}/{number}", headers={"If-None-Match": accepted["ETag"]})
    assert not_modified.status_code == 304


def test_the_whole_visit_through_the_api(fw: FieldWorld) -> None:
    tech = api_client(fw.east.technician)
    number = fw.east.work_order.number
    assert _act(tech, number, "accept").status_code == 200
    assert _act(tech, number, "depart").json()["status"] == "on_the_way"
    on_site = _act(tech, number, "check-in", {"share_location": True, "lat": "31.2", "lng": "121.4"})
    assert on_site.status_code == 200 and on_site.json()["status"] == "on_site"
    refused = _act(tech, number, "complete", {"diagnosis": "泵坏", "work_done": "换泵", "labour_hours": "1.5"})
    assert refused.status_code == 422 and any(e["field"] == "photos" for e in refused.json()["errors"])
    assert WorkOrder.objects.get(number=number).diagnosis == ""  # complete is all or nothing
    for kind in ("before", "after"):
        uploaded = tech.upload(f"{BASE}/{number}/photos", {"file": _photo(), "kind": kind}, headers={"Idempotency-Key": kind})
        assert uploaded.status_code == 201, uploaded.content
        assert uploaded.json()["content_type"] == "image/png"
    assert WorkOrderFile.objects.filter(work_order__number=number).count() == 2
    done = _act(tech, number, "complete", {"diagnosis": "泵坏", "work_done": "换泵", "labour_hours": "1.5", "travel_km": "12"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["actions"] == ["customer_accept"]
    charges = tech.get(f"{BASE}/{number}/charges").json()
    assert charges["lines"] and all(line["free"] for line in charges["lines"])  # in warranty
    assert charges["charge_total"] == "0.00"
    assert tech.get(f"{BASE}/{number}/acceptance.pdf").status_code == 404
    accepted = _act(
        tech, number, "customer-accept", {"method": "signature", "signer_name": "张三", "signature": signature_data()}
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "customer_accepted"
    pdf = tech.get(f"{BASE}/{number}/acceptance.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")


def test_photos_are_checked_by_content(fw: FieldWorld) -> None:
    tech = api_client(fw.east.technician)
    number = fw.east.work_order.number
    for action in ("accept", "check-in"):
        assert _act(tech, number, action).status_code == 200
    fake = SimpleUploadedFile("p.png", b"MZ not an image at all", "image/png")
    response = tech.upload(f"{BASE}/{number}/photos", {"file": fake, "kind": "before"})
    assert response.status_code == 422
    assert not WorkOrderFile.objects.filter(work_order__number=number).exists()


def test_dispatch_reschedule_fail_and_cancel_by_the_dispatcher(fw: FieldWorld) -> None:
    boss = api_client(fw.boss)
    number = fw.east.work_order.number
    start, end = window(days=3)
    moved = _act(
        boss,
        number,
        "reschedule",
        {"appointment_start": start.isoformat(), "appointment_end": end.isoformat(), "reason": "客户出差"},
    )
    assert moved.status_code == 200 and moved.json()["status"] == "rescheduled"
    again = _act(boss, number, "dispatch", {"technician": fw.south.technician.username})
    assert again.status_code == 200 and again.json()["technician"] == fw.south.technician.username
    unknown = _act(boss, number, "dispatch", {"technician": fw.agent.username})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "technician"
    cancelled = _act(boss, number, "cancel", {"reason": "客户取消"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert _act(boss, number, "fail", {"reason": "x"}).status_code == 409


def test_technicians_cannot_dispatch_and_agents_cannot_work_the_job(fw: FieldWorld) -> None:
    number = fw.east.work_order.number
    tech = api_client(fw.east.technician)
    refused = _act(tech, number, "dispatch", {"technician": fw.east.technician.username})
    assert refused.status_code == 403
    agent = api_client(fw.agent)
    assert _act(agent, number, "accept").status_code == 403
    assert WorkOrder.objects.get(number=number).status == "dispatched"


def test_scopes_and_customers(fw: FieldWorld) -> None:
    reader = api_client(fw.boss, scopes=["workorders:read"])
    assert reader.get(BASE).status_code == 200
    denied = reader.post(f"{BASE}/{fw.east.work_order.number}/actions/cancel", {"reason": "x"}, headers={"If-Match": "*"})
    assert denied.status_code == 403 and denied.json()["code"] == "scope_missing"
    tickets_only = api_client(fw.boss, scopes=["tickets:read"])
    assert tickets_only.get(BASE).json()["code"] == "scope_missing"
    assert WorkOrder.objects.get(number=fw.east.work_order.number).status == "dispatched"
