"""Issue 21, item 2: NUL (and lone surrogates) in query parameters, form fields and JSON bodies,
too many files or fields in one request: a clear 400/413 naming the field, never a 500."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import Ticket
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor():
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, is_staff=True)


@pytest.fixture
def client(supervisor) -> Client:
    client = Client()
    client.force_login(supervisor)
    return client


def _problem(response) -> dict:
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    return json.loads(response.content)


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/tickets", "q"),
        ("/api/v1/parts", "q"),
        ("/api/v1/stock", "warehouse"),
        ("/api/v1/work-orders", "status"),
        ("/api/v1/customers", "q"),
    ],
)
def test_a_nul_in_an_api_query_parameter_is_a_400_problem_naming_it(client, url, param):
    response = client.get(url, {param: "abc\x00def"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    body = _problem(response)
    assert body["code"] == "invalid_characters"
    assert body["errors"][0]["field"] == param
    assert param in body["detail"]


@pytest.mark.parametrize(
    ("name", "param"),
    [("tickets:list", "q"), ("parts:stock", "q"), ("parts:requisitions", "status"), ("fieldservice:board", "status")],
)
def test_a_nul_in_a_page_filter_is_a_translated_400_page(client, name, param):
    url = reverse(name)
    response = client.get(url, {param: "x\x00"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-test-id="error-bad-input"' in html
    assert "无法保存的字符" in html  # Chinese by default
    client.cookies["django_language"] = "en"
    english = client.get(url, {param: "x\x00"}).content.decode()
    assert "cannot be stored" in english


def test_a_nul_in_a_json_field_of_the_intake_is_refused_naming_the_field(client):
    payload = {"channel": "hotline", "customer_name": "王\x00芳", "phone": "13912345678", "description": "不制冷"}
    response = client.post(
        "/api/v1/tickets", json.dumps(payload), content_type="application/json", headers={"Idempotency-Key": "k-nul-1"}
    )
    assert response.status_code == 400
    assert _problem(response)["errors"][0]["field"] == "customer_name"
    assert not Ticket.objects.exists()


def test_a_nul_in_a_nested_json_field_and_a_lone_surrogate_are_refused(client):
    ticket = make_ticket()
    body = '{"body": "ok", "extra": {"items": [{"note": "a\\u0000b"}]}}'
    response = client.post(f"/api/v1/tickets/{ticket.number}/replies", body, content_type="application/json")
    assert response.status_code == 400
    assert _problem(response)["errors"][0]["field"] == "extra.items.0.note"
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/replies", '{"body": "bad \\ud800 char"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert _problem(response)["errors"][0]["field"] == "body"


def test_a_nul_in_a_form_field_of_the_intake_page_is_a_400_page(client):
    response = client.post(reverse("tickets:intake"), {"customer_name": "王\x00芳", "phone": "13912345678"})
    assert response.status_code == 400
    assert "customer_name" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_nul_in_a_reply_form_is_refused(client):
    ticket = make_ticket()
    response = client.post(reverse("tickets:add_note", args=[ticket.number]), {"body": "hello\x00"})
    assert response.status_code == 400


def test_200_files_in_one_upload_are_a_400_not_a_500(client):
    ticket = make_ticket()
    files = [SimpleUploadedFile(f"f{n}.png", b"\x89PNG\r\n\x1a\n", content_type="image/png") for n in range(200)]
    response = client.post(f"/api/v1/tickets/{ticket.number}/attachments", {"file": files})
    assert response.status_code == 400
    assert _problem(response)["code"] == "too_many_files"
    page = client.post(reverse("tickets:add_attachment", args=[ticket.number]), {"file": files})
    assert page.status_code == 400
    assert 'data-code="too_many_files"' in page.content.decode()


def test_too_many_fields_are_a_400_not_a_500(client):
    data = "&".join(f"f{n}=1" for n in range(1200))
    response = client.post("/api/v1/tickets", data, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert _problem(response)["code"] == "too_many_fields"


def test_clean_input_passes_unchanged(client):
    assert client.get(reverse("tickets:list"), {"q": "不制冷"}).status_code == 200
    assert client.get("/api/v1/tickets", {"q": "abc"}).status_code == 200
