"""Every work-order and stock endpoint checks every object: a key for the east region and the
east technician reach none of the south's work orders, requisitions and returns (404: their
existence is not told) and change nothing on them; lists leave them out."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.audit.models import AuditEvent
from aftersales.fieldservice.models import WorkOrder
from aftersales.parts import services as parts
from aftersales.parts.models import PartReturn, Requisition
from tests.api.conftest import ApiClient, api_client
from tests.api.field_world import FieldWorld, build_field_world, draft_requisition
from tests.fieldservice.helpers import png_bytes

pytestmark = pytest.mark.django_db

WORK_ORDER_ENDPOINTS = [
    ("GET", "/api/v1/work-orders/{wo}", None),
    ("GET", "/api/v1/work-orders/{wo}/actions", None),
    ("GET", "/api/v1/work-orders/{wo}/charges", None),
    ("GET", "/api/v1/work-orders/{wo}/acceptance.pdf", None),
    ("GET", "/api/v1/work-orders/{wo}/parts-used", None),
    ("POST", "/api/v1/work-orders/{wo}/actions/dispatch", {"technician": "east-tech"}),
    ("POST", "/api/v1/work-orders/{wo}/actions/accept", {}),
    ("POST", "/api/v1/work-orders/{wo}/actions/depart", {}),
    ("POST", "/api/v1/work-orders/{wo}/actions/check-in", {}),
    ("POST", "/api/v1/work-orders/{wo}/actions/record-work", {"diagnosis": "x", "work_done": "y", "labour_hours": 1}),
    ("POST", "/api/v1/work-orders/{wo}/actions/check-out", {}),
    ("POST", "/api/v1/work-orders/{wo}/actions/complete", {"diagnosis": "x", "work_done": "y", "labour_hours": 1}),
    ("POST", "/api/v1/work-orders/{wo}/actions/customer-accept", {"method": "code", "code": "123456"}),
    (
        "POST",
        "/api/v1/work-orders/{wo}/actions/reschedule",
        {"appointment_start": "2030-01-01T09:00:00+08:00", "appointment_end": "2030-01-01T10:00:00+08:00", "reason": "x"},
    ),
    ("POST", "/api/v1/work-orders/{wo}/actions/fail", {"reason": "x"}),
    ("POST", "/api/v1/work-orders/{wo}/actions/cancel", {"reason": "x"}),
    ("POST", "/api/v1/work-orders/{wo}/photos", "photo"),
    ("POST", "/api/v1/work-orders/{wo}/requisitions", {"warehouse_id": 0, "lines": [{"part_number": "P-BOARD", "quantity": 1}]}),
    ("POST", "/api/v1/work-orders/{wo}/parts-used", {"lines": [{"part_number": "P-SENSOR", "quantity": 1}]}),
    ("GET", "/api/v1/requisitions/{req}", None),
    ("POST", "/api/v1/requisitions/{req}/submit", {}),
    ("POST", "/api/v1/requisitions/{req}/decide", {"approve": True}),
    ("POST", "/api/v1/requisitions/{req}/issue", {}),
    ("POST", "/api/v1/requisitions/{req}/cancel", {}),
    ("GET", "/api/v1/returns/{ret}", None),
    ("POST", "/api/v1/returns/{ret}/receive", {}),
]


@pytest.fixture
def fw(db) -> FieldWorld:  # type: ignore[no-untyped-def]
    return build_field_world()


def _south_objects(fw: FieldWorld) -> dict[str, Any]:
    req = draft_requisition(fw.south, fw.board)
    ret = parts.return_create(
        work_order=WorkOrder.objects.get(pk=fw.south.work_order.pk),
        technician=fw.south.technician,
        warehouse=fw.south.warehouse,
        unused=[(fw.sensor, 1)],
        faulty=[],
        actor=fw.south.technician,
    )
    return {"wo": fw.south.work_order.number, "req": req.pk, "ret": ret.pk}


def _call(client: ApiClient, method: str, path: str, body: Any, fw: FieldWorld) -> Any:
    if method == "GET":
        return client.get(path)
    if body == "photo":
        return client.upload(path, {"file": SimpleUploadedFile("p.png", png_bytes(4, 4), "image/png"), "kind": "before"})
    if isinstance(body, dict) and "warehouse_id" in body:
        body = {**body, "warehouse_id": fw.central.pk}
    return client.post(path, body, headers={"If-Match": "*"})


def _snapshot() -> tuple[Any, ...]:
    return (
        list(WorkOrder.objects.order_by("pk").values_list("pk", "status", "version", "technician_id")),
        list(Requisition.objects.order_by("pk").values_list("pk", "status")),
        list(PartReturn.objects.order_by("pk").values_list("pk", "status")),
        # Refused attempts are audited (issue 21: access.refused); nothing else may be written.
        AuditEvent.objects.exclude(action__startswith="access.").count(),
    )


@pytest.mark.parametrize(("method", "template", "body"), WORK_ORDER_ENDPOINTS)
def test_foreign_objects_answer_404_and_stay_unchanged(fw: FieldWorld, method: str, template: str, body: Any) -> None:
    objects = _south_objects(fw)
    path = template.format(**objects)
    callers = {
        "east key of an all-seeing supervisor": api_client(fw.boss, region=fw.east.region),
        "east technician": api_client(fw.east.technician),
        "east warehouse keeper": api_client(fw.east.keeper),
    }
    before = _snapshot()
    for label, client in callers.items():
        response = _call(client, method, path, body, fw)
        assert response.status_code == 404, f"{label}: {method} {path} → {response.status_code} {response.content[:200]!r}"
        assert response["Content-Type"].startswith("application/problem+json")
    assert _snapshot() == before


def test_lists_leave_foreign_objects_out(fw: FieldWorld) -> None:
    objects = _south_objects(fw)
    own = draft_requisition(fw.east, fw.board)
    for client in (api_client(fw.boss, region=fw.east.region), api_client(fw.east.technician), api_client(fw.east.keeper)):
        numbers = {w["number"] for w in client.get("/api/v1/work-orders").json().get("items", [])}
        assert objects["wo"] not in numbers
        reqs = {r["id"] for r in client.get("/api/v1/requisitions").json()["items"]}
        assert objects["req"] not in reqs
        rets = {r["id"] for r in client.get("/api/v1/returns").json()["items"]}
        assert objects["ret"] not in rets
        stock = {s["warehouse_id"] for s in client.get("/api/v1/stock", {"limit": 100}).json()["items"]}
        assert fw.south.warehouse.pk not in stock
    assert own.pk in {r["id"] for r in api_client(fw.east.technician).get("/api/v1/requisitions").json()["items"]}


def test_creates_cannot_reach_foreign_objects(fw: FieldWorld) -> None:
    objects = _south_objects(fw)
    east_key = api_client(fw.boss, region=fw.east.region)
    assert east_key.get(f"/api/v1/tickets/{fw.south.ticket.number}/field-measures").status_code == 404
    assert api_client(fw.east.technician).get(f"/api/v1/tickets/{fw.south.ticket.number}/field-measures").status_code in (
        403,
        404,
    )
    refused = east_key.post("/api/v1/work-orders", {"ticket": fw.south.ticket.number, "measure_id": fw.south.measure.pk})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "ticket"
    tech = api_client(fw.east.technician)
    ret = tech.post(
        "/api/v1/returns",
        {"warehouse_id": fw.central.pk, "work_order": objects["wo"], "unused": [{"part_number": "P-SENSOR", "quantity": 1}]},
    )
    assert ret.status_code == 404
    wrong_wh = east_key.post(
        f"/api/v1/work-orders/{fw.east.work_order.number}/requisitions",
        {"warehouse_id": fw.south.warehouse.pk, "lines": [{"part_number": "P-BOARD", "quantity": 1}]},
    )
    assert wrong_wh.status_code == 422 and wrong_wh.json()["errors"][0]["field"] == "warehouse_id"
    assert WorkOrder.objects.filter(ticket=fw.south.ticket).count() == 1


def test_a_customer_key_reaches_no_work_order(fw: FieldWorld) -> None:
    from tests.api.conftest import customer_user

    customer = customer_user(fw.east.ticket, "fs-customer")
    client = api_client(customer)
    for path in ("/api/v1/work-orders", f"/api/v1/work-orders/{fw.east.work_order.number}", "/api/v1/stock", "/api/v1/parts"):
        response = client.get(path)
        assert response.status_code == 403 and response.json()["code"] == "scope_missing", path
    assert WorkOrder.objects.get(pk=fw.east.work_order.pk).status == "dispatched"


def test_a_customer_cannot_hold_a_work_order_or_stock_key(fw: FieldWorld) -> None:
    from aftersales.api.services import api_key_create
    from aftersales.core.errors import ValidationFailed
    from tests.api.conftest import customer_user

    customer = customer_user(fw.east.ticket, "fs-customer-2")
    for scope in ("workorders:read", "workorders:write", "stock:read", "stock:write"):
        with pytest.raises(ValidationFailed) as refused:
            api_key_create(name="x", owner=customer, scopes=["tickets:read", scope], actor=None)
        assert refused.value.code == "api_key_scope_not_allowed"
