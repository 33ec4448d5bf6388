"""API keys: shown once, stored hashed, scoped, revocable; the session needs its CSRF token."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from aftersales.accounts.models import DataScope, Role
from aftersales.api.models import ApiKey
from aftersales.api.services import api_key_create, api_key_revoke
from aftersales.core.errors import ValidationFailed
from tests.api.conftest import ApiClient, api_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_without_credentials_the_answer_is_a_401_problem(world):
    response = Client().get("/api/v1/tickets", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401
    assert body["code"] == "not_authenticated"
    assert body["type"].endswith("not_authenticated")


def test_a_wrong_key_is_refused_even_with_a_valid_prefix(world):
    secret = api_key_create(name="crm", owner=world["agent"], scopes=["tickets:read"], actor=None).secret
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    response = ApiClient(forged).get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"


def test_only_the_hash_of_the_key_is_stored_and_the_prefix_is_listed(world):
    created = api_key_create(name="crm", owner=world["agent"], scopes=["tickets:read"], actor=None)
    stored = ApiKey.objects.get(pk=created.key.pk)
    assert created.secret.startswith(stored.prefix + "_")
    assert stored.secret_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert created.secret not in str(ApiKey.objects.filter(pk=stored.pk).values().get())


def test_a_revoked_key_stops_working_at_once(world):
    created = api_key_create(name="crm", owner=world["agent"], scopes=["tickets:read"], actor=None)
    client = ApiClient(created.secret)
    assert client.get("/api/v1/tickets").status_code == 200
    api_key_revoke(key=created.key, actor=None)
    assert client.get("/api/v1/tickets").status_code == 401


def test_last_used_is_recorded(world):
    created = api_key_create(name="crm", owner=world["agent"], scopes=["tickets:read"], actor=None)
    assert created.key.last_used_at is None
    ApiClient(created.secret).get("/api/v1/me")
    assert ApiKey.objects.get(pk=created.key.pk).last_used_at is not None


def test_a_key_without_the_scope_is_refused(world):
    client = api_client(world["agent"], scopes=["catalog:read"])
    response = client.get(f"/api/v1/tickets/{world['east_ticket'].number}")
    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"
    assert (
        client.post("/api/v1/tickets", {"customer_name": "王", "phone": "13800000009", "description": "坏了"}).status_code == 403
    )


def test_a_read_only_key_cannot_write(world):
    client = api_client(world["agent"], scopes=["tickets:read"])
    number = world["east_ticket"].number
    response = client.post(f"/api/v1/tickets/{number}/replies", {"body": "hello"})
    assert response.status_code == 403
    assert response.json()["code"] == "scope_missing"


def test_a_key_of_a_deactivated_owner_stops_working(world):
    client = api_client(world["agent"])
    world["agent"].is_active = False
    world["agent"].save(update_fields=["is_active"])
    assert client.get("/api/v1/me").status_code == 401


def test_a_customer_key_cannot_read_customers_nor_be_limited_to_a_region(world):
    with pytest.raises(ValidationFailed) as raised:
        api_key_create(name="x", owner=world["east_customer"], scopes=["customers:read"], actor=None)
    assert raised.value.field == "scopes"
    with pytest.raises(ValidationFailed) as raised:
        api_key_create(name="x", owner=world["east_customer"], scopes=["tickets:read"], region=world["east"], actor=None)
    assert raised.value.field == "region"


def test_me_tells_who_the_key_acts_as(world):
    client = api_client(world["east_agent"], scopes=["tickets:read"], region=world["east"])
    body = client.get("/api/v1/me").json()
    assert body["username"] == "east-agent"
    assert body["via"] == "api_key"
    assert body["scopes"] == ["tickets:read"]
    assert body["region"] == "east"


def test_the_session_works_for_reads_and_needs_the_csrf_token_for_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["agent"])
    number = world["east_ticket"].number
    assert client.get(f"/api/v1/tickets/{number}").status_code == 200
    refused = client.post(f"/api/v1/tickets/{number}/replies", {"body": "note"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    token = _get_new_csrf_string()  # what a page's CSRF cookie holds
    client.cookies["csrftoken"] = token
    accepted = client.post(
        f"/api/v1/tickets/{number}/replies", {"body": "note"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["kind"] == "note"


def test_management_command_creates_lists_and_revokes(world):
    out = StringIO()
    call_command("api_key", "create", "--owner", "all-agent", "--name", "CRM", "--scope", "tickets:read", stdout=out)
    secret = next(line for line in out.getvalue().splitlines() if line.startswith("ask_"))
    key = ApiKey.objects.get(name="CRM")
    assert ApiClient(secret).get("/api/v1/me").status_code == 200
    listing = StringIO()
    call_command("api_key", "list", stdout=listing)
    assert key.prefix in listing.getvalue()
    assert secret not in listing.getvalue()
    call_command("api_key", "revoke", key.prefix, stdout=StringIO())
    assert ApiClient(secret).get("/api/v1/me").status_code == 401


def test_admin_creates_a_key_and_shows_the_secret_once(world):
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/api/apikey/add/",
        {"name": "WeChat", "owner": world["agent"].pk, "scopes": ["tickets:read", "tickets:write"], "rate_limit_per_minute": ""},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(name="WeChat")
    page = response.content.decode()
    secret = page[page.index(key.prefix + "_") :].split("<")[0].split()[0]
    assert ApiClient(secret).get("/api/v1/me").status_code == 200
    detail = client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert secret not in detail


def test_admin_revokes_keys_with_an_action(world):
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_staff=True, is_superuser=True)
    created = api_key_create(name="crm", owner=world["agent"], scopes=["tickets:read"], actor=None)
    client = Client()
    client.force_login(admin)
    response = client.post("/admin/api/apikey/", {"action": "revoke", "_selected_action": [created.key.pk]}, follow=True)
    assert response.status_code == 200
    assert ApiKey.objects.get(pk=created.key.pk).revoked_at is not None
    assert ApiClient(created.secret).get("/api/v1/me").status_code == 401
