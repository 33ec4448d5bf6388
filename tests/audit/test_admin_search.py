"""The audit log's search in /admin/: a user name or display name finds what the person did and
what was done to their account, an action code or its beginning finds those actions, anything
else searches as before; the first two stay on indexes on PostgreSQL (the log is big)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from aftersales.accounts.models import DataScope, Role, User
from aftersales.api.services import api_key_create, api_key_revoke
from aftersales.audit.audit_actions import AccountAudit
from aftersales.audit.models import AuditEvent
from aftersales.audit.services import audit_record
from tests.clients import client_for_language
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/audit/auditevent/"


@pytest.fixture
def world():
    root = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_superuser=True, username="root1")
    agent = UserFactory(role=Role.AGENT, username="agent-east-1", display_name="袁欣华")
    other = UserFactory(role=Role.AGENT, username="agent-west-2", display_name="李娜")
    created = api_key_create(name="CRM", owner=agent, scopes=["tickets:read"], actor=agent)  # api.key_created by the agent
    api_key_revoke(key=created.key, actor=other)  # api.key_revoked by the other
    audit_record(action=AccountAudit.OFFBOARDED, obj=agent, actor=root, changes={"reason": "离职"})  # done to the agent
    return {"root": root, "agent": agent, "other": other}


def _found(client, term: str) -> list[tuple[str, str]]:
    response = client.get(LIST, {"q": term})
    assert response.status_code == 200
    return sorted((e.action, e.object_id) for e in response.context["cl"].result_list)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_user_name_or_display_name_finds_what_they_did_and_what_was_done_to_them(world, language):
    client = client_for_language(world["root"], language)
    agent = world["agent"]
    mine = _found(client, "agent-east-1")
    assert ("api.key_created", str(agent.api_keys.get().pk)) in mine
    assert ("account.offboarded", str(agent.pk)) in mine
    assert not any(action == "api.key_revoked" for action, _ in mine)  # the other's doing
    assert _found(client, "袁欣华") == mine == _found(client, "AGENT-EAST-1")
    assert [a for a, _ in _found(client, "agent-west-2")] == ["api.key_revoked"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_action_code_or_its_beginning_finds_those_actions(world, language):
    client = client_for_language(world["root"], language)
    assert [a for a, _ in _found(client, "api.key")] == ["api.key_created", "api.key_revoked"]
    assert [a for a, _ in _found(client, "account.offboarded")] == ["account.offboarded"]
    assert [a for a, _ in _found(client, "API.KEY_REVOKED")] == ["api.key_revoked"]


def test_anything_else_searches_the_object_and_the_actor_s_label_as_before(world):
    client = client_for_language(world["root"], "en")
    key = world["agent"].api_keys.get()
    assert ("api.key_created", str(key.pk)) in _found(client, "CRM")  # the object's text
    assert _found(client, "nobody-by-this-name") == []


# --- PostgreSQL: the searches by person and by action are index probes -------------------------


def _plan(term: str) -> str:
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get(LIST, {"q": term})
    request.user = User.objects.get(username="root1")
    found, _duplicates = model_admin.get_search_results(request, AuditEvent.objects.all(), term)
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")  # at this size a table scan is as cheap
        cur.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cur.fetchall())


@pytest.mark.postgres
@pytest.mark.parametrize("term", ["agent-east-1", "袁欣华", "api.key", "account.offboarded"])
def test_postgres_reads_the_log_through_its_indexes(world, term):
    plan = _plan(term)
    assert "Seq Scan on audit_auditevent" not in plan, plan
