"""API v1 for returns and exchanges: authorise with Idempotency-Key, every step with If-Match,
problems naming the field, and authorization against another customer's and another region's
objects (404, nothing changed)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.models import Role
from aftersales.customers.models import Customer
from aftersales.parts.models import Stock
from aftersales.returns.models import ReturnAuthorization, RmaStatus
from aftersales.tickets.models import MeasureKind, MeasureStatus, PlanMeasure
from tests.api.conftest import api_client
from tests.factories import UserFactory
from tests.fieldservice.helpers import png_bytes

from .helpers import fresh, world

pytestmark = pytest.mark.django_db


def _step(client: Any, number: str, step: str, body: Any = None) -> Any:
    etag = client.get(f"/api/v1/rmas/{number}")["ETag"]
    return client.post(f"/api/v1/rmas/{number}/{step}", body or {}, headers={"If-Match": etag})


def test_exchange_through_the_api() -> None:
    w = world(stock=1)
    ticket, measure = w.ticket(MeasureKind.EXCHANGE)
    agent = api_client(w.agent)
    keeper = api_client(w.keeper)
    listed = agent.get(f"/api/v1/tickets/{ticket.number}/return-measures").json()
    assert [m["id"] for m in listed] == [measure.pk]
    body = {"ticket": ticket.number, "measure_id": measure.pk, "warehouse": w.warehouse.code, "reason": "换货"}
    created = agent.post("/api/v1/rmas", body, headers={"Idempotency-Key": "rma-1"})
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    again = agent.post("/api/v1/rmas", body, headers={"Idempotency-Key": "rma-1"})
    assert again.status_code == 201 and again.json()["number"] == number  # the retry replays
    second = agent.post("/api/v1/rmas", body, headers={"Idempotency-Key": "rma-2"})
    assert second.status_code == 409 and second.json()["code"] == "rma_exists"
    assert ReturnAuthorization.objects.count() == 1
    assert Stock.objects.get(warehouse=w.warehouse, part=w.part).reserved == 1

    no_match = agent.post(f"/api/v1/rmas/{number}/receive", {})
    assert no_match.status_code == 428
    stale = agent.post(f"/api/v1/rmas/{number}/receive", {}, headers={"If-Match": '"v99"'})
    assert stale.status_code == 412
    early = keeper.client.post(
        f"/api/v1/rmas/{number}/inspect",
        {
            "serial": w.unit.serial_number,
            "accessories_complete": "true",
            "condition": "used",
            "disposition": "returned",
            "passed": "true",
        },
        headers={**keeper._headers(None), "If-Match": keeper.get(f"/api/v1/rmas/{number}")["ETag"]},
    )
    assert early.status_code == 409 and early.json()["code"] == "not_received"

    moved = _step(agent, number, "handover", {"method": "carrier", "carrier": "顺丰速运", "tracking_number": "SF1"})
    assert moved.status_code == 200 and moved.json()["status"] == "in_transit"
    assert _step(keeper, number, "receive", {"note": "外箱完好"}).json()["status"] == "received"
    photo = SimpleUploadedFile("p.png", png_bytes(4, 4), content_type="image/png")
    inspected = keeper.client.post(
        f"/api/v1/rmas/{number}/inspect",
        {
            "serial": w.unit.serial_number,
            "accessories_complete": "true",
            "condition": "used",
            "disposition": "refurbished",
            "passed": "true",
            "photos": [photo],
        },
        headers={**keeper._headers(None), "If-Match": keeper.get(f"/api/v1/rmas/{number}")["ETag"]},
    )
    assert inspected.status_code == 200, inspected.content
    assert inspected.json()["status"] == "inspected" and inspected.json()["photos"] == 1
    shipped = _step(keeper, number, "ship-replacement", {"serial": "NEW-1", "carrier": "顺丰", "tracking_number": "SF2"})
    assert shipped.json()["replacement_serial"] == "NEW-1"
    done = _step(agent, number, "deliver")
    assert done.json()["status"] == "completed"
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.DONE


def test_no_stock_is_a_problem_naming_the_warehouse() -> None:
    w = world(stock=0)
    ticket, measure = w.ticket(MeasureKind.EXCHANGE)
    body = {"ticket": ticket.number, "measure_id": measure.pk, "warehouse": w.warehouse.code}
    refused = api_client(w.agent).post("/api/v1/rmas", body, headers={"Idempotency-Key": "k"})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "insufficient_stock" and problem["errors"][0]["field"] == "warehouse"
    assert not ReturnAuthorization.objects.exists()
    unknown = api_client(w.agent).post("/api/v1/rmas", {**body, "warehouse": "nope"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "warehouse"


FOREIGN = [
    ("GET", "", None),
    ("POST", "handover", {"method": "carrier", "carrier": "顺丰", "tracking_number": "SF9"}),
    ("POST", "receive", {}),
    ("POST", "accept-inspection", {"reason": "x"}),
    ("POST", "ship-replacement", {"serial": "X1", "carrier": "顺丰", "tracking_number": "SF9"}),
    ("POST", "deliver", {}),
    ("POST", "cancel", {"reason": "x"}),
]


@pytest.mark.parametrize(("method", "step", "body"), FOREIGN)
def test_another_regions_return_is_not_found_and_unchanged(method: str, step: str, body: Any) -> None:
    east = world(code="east")
    south = world(code="south")
    rma = south.authorise(MeasureKind.EXCHANGE)
    path = f"/api/v1/rmas/{rma.number}" + (f"/{step}" if step else "")
    for client in (api_client(east.agent), api_client(east.keeper)):
        answer = client.get(path) if method == "GET" else client.post(path, body, headers={"If-Match": '"v1"'})
        assert answer.status_code == 404, (step, answer.content)
    # A key limited to the east region, held by someone who sees everything.
    boss = UserFactory(role=Role.ADMINISTRATOR, data_scope="all")
    regional = api_client(boss, region=east.region)
    answer = regional.get(path) if method == "GET" else regional.post(path, body, headers={"If-Match": '"v1"'})
    assert answer.status_code == 404
    assert fresh(rma).status == RmaStatus.AUTHORISED and fresh(rma).version == 1


def test_lists_and_creates_leave_foreign_objects_out() -> None:
    east = world(code="east")
    south = world(code="south")
    mine = east.authorise(MeasureKind.EXCHANGE)
    south.authorise(MeasureKind.RETURN)
    listed = api_client(east.agent).get("/api/v1/rmas").json()["items"]
    assert [r["number"] for r in listed] == [mine.number]
    ticket, measure = south.ticket(MeasureKind.EXCHANGE)
    body = {"ticket": ticket.number, "measure_id": measure.pk, "warehouse": east.warehouse.code}
    refused = api_client(east.agent).post("/api/v1/rmas", body)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "ticket"


def test_a_customer_reads_only_their_own_and_changes_nothing() -> None:
    w = world()
    rma = w.authorise(MeasureKind.EXCHANGE)
    owner_user = UserFactory(role=Role.CUSTOMER)
    Customer.objects.filter(pk=rma.customer_id).update(user=owner_user)
    scopes = ("returns:read", "returns:write")
    owner = api_client(owner_user, scopes=scopes)
    seen = owner.get(f"/api/v1/rmas/{rma.number}")
    assert seen.status_code == 200 and seen.json()["inspection_notes"] == ""
    assert owner.post(f"/api/v1/rmas/{rma.number}/cancel", {"reason": "x"}, headers={"If-Match": '"v1"'}).status_code == 403
    stranger = api_client(UserFactory(role=Role.CUSTOMER), scopes=scopes)
    assert stranger.get(f"/api/v1/rmas/{rma.number}").status_code == 404
    assert stranger.get("/api/v1/rmas").json()["items"] == []
    no_scope = api_client(owner_user, scopes=("tickets:read",))
    assert no_scope.get(f"/api/v1/rmas/{rma.number}").status_code == 403
