"""The API's contract as an integrator reads it (audit 3): a strict OpenAPI document, problems for
every error (also where no operation answers), one time format, the read's field names on
create, rate-limit headers, the webhook events documented, and a customer's timeline in the
portal's words."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.accounts.models import DataScope, Role
from aftersales.api.rendering import api_datetime
from aftersales.tickets.models import Ticket
from aftersales.webhooks.models import EventType
from tests.api.conftest import api_client, png_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
NEW = {"customer_name": "王芳", "phone": "13911112222", "description": "冰箱不制冷，冷藏室温度很高。", "channel": "app"}


def _strict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise ValueError(f"duplicate keys {duplicated}")
    return dict(pairs)


def _document() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content, object_pairs_hook=_strict)


# --- 1, 16: the OpenAPI document ----------------------------------------------------------------


def test_the_openapi_document_has_no_duplicate_keys_and_is_valid_openapi():
    document = _document()  # a strict parser: two "200" in one object raise here
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

    assert document["openapi"].startswith("3.1")
    errors = [str(error) for error in OPENAPI_31_VALIDATOR.iter_errors(document)]
    assert errors == []
    file_download = document["paths"]["/api/v1/tickets/{number}/agreements/{agreement_id}/document"]["get"]
    assert list(file_download["responses"]["200"]["content"]) == ["*/*"]


def test_the_strict_parser_would_catch_a_duplicate():
    with pytest.raises(ValueError, match="duplicate keys"):
        json.loads('{"responses": {"200": {}, "200": {}}}', object_pairs_hook=_strict)


def test_the_docs_page_renders_the_document():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert "/api/v1/openapi.json" in response.content.decode()


def test_errors_are_listed_only_where_they_can_happen():
    document = _document()
    operations = [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]
    for path, method, op in operations:
        if method == "get":
            assert "409" not in op["responses"], path
        if not op.get("parameters") and "requestBody" not in op:
            assert "422" not in op["responses"], (method, path)
    me = document["paths"]["/api/v1/me"]["get"]["responses"]
    assert "409" not in me and "422" not in me and "401" in me and "429" in me
    assert "RateLimit-Remaining" in me["429"]["description"]


@pytest.mark.parametrize(
    ("method", "path", "part"),
    [
        ("post", "/api/v1/tickets", "request"),
        ("post", "/api/v1/tickets", "201"),
        ("get", "/api/v1/tickets", "200"),
        ("get", "/api/v1/tickets/{number}", "200"),
        ("patch", "/api/v1/tickets/{number}", "request"),
        ("get", "/api/v1/tickets/{number}/actions", "200"),
        ("post", "/api/v1/tickets/{number}/actions/start-verification", "request"),
        ("get", "/api/v1/tickets/{number}/timeline", "200"),
        ("post", "/api/v1/tickets/{number}/replies", "request"),
        ("get", "/api/v1/tickets/{number}/attachments", "200"),
        ("post", "/api/v1/tickets/{number}/attachments", "201"),
        ("post", "/api/v1/auth/code", "request"),
        ("post", "/api/v1/auth/token", "request"),
        ("get", "/api/v1/me", "200"),
    ],
)
def test_the_most_used_operations_have_examples(method, path, part):
    operation = _document()["paths"][path][method]
    holder = operation["requestBody"] if part == "request" else operation["responses"][part]
    assert all("example" in media for media in holder["content"].values()), (method, path, part)


def test_the_create_example_is_accepted_as_documented(world):
    example = _document()["paths"]["/api/v1/tickets"]["post"]["requestBody"]["content"]["application/json"]["example"]
    response = api_client(world["agent"]).post("/api/v1/tickets", example)
    assert response.status_code == 201, response.content
    assert set(response.json()) == set(
        _document()["paths"]["/api/v1/tickets"]["post"]["responses"]["201"]["content"]["application/json"]["example"]
    )


# --- 13: every error is a problem; the action names as listed -----------------------------------


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/tickets/SH1/nothing/here", "/api/v1/", "/api/v1/tickets/"])
def test_a_path_no_operation_has_is_a_404_problem(world, path):
    response = api_client(world["agent"]).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_found"


def test_a_method_the_path_does_not_take_is_a_405_problem(world):
    client = api_client(world["agent"])
    response = client.client.delete(f"/api/v1/tickets/{world['east_ticket'].number}", headers=client._headers(None))
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "method_not_allowed" and body["status"] == 405
    assert {"GET", "PATCH"} <= {m.strip() for m in response["Allow"].split(",")}
    assert "DELETE" in body["detail"]


def test_problems_for_unknown_paths_follow_accept_language(world):
    client = api_client(world["agent"])
    client.language = "zh-Hans"
    chinese = client.get("/api/v1/nothing").json()["detail"]
    client.language = "en"
    english = client.get("/api/v1/nothing").json()["detail"]
    assert chinese != english and "/api/v1/nothing" in english


def test_the_real_operations_are_not_shadowed(world):
    client = api_client(world["agent"])
    assert client.get("/api/v1/me").status_code == 200
    assert client.get(f"/api/v1/tickets/{world['east_ticket'].number}").status_code == 200


@pytest.mark.parametrize("form", ["start-verification", "start_verification"])
def test_an_action_is_taken_by_its_listed_name_or_its_url_form(world, form):
    client = api_client(world["agent"])
    number = world["east_ticket"].number
    listed = client.get(f"/api/v1/tickets/{number}/actions")
    assert "start_verification" in listed.json()["actions"]
    taken = client.post(f"/api/v1/tickets/{number}/actions/{form}", {}, headers={"If-Match": listed["ETag"]})
    assert taken.status_code == 200, taken.content
    assert taken.json()["status"] == "verifying"


def test_the_underscore_form_stays_out_of_the_document():
    paths = _document()["paths"]
    assert "/api/v1/tickets/{number}/actions/start-verification" in paths
    assert "/api/v1/tickets/{number}/actions/start_verification" not in paths


# --- 10: an unknown field is not a permission problem ----------------------------------------------


def test_an_unknown_field_is_called_unknown_and_a_forbidden_one_not_yours(world):
    number = world["east_ticket"].number
    staff = api_client(world["agent"])
    etag = staff.get(f"/api/v1/tickets/{number}")["ETag"]
    unknown = staff.client.patch(
        f"/api/v1/tickets/{number}",
        {"priority": 1, "expected_completion_at": "2026-12-01T09:00:00+08:00"},
        content_type="application/json",
        headers=staff._headers({"If-Match": etag}),
    )
    assert unknown.status_code == 422
    body = unknown.json()
    assert body["code"] == "field_not_allowed"
    assert sorted(e["field"] for e in body["errors"]) == ["expected_completion_at", "priority"]
    assert body["detail"].startswith("Unknown fields:") and "priority" in body["detail"]
    assert all(e["message"].startswith("Unknown field") for e in body["errors"])
    forbidden = api_client(world["east_customer"]).post("/api/v1/tickets", {**NEW, "priority": 1})
    assert forbidden.status_code == 422
    assert forbidden.json()["errors"] == [{"field": "priority", "message": "You may not set this field."}]


def test_the_unknown_field_message_is_translated(world):
    client = api_client(world["agent"])
    client.language = "zh-Hans"
    body = client.post("/api/v1/tickets", {**NEW, "nickname": "芳"}).json()
    assert body["errors"][0]["field"] == "nickname"
    assert "Unknown" not in body["errors"][0]["message"] and "Unknown" not in body["detail"]


# --- 14: one time format ---------------------------------------------------------------------------


TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def test_times_are_written_to_the_second_with_the_site_offset_on_create_and_read(world):
    client = api_client(world["agent"])
    created = client.post(
        "/api/v1/tickets", {**NEW, "occurred_at": "2026-12-01T08:15:30.123456+08:00"}, headers={"Idempotency-Key": "t-1"}
    )
    assert created.status_code == 201
    body = created.json()
    for field in ("created_at", "updated_at", "due_at", "occurred_at", "first_response_due_at"):
        assert TIME.match(body[field]), (field, body[field])
    assert body["occurred_at"] == "2026-12-01T08:15:30+08:00"
    read = client.get(f"/api/v1/tickets/{body['number']}").json()
    for field in ("created_at", "updated_at", "due_at", "occurred_at"):
        assert read[field] == body[field], field
    listed = client.get("/api/v1/tickets", {"q": body["number"]}).json()["items"][0]
    assert listed["created_at"] == body["created_at"]
    replay = client.post(
        "/api/v1/tickets", {**NEW, "occurred_at": "2026-12-01T08:15:30.123456+08:00"}, headers={"Idempotency-Key": "t-1"}
    )
    assert replay["Idempotent-Replayed"] == "true" and replay.json()["created_at"] == body["created_at"]
    timeline = client.get(f"/api/v1/tickets/{body['number']}/timeline").json()
    assert all(TIME.match(entry["created_at"]) for entry in timeline)


def test_api_datetime_converts_to_the_site_zone():
    moment = dt.datetime(2026, 11, 24, 1, 30, 0, 999_999, tzinfo=dt.UTC)
    assert api_datetime(moment) == "2026-11-24T09:30:00+08:00"


def test_updated_since_with_a_time_read_back_misses_nothing(world):
    client = api_client(world["agent"])
    ticket = client.get(f"/api/v1/tickets/{world['east_ticket'].number}").json()
    since = client.get("/api/v1/tickets", {"updated_since": ticket["updated_at"]}).json()["items"]
    assert ticket["number"] in [item["number"] for item in since]


# --- 15: the read's names on create; the upload's Location ------------------------------------------


def test_create_takes_the_names_the_read_answers_with(world):
    client = api_client(world["agent"])
    sent = {
        "contact_name": "赵敏",
        "contact_phone": "13911113333",
        "contact_email": "zm@example.com",
        "description": "洗衣机漏水。",
    }
    created = client.post("/api/v1/tickets", sent)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["contact_name"], body["contact_phone"], body["contact_email"]) == ("赵敏", "+8613911113333", "zm@example.com")
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.customer.phone == "+8613911113333"


def test_the_multipart_create_takes_the_read_names_too(world):
    client = api_client(world["agent"])
    photo = SimpleUploadedFile("leak.png", png_bytes(), "image/png")
    fields = {"contact_name": "赵敏", "contact_phone": "13911114444", "description": "漏水。", "evidence_photo": photo}
    created = client.upload("/api/v1/tickets/with-evidence", fields)
    assert created.status_code == 201, created.content
    assert (created.json()["contact_name"], created.json()["contact_phone"]) == ("赵敏", "+8613911114444")


def test_both_names_with_different_values_are_refused_by_name(world):
    client = api_client(world["agent"])
    response = client.post("/api/v1/tickets", {**NEW, "contact_name": "别人"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact_name"
    same = client.post("/api/v1/tickets", {**NEW, "contact_name": NEW["customer_name"]})
    assert same.status_code == 201
    nobody = client.post("/api/v1/tickets", {"phone": "13911112222", "description": "坏了"})
    assert nobody.status_code == 422 and nobody.json()["errors"][0]["field"] == "customer_name"


def test_a_refusal_names_the_field_as_sent(world):
    client = api_client(world["agent"])
    response = client.post("/api/v1/tickets", {"contact_name": "赵敏", "contact_phone": "12", "description": "坏了"})
    assert response.status_code == 422
    assert "contact_phone" in [e["field"] for e in response.json()["errors"]]


def test_patch_takes_product_model_as_the_read_names_it(world):
    client = api_client(world["agent"])
    number = world["east_ticket"].number
    etag = client.get(f"/api/v1/tickets/{number}")["ETag"]
    unknown = client.client.patch(
        f"/api/v1/tickets/{number}",
        {"product_model": "NO-SUCH-MODEL"},
        content_type="application/json",
        headers=client._headers({"If-Match": etag}),
    )
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["product_model"]
    both = client.client.patch(
        f"/api/v1/tickets/{number}",
        {"product_model": "A", "product_model_code": "B"},
        content_type="application/json",
        headers=client._headers({"If-Match": etag}),
    )
    assert both.status_code == 422 and both.json()["errors"][0]["field"] == "product_model"


def test_an_upload_answers_with_its_location(world):
    client = api_client(world["east_customer"])
    number = world["east_ticket"].number
    ok = client.upload(f"/api/v1/tickets/{number}/attachments", {"file": SimpleUploadedFile("a.png", png_bytes(), "image/png")})
    assert ok.status_code == 201
    assert ok["Location"] == ok.json()["download_url"]
    assert client.get(ok["Location"]).status_code == 200


# --- 16: rate limits visible; the webhook events documented -----------------------------------------


def test_every_answer_to_a_limited_key_says_where_it_stands(world):
    cache.clear()
    client = api_client(world["agent"], rate_limit_per_minute=3)
    first = client.get("/api/v1/me")
    assert first["RateLimit-Limit"] == "3" and first["RateLimit-Remaining"] == "2"
    assert 1 <= int(first["RateLimit-Reset"]) <= 60
    missing = client.get("/api/v1/tickets/SH00000000-000000")
    assert missing.status_code == 404 and missing["RateLimit-Remaining"] == "1"
    client.get("/api/v1/me")
    over = client.get("/api/v1/me")
    assert over.status_code == 429
    assert over["RateLimit-Remaining"] == "0" and over["RateLimit-Limit"] == "3"
    assert int(over["Retry-After"]) >= 1 and over["RateLimit-Reset"] == over["Retry-After"]


def test_no_rate_limit_headers_without_credentials():
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert "RateLimit-Limit" not in response


def test_the_webhook_docs_list_every_event_type():
    text = (ROOT / "docs" / "webhooks.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([a-z_.]+)` \|", text, flags=re.MULTILINE))
    assert rows == {str(event) for event in EventType}


# --- 20: a customer's timeline in the portal's words --------------------------------------------------


def test_a_customer_token_never_sees_staff_names_nor_internal_steps(world):
    staff_user = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="lina", display_name="李娜娜")
    staff = api_client(staff_user)
    number = world["east_ticket"].number
    etag = staff.get(f"/api/v1/tickets/{number}")["ETag"]
    started = staff.post(f"/api/v1/tickets/{number}/actions/start-verification", {}, headers={"If-Match": etag})
    assert started.status_code == 200, started.content
    verified = staff.post(
        f"/api/v1/tickets/{number}/actions/record-verification",
        {"authentic": True, "complete": True, "note": "内部备注：客户很难缠"},
        headers={"If-Match": started["ETag"]},
    )
    assert verified.status_code == 200, verified.content
    staff.post(f"/api/v1/tickets/{number}/replies", {"body": "内部：先别回复客户"})
    staff.post(f"/api/v1/tickets/{number}/replies", {"body": "您好，我们已收到。", "kind": "message_out"})
    customer = api_client(world["east_customer"])
    customer.post(f"/api/v1/tickets/{number}/replies", {"body": "师傅几点到？"})

    staff_view = staff.get(f"/api/v1/tickets/{number}/timeline").json()
    assert "李娜娜" in {entry["actor"] for entry in staff_view}  # staff callers: unchanged
    seen = customer.get(f"/api/v1/tickets/{number}/timeline")
    assert seen.status_code == 200
    text = json.dumps(seen.json(), ensure_ascii=False)
    for hidden in ("李娜娜", "lina", "内部", "Verified", "Verification started", "authentic"):
        assert hidden not in text, hidden
    entries = seen.json()
    assert {entry["actor"] for entry in entries} <= {"You", "Our service team"}
    bodies = [entry["body"] for entry in entries]
    assert "We are checking your request" in bodies
    assert "您好，我们已收到。" in bodies and "师傅几点到？" in bodies
    mine = next(entry for entry in entries if entry["body"] == "师傅几点到？")
    assert mine["actor"] == "You" and mine["kind_label"] == "Your message"
    assert all(entry["public"] for entry in entries)


def test_a_customer_reads_the_timeline_in_chinese(world):
    customer = api_client(world["east_customer"])
    customer.language = "zh-Hans"
    customer.post(f"/api/v1/tickets/{world['east_ticket'].number}/replies", {"body": "你好"})
    entries = customer.get(f"/api/v1/tickets/{world['east_ticket'].number}/timeline").json()
    mine = next(entry for entry in entries if entry["body"] == "你好")
    assert mine["actor"] not in {"You", ""} and mine["kind_label"] != "Your message"


def test_the_document_is_built_once_per_language_and_again_after_a_setting_changes(monkeypatch, settings):
    """Building it takes seconds of CPU: the docs page and every client's download reuse it."""
    from aftersales.api import api as api_module
    from aftersales.api.api import api

    monkeypatch.setattr(api_module, "DOCUMENTS", {})  # the stand-in's documents go with the test
    builds: list[str] = []

    def counted(*args: Any, **kwargs: Any) -> Any:  # a stand-in: the real build takes seconds
        from django.utils import translation

        builds.append("built")
        return {"openapi": "3.1.0", "info": {"title": translation.get_language()}, "paths": {}}

    monkeypatch.setattr(api, "_build_openapi_schema", counted)
    first = Client().get("/api/v1/openapi.json", headers={"Accept-Language": "en"})
    again = Client().get("/api/v1/openapi.json", headers={"Accept-Language": "en"})
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert first.json()["info"]["title"] == "en" and len(builds) == 1
    Client().get("/api/v1/openapi.json", headers={"Accept-Language": "zh-hans"})
    assert len(builds) == 2  # each language its own
    settings.API_RATE_LIMIT_PER_MINUTE = 7  # any setting: the document is built anew
    Client().get("/api/v1/openapi.json", headers={"Accept-Language": "en"})
    assert len(builds) == 3
