"""API v1 of quality: statistics, first-time fix and improvement actions — who may read and write,
Idempotency-Key, If-Match, problems naming the field, another region's figures, the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.cache import cache

from aftersales.accounts.models import DataScope, Role
from aftersales.quality.models import ImprovementAction
from tests.api.conftest import api_client, customer_user
from tests.factories import RegionFactory, UserFactory, make_ticket

from .helpers import engineer, fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
BASE = "/api/v1/quality"
D = dt.date


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()


def _put(client: Any, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.client.put(path, json.dumps(body), content_type="application/json", headers=client._headers(headers))


@pytest.fixture
def figures():  # type: ignore[no-untyped-def]
    east, west = RegionFactory(code="east-q"), RegionFactory(code="west-q")
    m = model("KFR-26GW")
    ship(m, "B1", 1000, D(2026, 1, 1))
    fault(unit(m, "B1", purchase_date=D(2026, 1, 10)), on=D(2026, 2, 2), region=east)
    fault(unit(m, "B1", purchase_date=D(2026, 1, 10)), on=D(2026, 2, 3), region=west)
    fault(unit(m, "B7", purchase_date=D(2026, 1, 10)), on=D(2026, 2, 4), region=east)
    refresh()
    return {"east": east, "west": west, "model": m}


def test_fault_rates_pareto_control_chart_and_ttf(figures):  # type: ignore[no-untyped-def]
    client = api_client(engineer())
    rates = client.get(f"{BASE}/fault-rates")
    assert rates.status_code == 200, rates.content
    rows = {r["batch"]: r for r in rates.json()["rows"]}
    assert rows["B1"] == {
        "model": "KFR-26GW",
        "batch": "B1",
        "shipped": 1000,
        "faulty_units": 2,
        "tickets": 2,
        "rate": 0.002,
        "missing_volume": False,
    }
    assert rows["B7"]["shipped"] is None and rows["B7"]["rate"] is None and rows["B7"]["missing_volume"] is True
    assert client.get(f"{BASE}/fault-rates", {"model": "NOPE"}).json()["code"] == "unknown_model"
    assert client.get(f"{BASE}/pareto", {"dimension": "cause"}).status_code == 200
    assert client.get(f"{BASE}/pareto", {"dimension": "batch"}).status_code == 422
    weeks = client.get(f"{BASE}/control-chart", {"since": "2026-02-02", "until": "2026-02-08"}).json()
    assert [(w["week"], w["faulty_units"], w["in_field"]) for w in weeks] == [("2026-02-02", 3, 1000)]
    ttf = client.get(f"{BASE}/time-to-failure").json()
    assert ttf["shipped"] == 1000 and ttf["months"][0]["claims"] == 3
    ftf = client.get(f"{BASE}/first-time-fix", {"by": "model"}).json()
    assert ftf["window_days"] == 30 and ftf["total"]["repairs"] == 0


def test_a_region_bound_reader_gets_only_their_regions_figures(figures):  # type: ignore[no-untyped-def]
    regional = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=figures["east"])
    client = api_client(regional)
    rows = {r["batch"]: r["faulty_units"] for r in client.get(f"{BASE}/fault-rates").json()["rows"]}
    assert rows == {"B1": 1, "B7": 1}  # the east units only; B1's west unit is not theirs
    asked_west = client.get(f"{BASE}/fault-rates", {"region": figures["west"].pk}).json()["rows"]
    assert {r["batch"]: r["faulty_units"] for r in asked_west} == rows


def test_who_may_read_and_write(figures):  # type: ignore[no-untyped-def]
    agent = api_client(UserFactory(role=Role.AGENT, data_scope=DataScope.ALL))
    assert agent.get(f"{BASE}/fault-rates").status_code == 403
    assert agent.get(f"{BASE}/actions").status_code == 403
    customer = api_client(customer_user(make_ticket()), scopes=("tickets:read", "quality:read"))
    assert customer.get(f"{BASE}/fault-rates").status_code == 403
    reader_only = api_client(engineer(), scopes=("quality:read",))
    assert reader_only.get(f"{BASE}/fault-rates").status_code == 200
    created = reader_only.post(f"{BASE}/actions", {"title": "t", "problem": "p"}, headers={"Idempotency-Key": "r-1"})
    assert created.status_code == 403
    supervisor = api_client(UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL))
    assert supervisor.get(f"{BASE}/actions").status_code == 200
    refused = supervisor.post(f"{BASE}/actions", {"title": "t", "problem": "p"}, headers={"Idempotency-Key": "s-1"})
    assert refused.status_code == 403 and refused.json()["code"] == "quality_writer_only"
    assert not ImprovementAction.objects.exists()


def test_actions_crud_and_transitions_with_idempotency_and_if_match(figures):  # type: ignore[no-untyped-def]
    client = api_client(engineer())
    body = {"title": "电容失效", "problem": "B1 不制冷", "model": "KFR-26GW", "batch": "B1", "origin": "fault_cluster"}
    created = client.post(f"{BASE}/actions", body, headers={"Idempotency-Key": "a-1"})
    assert created.status_code == 201, created.content
    action_id, etag = created.json()["id"], created["ETag"]
    again = client.post(f"{BASE}/actions", body, headers={"Idempotency-Key": "a-1"})
    assert again.json()["id"] == action_id and ImprovementAction.objects.count() == 1
    bad = client.post(f"{BASE}/actions", {"title": "", "problem": ""}, headers={"Idempotency-Key": "a-2"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"title", "problem"}
    edit = {
        **body,
        "root_cause": "膜厚不足",
        "change_kind": "supplier",
        "change_content": "换供应商",
        "effective_date": "2026-01-20",
    }
    assert _put(client, f"{BASE}/actions/{action_id}", edit, {}).status_code == 428
    assert _put(client, f"{BASE}/actions/{action_id}", edit, {"If-Match": '"v99"'}).status_code == 412
    updated = _put(client, f"{BASE}/actions/{action_id}", edit, {"If-Match": etag})
    assert updated.status_code == 200 and updated.json()["root_cause"] == "膜厚不足"
    etag = updated["ETag"]
    moved = client.post(f"{BASE}/actions/{action_id}/transition", {"to": "do"}, headers={"If-Match": etag})
    assert moved.status_code == 200 and moved.json()["status"] == "do"
    illegal = client.post(f"{BASE}/actions/{action_id}/transition", {"to": "closed"}, headers={"If-Match": moved["ETag"]})
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    checked = client.post(f"{BASE}/actions/{action_id}/transition", {"to": "check"}, headers={"If-Match": moved["ETag"]})
    assert checked.status_code == 200 and checked.json()["check"]["checked_at"]
    recheck = client.post(f"{BASE}/actions/{action_id}/check", headers={"If-Match": checked["ETag"]})
    assert recheck.status_code == 200 and recheck.json()["version"] == checked.json()["version"] + 1
    listed = client.get(f"{BASE}/actions", {"status": "check"}).json()
    assert [a["id"] for a in listed["items"]] == [action_id]
    assert client.get(f"{BASE}/actions/999999").status_code == 404


def test_raising_from_another_regions_ticket_is_not_found():
    east = RegionFactory(code="east-t")
    ticket = make_ticket(region=east)
    regional = UserFactory(role=Role.QUALITY_ENGINEER, data_scope=DataScope.REGION, region=RegionFactory(code="north-t"))
    client = api_client(regional)
    body = {"title": "t", "problem": "p", "origin": "ticket", "origin_ticket": ticket.number}
    assert client.post(f"{BASE}/actions", body, headers={"Idempotency-Key": "x-1"}).status_code == 404


def test_every_quality_operation_is_in_the_openapi_document():
    schema = api_client(engineer()).client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/quality/fault-rates",
        "/api/v1/quality/pareto",
        "/api/v1/quality/control-chart",
        "/api/v1/quality/time-to-failure",
        "/api/v1/quality/first-time-fix",
        "/api/v1/quality/actions",
        "/api/v1/quality/actions/{action_id}",
        "/api/v1/quality/actions/{action_id}/transition",
        "/api/v1/quality/actions/{action_id}/check",
    ):
        assert path in paths, path
    assert {"get", "post"} <= set(paths["/api/v1/quality/actions"])
    assert {"get", "put"} <= set(paths["/api/v1/quality/actions/{action_id}"])
