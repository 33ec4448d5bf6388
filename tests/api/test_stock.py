"""Parts and stock over the API: the catalogue, scoped stock levels, a requisition's life for a
work order, parts used, returns — and the idempotency purge job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from aftersales.api.services import idempotency_records_purge
from aftersales.api.tasks import purge_idempotency_records
from aftersales.core import clock
from aftersales.core.models import IdempotencyRecord
from aftersales.core.schedule import PERIODIC_JOBS
from aftersales.parts.models import PartReturn, PartUsage, Requisition, RequisitionApprovalRule, Stock
from tests.api.conftest import api_client
from tests.api.field_world import FieldWorld, build_field_world, draft_requisition
from tests.parts.factories import PartFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fw(db) -> FieldWorld:  # type: ignore[no-untyped-def]
    return build_field_world()


def _on_hand(warehouse_id: int, part_id: int) -> int:
    return Stock.objects.get(warehouse_id=warehouse_id, part_id=part_id).on_hand


def test_catalogue_search_and_pages(fw: FieldWorld) -> None:
    PartFactory(number="P-ZZZ", name="停用件", active=False)
    client = api_client(fw.east.technician)
    first = client.get("/api/v1/parts", {"limit": 1}).json()
    assert [p["number"] for p in first["items"]] == ["P-BOARD"] and first["next_cursor"]
    second = client.get("/api/v1/parts", {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [p["number"] for p in second["items"]] == ["P-SENSOR"] and second["next_cursor"] is None
    assert [p["number"] for p in client.get("/api/v1/parts", {"q": "传感"}).json()["items"]] == ["P-SENSOR"]
    assert second["items"][0]["unit_price"] == "45.00"
    assert client.get("/api/v1/parts", {"limit": 500}).status_code == 422


def test_stock_is_scoped(fw: FieldWorld) -> None:
    tech = api_client(fw.east.technician).get("/api/v1/stock").json()["items"]
    assert {row["warehouse"] for row in tech} == {f"Van of {fw.east.technician}"} or len({r["warehouse_id"] for r in tech}) == 1
    assert all(row["part_number"] == "P-SENSOR" and row["on_hand"] == 5 for row in tech)
    keeper = api_client(fw.east.keeper).get("/api/v1/stock", {"limit": 100}).json()["items"]
    seen = {row["warehouse_id"] for row in keeper}
    assert fw.east.warehouse.pk in seen and fw.central.pk in seen and fw.south.warehouse.pk not in seen
    boss_east_key = api_client(fw.boss, region=fw.east.region).get("/api/v1/stock", {"limit": 100}).json()["items"]
    assert fw.south.warehouse.pk not in {row["warehouse_id"] for row in boss_east_key}
    other = api_client(fw.east.keeper).get("/api/v1/stock", {"warehouse_id": fw.south.warehouse.pk}).json()
    assert other["items"] == []
    warehouses = {w["code"] for w in api_client(fw.east.keeper).get("/api/v1/warehouses").json()}
    assert "east-wh" in warehouses and "central" in warehouses and "south-wh" not in warehouses


def test_a_requisition_from_request_to_issue(fw: FieldWorld) -> None:
    RequisitionApprovalRule.objects.create(name="贵重件", min_total=100, approver_role="warehouse", active=True)
    tech = api_client(fw.east.technician)
    number = fw.east.work_order.number
    body = {"warehouse_id": fw.east.warehouse.pk, "lines": [{"part_number": "P-BOARD", "quantity": 2}], "note": "急"}
    created = tech.post(f"/api/v1/work-orders/{number}/requisitions", body, headers={"Idempotency-Key": "req-1"})
    assert created.status_code == 201, created.content
    req = created.json()
    assert req["status"] == "draft" and req["lines"] == [{"part_number": "P-BOARD", "part_name": "电脑板", "quantity": 2}]
    replay = tech.post(f"/api/v1/work-orders/{number}/requisitions", body, headers={"Idempotency-Key": "req-1"})
    assert replay.json()["id"] == req["id"] and Requisition.objects.count() == 1
    submitted = tech.post(f"/api/v1/requisitions/{req['id']}/submit", {}, headers={"Idempotency-Key": "sub-1"})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    retried = tech.post(f"/api/v1/requisitions/{req['id']}/submit", {}, headers={"Idempotency-Key": "sub-1"})
    assert retried.status_code == 200 and retried["Idempotent-Replayed"] == "true"
    assert tech.post(f"/api/v1/requisitions/{req['id']}/submit", {}).status_code == 409  # without the key: refused
    # the requester cannot approve; another region's keeper does not even see it
    assert tech.post(f"/api/v1/requisitions/{req['id']}/decide", {"approve": True}).status_code == 403
    assert api_client(fw.south.keeper).post(f"/api/v1/requisitions/{req['id']}/decide", {"approve": True}).status_code == 404
    keeper = api_client(fw.east.keeper)
    no_reason = keeper.post(f"/api/v1/requisitions/{req['id']}/decide", {"approve": False})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "comment"
    approved = keeper.post(f"/api/v1/requisitions/{req['id']}/decide", {"approve": True, "comment": "ok"})
    assert approved.json()["status"] == "approved"
    before = _on_hand(fw.east.warehouse.pk, fw.board.pk)
    issued = keeper.post(f"/api/v1/requisitions/{req['id']}/issue", {})
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    assert _on_hand(fw.east.warehouse.pk, fw.board.pk) == before - 2
    assert keeper.post(f"/api/v1/requisitions/{req['id']}/issue", {}).status_code == 409
    listed = tech.get("/api/v1/requisitions", {"status": "issued"}).json()["items"]
    assert [r["id"] for r in listed] == [req["id"]]


def test_requisition_refuses_unknown_parts_and_vans(fw: FieldWorld) -> None:
    tech = api_client(fw.east.technician)
    number = fw.east.work_order.number
    unknown = tech.post(
        f"/api/v1/work-orders/{number}/requisitions",
        {"warehouse_id": fw.east.warehouse.pk, "lines": [{"part_number": "NOPE", "quantity": 1}]},
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "lines.0.part_number"
    van_id = Stock.objects.filter(warehouse__kind="van").values_list("warehouse_id", flat=True).first()
    van = tech.post(
        f"/api/v1/work-orders/{number}/requisitions",
        {"warehouse_id": van_id, "lines": [{"part_number": "P-BOARD", "quantity": 1}]},
    )
    assert van.status_code == 422 and van.json()["errors"][0]["field"] == "warehouse_id"
    assert not Requisition.objects.exists()


def test_parts_used_and_returned(fw: FieldWorld) -> None:
    tech = api_client(fw.east.technician)
    number = fw.east.work_order.number
    body = {"lines": [{"part_number": "P-SENSOR", "quantity": 1, "serial": "SN-NEW", "removed_serial": "SN-OLD"}]}
    used = tech.post(f"/api/v1/work-orders/{number}/parts-used", body, headers={"Idempotency-Key": "use-1"})
    assert used.status_code == 201, used.content
    assert used.json()[0]["serial"] == "SN-NEW"
    assert tech.post(f"/api/v1/work-orders/{number}/parts-used", body, headers={"Idempotency-Key": "use-1"}).status_code == 201
    assert PartUsage.objects.count() == 1
    assert [u["part_number"] for u in tech.get(f"/api/v1/work-orders/{number}/parts-used").json()] == ["P-SENSOR"]
    too_many = tech.post(f"/api/v1/work-orders/{number}/parts-used", {"lines": [{"part_number": "P-SENSOR", "quantity": 99}]})
    assert too_many.status_code == 409 and too_many.json()["code"] == "insufficient_stock"
    returned = tech.post(
        "/api/v1/returns",
        {
            "warehouse_id": fw.east.warehouse.pk,
            "work_order": number,
            "unused": [{"part_number": "P-SENSOR", "quantity": 2}],
            "faulty": [{"part_number": "P-SENSOR", "serial": "SN-OLD", "condition": "烧坏"}],
        },
        headers={"Idempotency-Key": "ret-1"},
    )
    assert returned.status_code == 201, returned.content
    ret = returned.json()
    assert ret["status"] == "sent" and ret["technician"] == fw.east.technician.username
    assert ret["faulty"][0]["serial"] == "SN-OLD"
    assert tech.post(f"/api/v1/returns/{ret['id']}/receive", {}).status_code == 403
    assert api_client(fw.south.keeper).get(f"/api/v1/returns/{ret['id']}").status_code == 404
    before = _on_hand(fw.east.warehouse.pk, fw.sensor.pk)
    received = api_client(fw.east.keeper).post(f"/api/v1/returns/{ret['id']}/receive", {})
    assert received.status_code == 200 and received.json()["status"] == "received"
    assert _on_hand(fw.east.warehouse.pk, fw.sensor.pk) == before + 2
    naming = tech.post(
        "/api/v1/returns",
        {
            "warehouse_id": fw.east.warehouse.pk,
            "technician": fw.south.technician.username,
            "unused": [{"part_number": "P-SENSOR", "quantity": 1}],
        },
    )
    assert naming.status_code == 422 and naming.json()["code"] == "field_not_allowed"
    assert PartReturn.objects.count() == 1


def test_a_technician_cannot_touch_another_technicians_documents(fw: FieldWorld) -> None:
    req = draft_requisition(fw.south, fw.board)
    east = api_client(fw.east.technician)
    assert east.get(f"/api/v1/requisitions/{req.pk}").status_code == 404
    assert east.post(f"/api/v1/requisitions/{req.pk}/submit", {}).status_code == 404
    assert east.post(f"/api/v1/requisitions/{req.pk}/cancel", {}).status_code == 404
    south_wo = fw.south.work_order.number
    assert east.get(f"/api/v1/work-orders/{south_wo}/parts-used").status_code == 404
    posted = east.post(f"/api/v1/work-orders/{south_wo}/parts-used", {"lines": [{"part_number": "P-SENSOR", "quantity": 1}]})
    assert posted.status_code == 404
    assert Requisition.objects.get(pk=req.pk).status == "draft" and not PartUsage.objects.exists()


def test_stock_scopes(fw: FieldWorld) -> None:
    reader = api_client(fw.east.keeper, scopes=["stock:read"])
    assert reader.get("/api/v1/stock").status_code == 200
    req = draft_requisition(fw.east, fw.board)
    denied = reader.post(f"/api/v1/requisitions/{req.pk}/submit", {})
    assert denied.status_code == 403 and denied.json()["code"] == "scope_missing"
    assert api_client(fw.east.keeper, scopes=["tickets:read"]).get("/api/v1/parts").json()["code"] == "scope_missing"


# --- the idempotency purge ---------------------------------------------------------------------


def _record(key: str, age: dt.timedelta) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        owner="key:1", key=key, method="POST", path="/x", request_hash="h", response_status=201, created_at=clock.now() - age
    )


def test_old_idempotency_records_are_purged(db) -> None:  # type: ignore[no-untyped-def]
    _record("old", dt.timedelta(days=8))
    _record("fresh", dt.timedelta(days=6))
    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    with override_settings(API_IDEMPOTENCY_KEEP_DAYS=5):
        assert purge_idempotency_records.call() == 1
    assert not IdempotencyRecord.objects.exists()
    assert "aftersales.api.tasks.purge_idempotency_records" in {job.task_path for job in PERIODIC_JOBS}


def test_a_purged_key_may_be_used_again(fw: FieldWorld) -> None:
    client = api_client(fw.east.technician)
    number = fw.east.work_order.number
    body = {"lines": [{"part_number": "P-SENSOR", "quantity": 1}]}
    assert client.post(f"/api/v1/work-orders/{number}/parts-used", body, headers={"Idempotency-Key": "k"}).status_code == 201
    IdempotencyRecord.objects.update(created_at=clock.now() - dt.timedelta(days=30))
    assert idempotency_records_purge() == 1
    again = client.post(f"/api/v1/work-orders/{number}/parts-used", body, headers={"Idempotency-Key": "k"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert PartUsage.objects.count() == 2
