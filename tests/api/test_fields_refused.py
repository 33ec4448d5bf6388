"""A body with a field the operation does not have *and* a field the caller may not set: one
``422 field_not_allowed`` naming each field with its own code (``field_unknown``,
``field_not_allowed``); either kind alone keeps its plain answer (tests/api/test_contract.py)."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.tickets.models import Ticket
from tests.api.conftest import api_client, customer_user
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

NEW = {"customer_name": "王芳", "phone": "13911112222", "description": "冰箱不制冷，冷藏室温度很高。", "channel": "app"}


def _codes(body: dict[str, Any]) -> dict[str, str | None]:
    return {e["field"]: e.get("code") for e in body["errors"]}


def test_json_an_unknown_and_a_forbidden_field_are_each_named_with_their_code(world):
    answer = api_client(world["east_customer"]).post("/api/v1/tickets", {**NEW, "nickname": "芳", "priority": 1})

    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "field_not_allowed"
    assert _codes(body) == {"nickname": "field_unknown", "priority": "field_not_allowed"}
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["nickname"].startswith("Unknown field") and messages["priority"] == "You may not set this field."
    assert "nickname" in body["detail"] and "priority" in body["detail"]
    assert not Ticket.objects.filter(description=NEW["description"]).exists()


def test_the_words_are_in_the_callers_language(world):
    client = api_client(world["east_customer"])
    client.language = "zh-Hans"
    body = client.post("/api/v1/tickets", {**NEW, "nickname": "芳", "category_code": "x"}).json()
    assert _codes(body) == {"nickname": "field_unknown", "category_code": "field_not_allowed"}
    assert "Unknown" not in body["detail"] and "nickname" in body["detail"] and "category_code" in body["detail"]


def test_a_single_kind_keeps_its_plain_answer(world):
    customer = api_client(world["east_customer"])
    forbidden = customer.post("/api/v1/tickets", {**NEW, "priority": 1}).json()
    assert forbidden["code"] == "field_not_allowed"
    assert forbidden["errors"] == [{"field": "priority", "message": "You may not set this field."}]
    unknown = customer.post("/api/v1/tickets", {**NEW, "nickname": "芳"}).json()
    assert unknown["code"] == "field_not_allowed" and _codes(unknown) == {"nickname": None}
    # Staff may set the priority: only the unknown field is refused, without codes per field.
    staff = api_client(world["agent"]).post("/api/v1/tickets", {**NEW, "nickname": "芳", "priority": 1}).json()
    assert staff["code"] == "field_not_allowed" and _codes(staff) == {"nickname": None}


def test_multipart_an_unknown_part_and_a_forbidden_field_are_each_named_with_their_code():
    owner = make_ticket(phone="13912345678", customer_name="陈静")
    app = api_client(customer_user(owner, "chen.jing"))
    form = {"channel": "app", "customer_name": "陈静", "phone": "13912345678", "description": "洗衣机脱水时剧烈晃动。"}

    answer = app.upload("/api/v1/tickets/with-evidence", {**form, "nickname": "静", "priority": "1"})

    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "field_not_allowed"
    assert _codes(body) == {"nickname": "field_unknown", "priority": "field_not_allowed"}
    alone = app.upload("/api/v1/tickets/with-evidence", {**form, "nickname": "静"}).json()
    assert alone["code"] == "field_not_allowed" and _codes(alone) == {"nickname": None}
    assert alone["errors"][0]["message"].startswith("Unknown field")
