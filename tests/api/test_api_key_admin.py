"""Adding an API key in /admin/: the owner is chosen among active staff, shown with their user
name; an inactive owner is a field error (never "added successfully" without a key); a refusal
of the service is said once, without the success message. Both languages."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.api import admin as api_admin
from aftersales.api.models import ApiKey
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import ValidationFailed
from tests.clients import client_for_language
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/api/apikey/add/"


@pytest.fixture
def world():
    return {
        "superuser": UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_superuser=True, username="root1"),
        "agent": UserFactory(role=Role.AGENT, username="agent-east-1", display_name="袁欣华"),
        "gone": UserFactory(role=Role.AGENT, username="agent-gone", display_name="离职者", is_active=False),
        "customer": UserFactory(role=Role.CUSTOMER, username="cust-1", display_name="顾客甲"),
    }


def _owner_options(html: str) -> str:
    return html[html.index('name="owner"') :].split("</select>")[0]


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ["Owner", "Scopes", "The key acts as this member of staff"]),
        ("zh-hans", ["所有者", "权限范围", "该密钥以此员工的身份操作"]),
    ],
)
def test_the_owner_is_an_active_member_of_staff_shown_with_their_user_name(world, language, labels):
    page = client_for_language(world["superuser"], language).get(ADD)
    assert page.status_code == 200
    html = page.content.decode()
    options = _owner_options(html)
    assert f'<option value="{world["agent"].pk}">袁欣华 (agent-east-1)</option>' in options
    assert f'value="{world["gone"].pk}"' not in options and f'value="{world["customer"].pk}"' not in options
    for label in labels:
        assert label in html, label
    assert not re.search(r">\s*scopes\s*:?\s*<", html)  # the old lower-case label


@pytest.mark.parametrize(
    ("language", "error", "success"),
    [
        ("en", "A key&#x27;s owner must be an active member of staff.", "was added successfully"),
        ("zh-hans", "密钥的所有者必须是在职员工。", "成功"),
    ],
)
def test_an_inactive_owner_is_a_field_error_and_no_key_is_made(world, language, error, success):
    client = client_for_language(world["superuser"], language)
    response = client.post(
        ADD, {"name": "CRM", "owner": world["gone"].pk, "scopes": ["tickets:read"], "rate_limit_per_minute": ""}
    )
    assert response.status_code == 200  # the form again
    html = response.content.decode()
    assert error in html and success not in html
    assert "owner" in response.context["adminform"].form.errors
    assert not ApiKey.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["api.key_created", "admin.added"]).exists()


def test_a_refusal_of_the_service_is_said_once_without_the_success_message(world, monkeypatch):
    """What the form could not see (the owner deactivated between the form and the save)."""

    def refuse(**kwargs: object) -> object:
        raise ValidationFailed({"owner": ["The owner must be an active user."]}, code="api_key_owner_inactive")

    monkeypatch.setattr(api_admin, "api_key_create", refuse)
    client = client_for_language(world["superuser"], "en")
    response = client.post(
        ADD, {"name": "CRM", "owner": world["agent"].pk, "scopes": ["tickets:read"], "rate_limit_per_minute": ""}, follow=True
    )
    assert response.redirect_chain == [(ADD, 302)]
    html = response.content.decode()
    assert "The owner must be an active user." in html and "was added successfully" not in html
    assert not ApiKey.objects.exists() and not LogEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="admin.added").exists()


def test_a_key_for_an_active_member_of_staff_is_made_and_its_secret_shown_once(world):
    client = client_for_language(world["superuser"], "en")
    response = client.post(
        ADD, {"name": "CRM", "owner": world["agent"].pk, "scopes": ["tickets:read"], "rate_limit_per_minute": ""}, follow=True
    )
    key = ApiKey.objects.get(name="CRM")
    assert key.owner_id == world["agent"].pk and key.scopes == ["tickets:read"]
    html = response.content.decode()
    assert key.prefix + "_" in html and "was added successfully" in html
    assert response.redirect_chain[-1][0] == reverse("admin:api_apikey_changelist")
