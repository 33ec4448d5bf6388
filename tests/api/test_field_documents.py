"""Work orders and stock over the API, continued: the quote of a chargeable job, the one-time
acceptance code, expense claims, permits and file downloads; goods receipts, adjustments,
transfers and faulty-part appraisal — each scoped (another region's or technician's object is
a 404 and nothing changes)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.models import DataScope, Role
from aftersales.fieldservice import services as fs
from aftersales.fieldservice.models import (
    AcceptanceCode,
    ChargePolicy,
    ExpenseClaim,
    TravelMode,
    TravelRate,
    WorkOrder,
    WorkOrderFile,
)
from aftersales.parts import services as parts
from aftersales.parts.models import FaultyPartReturn, FaultyStatus, Stock, StockMovement, Transfer
from tests.api.conftest import ApiClient, api_client
from tests.api.field_world import FieldWorld, build_field_world
from tests.factories import UserFactory
from tests.fieldservice.helpers import fresh, in_progress_ticket, png_bytes, signature_data, unit_out_of_warranty, window

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


def _png(name: str = "p.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(4, 4), "image/png")


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)


def _on_hand(warehouse_id: int, part_id: int) -> int:
    row = Stock.objects.filter(warehouse_id=warehouse_id, part_id=part_id).first()
    return row.on_hand if row else 0


def _done(fw: FieldWorld) -> str:
    """The east job worked through the API up to done (photos before and after)."""
    tech = api_client(fw.east.technician)
    number = fw.east.work_order.number
    for action in ("accept", "check-in"):
        assert _act(tech, number, action).status_code == 200
    for kind in ("before", "after"):
        assert tech.upload(f"{BASE}/{number}/photos", {"file": _png(), "kind": kind}).status_code == 201
    body = {"diagnosis": "泵坏", "work_done": "换泵", "labour_hours": "1.5"}
    assert _act(tech, number, "complete", body).status_code == 200
    return number


# --- work orders --------------------------------------------------------------------------------


def test_a_quote_is_prepared_and_confirmed_on_site(fw: FieldWorld) -> None:
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    TravelRate.objects.create(region=None, mode=TravelMode.PER_KM, cost=Decimal("1.50"), price=Decimal("3.00"))
    _ticket, measure = in_progress_ticket(actor=fw.agent, region=fw.east.region, unit=unit_out_of_warranty())
    job = fs.work_order_create(measure=measure, actor=fw.agent)
    start, end = window(days=1)
    fs.work_order_dispatch(
        work_order=job, actor=fw.boss, technician=fw.east.technician, appointment_start=start, appointment_end=end
    )
    number = fresh(job).number
    tech = api_client(fw.east.technician)
    assert fresh(job).chargeable and "prepare_quote" in tech.get(f"{BASE}/{number}").json()["actions"]
    assert tech.get(f"{BASE}/{number}/quote").json()["sent_at"] is None
    body = {"estimated_hours": "2", "parts_estimate": "50", "estimated_km": "10"}
    assert tech.post(f"{BASE}/{number}/actions/prepare-quote", body).status_code == 428  # If-Match required
    stale = tech.post(f"{BASE}/{number}/actions/prepare-quote", body, headers={"If-Match": '"v0"'})
    assert stale.status_code == 412
    # another region's technician: not found, nothing quoted
    other = api_client(fw.south.technician)
    assert other.get(f"{BASE}/{number}/quote").status_code == 404
    assert other.post(f"{BASE}/{number}/actions/prepare-quote", body, headers={"If-Match": '"v1"'}).status_code == 404
    assert fresh(job).quote_sent_at is None
    quoted = _act(tech, number, "prepare-quote", body)
    assert quoted.status_code == 200, quoted.content
    assert "confirm_quote" in quoted.json()["actions"]
    quote = tech.get(f"{BASE}/{number}/quote").json()
    assert quote["total"] == "320.00" and quote["sent_at"] and quote["confirmed_at"] is None
    assert {line["kind"] for line in quote["lines"]} == {"part", "labour", "travel"}
    assert _act(tech, number, "prepare-quote", {"estimated_hours": "0"}).status_code == 422
    assert _act(api_client(fw.boss), number, "confirm-quote").status_code == 403  # only the technician records it
    confirmed = _act(tech, number, "confirm-quote")
    assert confirmed.status_code == 200 and confirmed.json()["quote_confirmed"] is True
    assert tech.get(f"{BASE}/{number}/quote").json()["confirmed_via"] == "on_site"
    assert _act(tech, number, "confirm-quote").status_code == 409


def test_acceptance_code_signature_and_file_downloads(fw: FieldWorld) -> None:
    tech = api_client(fw.east.technician)
    number = fw.east.work_order.number
    early = tech.post(f"{BASE}/{number}/acceptance-code", {})
    assert early.status_code == 409 and early.json()["code"] == "not_done"
    number = _done(fw)
    other = api_client(fw.south.technician)
    assert other.post(f"{BASE}/{number}/acceptance-code", {}, headers={"Idempotency-Key": "c-x"}).status_code == 404
    assert not AcceptanceCode.objects.exists()
    sent = tech.post(f"{BASE}/{number}/acceptance-code", {}, headers={"Idempotency-Key": "code-1"})
    assert sent.status_code == 201, sent.content
    replay = tech.post(f"{BASE}/{number}/acceptance-code", {}, headers={"Idempotency-Key": "code-1"})
    assert replay.json() == sent.json() and AcceptanceCode.objects.count() == 1
    photo = WorkOrderFile.objects.filter(work_order__number=number).first()
    assert photo is not None
    download = tech.get(f"{BASE}/{number}/files/{photo.pk}")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert _body(download) == png_bytes(4, 4)
    assert other.get(f"{BASE}/{number}/files/{photo.pk}").status_code == 404
    assert api_client(fw.boss, region=fw.south.region).get(f"{BASE}/{number}/files/{photo.pk}").status_code == 404
    assert api_client(fw.boss, scopes=["stock:read"]).get(f"{BASE}/{number}/files/{photo.pk}").status_code == 403
    assert tech.get(f"{BASE}/{number}/files/999999").status_code == 404
    assert tech.get(f"{BASE}/{number}/signature.png").status_code == 404
    signed = _act(tech, number, "customer-accept", {"method": "signature", "signer_name": "张三", "signature": signature_data()})
    assert signed.status_code == 200
    signature = tech.get(f"{BASE}/{number}/signature.png")
    assert signature.status_code == 200 and _body(signature).startswith(b"\x89PNG")
    assert other.get(f"{BASE}/{number}/signature.png").status_code == 404


def test_expense_claims_with_a_receipt_and_the_decision(fw: FieldWorld) -> None:
    tech = api_client(fw.east.technician)
    number = fw.east.work_order.number
    form = {"kind": "transport", "amount": "35.50", "note": "出租车", "receipt": _png("r.png")}
    created = tech.upload(f"{BASE}/{number}/expenses", form, headers={"Idempotency-Key": "exp-1"})
    assert created.status_code == 201, created.content
    claim = created.json()
    assert claim["amount"] == "35.50" and claim["status"] == "submitted" and claim["receipt"] is True
    assert claim["receipt_content_type"] == "image/png"
    again = tech.upload(f"{BASE}/{number}/expenses", {**form, "receipt": _png("r.png")}, headers={"Idempotency-Key": "exp-1"})
    assert again.json()["id"] == claim["id"] and ExpenseClaim.objects.count() == 1
    assert tech.upload(f"{BASE}/{number}/expenses", {"kind": "bribe", "amount": "1"}).status_code == 422
    assert tech.upload(f"{BASE}/{number}/expenses", {"kind": "meals", "amount": "-3"}).status_code == 422
    # another region's technician can neither claim on nor see the job
    other = api_client(fw.south.technician)
    assert other.upload(f"{BASE}/{number}/expenses", {"kind": "meals", "amount": "20"}).status_code == 404
    assert other.get(f"{BASE}/{number}/expenses").status_code == 404
    assert ExpenseClaim.objects.count() == 1
    assert [c["id"] for c in tech.get(f"{BASE}/{number}/expenses").json()] == [claim["id"]]
    receipt = tech.get(f"{BASE}/{number}/expenses/{claim['id']}/receipt")
    assert receipt.status_code == 200 and _body(receipt) == png_bytes(4, 4)
    decide = f"{BASE}/{number}/expenses/{claim['id']}/decide"
    assert tech.post(decide, {"approve": True}).status_code == 403  # nobody decides their own claim
    assert api_client(fw.boss, region=fw.south.region).post(decide, {"approve": True}).status_code == 404
    assert ExpenseClaim.objects.get().status == "submitted"
    decided = api_client(fw.boss).post(decide, {"approve": True})
    assert decided.status_code == 200 and decided.json()["status"] == "approved" and decided.json()["decided_by"] == "fs-boss"
    assert api_client(fw.boss).post(decide, {"approve": False}).status_code == 409
    # finance decides too (within its data scope)
    second = fs.expense_claim_submit(work_order=fresh(fw.east.work_order), actor=fw.east.technician, kind="meals", amount="20.00")
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL, username="fs-finance")
    rejected = api_client(finance).post(f"{BASE}/{number}/expenses/{second.pk}/decide", {"approve": False})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected" and rejected.json()["receipt"] is False
    assert tech.get(f"{BASE}/{number}/expenses/{second.pk}/receipt").status_code == 404


def test_permits_are_uploaded_listed_and_downloaded(fw: FieldWorld) -> None:
    agent = api_client(fw.agent)
    number = fw.east.work_order.number
    fake = SimpleUploadedFile("permit.pdf", b"MZ not a document", "application/pdf")
    assert agent.upload(f"{BASE}/{number}/permits", {"file": fake}).status_code == 422
    assert api_client(fw.agent, region=fw.south.region).upload(f"{BASE}/{number}/permits", {"file": _png()}).status_code == 404
    assert api_client(fw.east.technician).upload(f"{BASE}/{number}/permits", {"file": _png()}).status_code == 403
    assert not WorkOrderFile.objects.filter(kind="permit").exists()
    uploaded = agent.upload(f"{BASE}/{number}/permits", {"file": _png("permit.png")}, headers={"Idempotency-Key": "permit-1"})
    assert uploaded.status_code == 201, uploaded.content
    listed = api_client(fw.east.technician).get(f"{BASE}/{number}/permits").json()
    assert [p["id"] for p in listed] == [uploaded.json()["id"]] and listed[0]["kind"] == "permit"
    got = api_client(fw.east.technician).get(f"{BASE}/{number}/files/{listed[0]['id']}")
    assert got.status_code == 200 and 'filename="permit.png"' in got["Content-Disposition"]
    assert api_client(fw.south.technician).get(f"{BASE}/{number}/permits").status_code == 404


# --- stock --------------------------------------------------------------------------------------


def test_goods_receipt_and_adjustment_in_the_callers_warehouses(fw: FieldWorld) -> None:
    keeper = api_client(fw.east.keeper)
    east, south, board = fw.east.warehouse, fw.south.warehouse, fw.board
    body = {"warehouse_id": east.pk, "lines": [{"part_number": "P-BOARD", "quantity": 5}], "reference": "PO-9"}
    received = keeper.post("/api/v1/stock/receipts", body, headers={"Idempotency-Key": "rcv-1"})
    assert received.status_code == 201, received.content
    assert received.json()[0]["on_hand"] == 25 and _on_hand(east.pk, board.pk) == 25
    keeper.post("/api/v1/stock/receipts", body, headers={"Idempotency-Key": "rcv-1"})
    assert _on_hand(east.pk, board.pk) == 25  # the retry was replayed, not booked again
    movements = StockMovement.objects.count()
    refused = keeper.post("/api/v1/stock/receipts", {**body, "warehouse_id": south.pk})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "warehouse_id"
    assert (
        keeper.post(
            "/api/v1/stock/adjustments", {"warehouse_id": south.pk, "part_number": "P-BOARD", "quantity": -1, "reason": "盘点"}
        ).status_code
        == 422
    )
    assert api_client(fw.east.technician).post("/api/v1/stock/receipts", body).status_code in {403, 422}
    assert _on_hand(south.pk, board.pk) == 20 and StockMovement.objects.count() == movements
    adjust = {"warehouse_id": east.pk, "part_number": "P-BOARD", "quantity": -2, "reason": "盘点少两件"}
    adjusted = keeper.post("/api/v1/stock/adjustments", adjust, headers={"Idempotency-Key": "adj-1"})
    assert adjusted.status_code == 201 and adjusted.json()["on_hand"] == 23
    assert keeper.post("/api/v1/stock/adjustments", {**adjust, "quantity": 0}).status_code == 422
    assert keeper.post("/api/v1/stock/adjustments", {**adjust, "reason": "  "}).status_code == 422
    assert _on_hand(east.pk, board.pk) == 23


def test_a_transfer_in_transit_is_received_by_the_destination(fw: FieldWorld) -> None:
    keeper = api_client(fw.east.keeper)
    east, board = fw.east.warehouse, fw.board
    van = parts.warehouse_for_technician(technician=fw.east.technician)
    body = {
        "from_warehouse_id": east.pk,
        "to_warehouse_id": van.pk,
        "lines": [{"part_number": "P-BOARD", "quantity": 3}],
        "in_transit": True,
    }
    assert keeper.post("/api/v1/transfers", {**body, "from_warehouse_id": fw.south.warehouse.pk}).status_code == 422
    assert keeper.post("/api/v1/transfers", {**body, "to_warehouse_id": east.pk}).status_code == 422
    assert not Transfer.objects.exists() and _on_hand(fw.south.warehouse.pk, board.pk) == 20
    created = keeper.post("/api/v1/transfers", body, headers={"Idempotency-Key": "tr-1"})
    assert created.status_code == 201, created.content
    transfer = created.json()
    assert transfer["status"] == "in_transit" and transfer["lines"][0]["quantity"] == 3
    assert _on_hand(east.pk, board.pk) == 17 and _on_hand(van.pk, board.pk) == 0
    assert [t["id"] for t in keeper.get("/api/v1/transfers").json()["items"]] == [transfer["id"]]
    south = api_client(fw.south.keeper)
    assert south.get(f"/api/v1/transfers/{transfer['id']}").status_code == 404
    assert south.post(f"/api/v1/transfers/{transfer['id']}/receive", {}).status_code == 404
    assert south.get("/api/v1/transfers").json()["items"] == []
    assert api_client(fw.boss, region=fw.south.region).post(f"/api/v1/transfers/{transfer['id']}/receive", {}).status_code == 404
    assert _on_hand(van.pk, board.pk) == 0 and Transfer.objects.get().status == "in_transit"
    received = keeper.post(f"/api/v1/transfers/{transfer['id']}/receive", {}, headers={"Idempotency-Key": "in-1"})
    assert received.status_code == 200 and received.json()["status"] == "received"
    assert _on_hand(van.pk, board.pk) == 3
    assert keeper.post(f"/api/v1/transfers/{transfer['id']}/receive", {}).status_code == 409
    to_central = {**body, "to_warehouse_id": fw.central.pk, "in_transit": False}
    at_once = keeper.post("/api/v1/transfers", to_central)
    assert at_once.status_code == 201 and at_once.json()["status"] == "received" and _on_hand(fw.central.pk, board.pk) == 53


def test_faulty_parts_are_appraised_in_the_callers_warehouses(fw: FieldWorld) -> None:
    returned = parts.return_create(
        work_order=fresh(fw.east.work_order),
        technician=fw.east.technician,
        warehouse=fw.east.warehouse,
        unused=[],
        faulty=[parts.FaultyInput(part=fw.board, serial="SN-OLD", condition="烧毁")],
        actor=fw.east.technician,
    )
    keeper = api_client(fw.east.keeper)
    assert keeper.get("/api/v1/faulty-parts").json() == []  # not received yet
    parts.return_receive(part_return=returned, actor=fw.east.keeper)
    listed = keeper.get("/api/v1/faulty-parts").json()
    assert [f["serial"] for f in listed] == ["SN-OLD"] and listed[0]["work_order"] == fw.east.work_order.number
    faulty_id = listed[0]["id"]
    south = api_client(fw.south.keeper)
    assert south.get("/api/v1/faulty-parts").json() == []
    assert south.post(f"/api/v1/faulty-parts/{faulty_id}/appraise", {"result": "wear"}).status_code == 404
    assert (
        api_client(fw.east.technician).post(f"/api/v1/faulty-parts/{faulty_id}/appraise", {"result": "wear"}).status_code == 404
    )
    assert keeper.post(f"/api/v1/faulty-parts/{faulty_id}/appraise", {"result": "nonsense"}).status_code == 422
    assert FaultyPartReturn.objects.get(pk=faulty_id).status == FaultyStatus.RECEIVED
    appraised = keeper.post(
        f"/api/v1/faulty-parts/{faulty_id}/appraise",
        {"result": "supplier_defect", "note": "批次问题"},
        headers={"Idempotency-Key": "ap-1"},
    )
    assert appraised.status_code == 200, appraised.content
    assert appraised.json()["status"] == "appraised" and appraised.json()["appraisal_result"] == "supplier_defect"
    assert keeper.post(f"/api/v1/faulty-parts/{faulty_id}/appraise", {"result": "wear"}).status_code == 404  # no longer awaiting
    assert FaultyPartReturn.objects.get(pk=faulty_id).appraisal_result == "supplier_defect"
    assert WorkOrder.objects.filter(number=fw.east.work_order.number).exists()
