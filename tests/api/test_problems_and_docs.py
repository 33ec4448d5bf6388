"""One error format in the caller's language; the OpenAPI document and docs without a CDN."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.api.conftest import ApiClient, key_for

pytestmark = pytest.mark.django_db

BLANK = {"customer_name": "王芳", "phone": "13911112222", "description": "   "}


def test_problems_are_in_chinese_by_default(world):
    client = ApiClient(key_for(world["agent"]), language="")
    client.language = ""
    response = client.client.post(
        "/api/v1/tickets", BLANK, content_type="application/json", headers={"Authorization": f"Bearer {client.secret}"}
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    assert response["Content-Language"] == "zh-hans"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "code", "errors"}
    assert body["errors"] == [{"field": "description", "message": "请填写问题描述。"}]
    assert body["code"] == "intake_invalid"


def test_problems_follow_accept_language(world):
    secret = key_for(world["agent"])
    english = ApiClient(secret, language="en").post("/api/v1/tickets", BLANK).json()
    chinese = ApiClient(secret, language="zh-Hans").post("/api/v1/tickets", BLANK).json()
    assert english["errors"][0]["message"] == "Describe what happened."
    assert chinese["errors"][0]["message"] == "请填写问题描述。"
    assert english["code"] == chinese["code"] == "intake_invalid"


def test_domain_refusals_map_to_their_status(world):
    from aftersales.accounts.models import Role
    from tests.factories import UserFactory

    technician = UserFactory(role=Role.TECHNICIAN, data_scope="all")
    client = ApiClient(key_for(technician))
    path = f"/api/v1/tickets/{world['east_ticket'].number}"
    response = client.post(f"{path}/actions/start-verification", {}, headers={"If-Match": '"v1"'})
    assert response.status_code == 403
    assert response.json()["code"] == "role_not_allowed"


def test_an_unexpected_error_is_a_plain_500_problem_without_a_trace(world, monkeypatch):
    def boom(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr("aftersales.api.routers.tickets.ticket_timeline", boom)
    client = ApiClient(key_for(world["agent"]))
    client.client.raise_request_exception = False
    response = client.get(f"/api/v1/tickets/{world['east_ticket'].number}/timeline")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/problem+json")
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
    assert response.json()["code"] == "server_error"


def test_the_openapi_document_covers_every_operation_with_problem_responses():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) >= 30
    for path, method, op in operations:
        assert "401" in op["responses"], (path, method)
        assert "429" in op["responses"], (path, method)
        for code, answer in op["responses"].items():
            if int(code) >= 400:
                assert list(answer["content"]) == ["application/problem+json"], (path, method, code)

    def if_match(op: dict) -> bool:
        return any(p["name"] == "If-Match" for p in op.get("parameters", []))

    # A POST either creates (Idempotency-Key: a retry answers with the first result) or moves a
    # versioned object a step on (If-Match: the client says which version it saw) — the process
    # actions and every other app's steps (appraisals, RMAs, refunds, crises, articles).
    posts = [(path, op) for path, ops in schema["paths"].items() for m, op in ops.items() if m == "post"]
    # An operation without credentials (the app's sign-in: a code, a token) takes neither: a
    # token is never stored for a replay.
    creates = [op for path, op in posts if "/actions/" not in path and not if_match(op) and "security" in op]
    assert creates
    for op in creates:
        assert any(p["name"] == "Idempotency-Key" for p in op["parameters"]), op["operationId"]
    actions = [op for path, op in posts if "/actions/" in path]
    assert actions and all(if_match(op) for op in actions)
    for op in [op for _path, op in posts if if_match(op)]:
        assert "412" in op["responses"] and "428" in op["responses"], op["operationId"]


def test_the_docs_page_loads_nothing_from_another_host():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(src|href)=[\"'](https?:)?//", html)
    assert "cdn" not in html.lower()
    assets = re.findall(r"(?:src|href)=[\"']/static/([^\"']+)[\"']", html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert finders.find(asset), asset
    assert '"validatorUrl": null' in html


def test_the_docs_page_sends_the_csrf_token_for_session_calls(world):
    client = Client()
    client.force_login(world["agent"])
    html = client.get("/api/v1/docs").content.decode()
    assert 'data-api-csrf="true"' in html
    assert re.search(r'data-csrf-token="[A-Za-z0-9]{32,}"', html)
