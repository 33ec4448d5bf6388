"""The page header's cached parts (core/templatetags/layout.py): the navigation per role and
language, the language buttons, and the agent's dispatch permission remembered in the session."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.core.templatetags import layout
from tests.clients import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:list")


def _page(client) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries]


def _permission_queries(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if "auth_permission" in sql]


def test_an_agents_dispatch_link_follows_the_permission_within_the_ttl():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    client = client_for(agent)
    html, sqls = _page(client)
    assert 'data-test-id="nav-dispatch"' not in html
    assert len(_permission_queries(sqls)) == 2  # the session's first page looks it up
    html, sqls = _page(client)
    assert _permission_queries(sqls) == []  # then it is remembered

    agent.user_permissions.add(Permission.objects.get(codename="dispatch_workorder"))
    later = layout.time.time() + layout.NAV_PERMISSION_TTL_SECONDS + 1
    with mock.patch.object(layout.time, "time", return_value=later):
        html, sqls = _page(client)
    assert 'data-test-id="nav-dispatch"' in html
    assert len(_permission_queries(sqls)) == 2


def test_the_remembered_permission_belongs_to_the_signed_in_user():
    desk = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    desk.user_permissions.add(Permission.objects.get(codename="dispatch_workorder"))
    client = client_for(desk)
    assert 'data-test-id="nav-dispatch"' in _page(client)[0]
    other = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    client.force_login(other)  # a new session (login cycles it), never the previous user's memo
    assert 'data-test-id="nav-dispatch"' not in _page(client)[0]


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        (Role.SUPERVISOR, ["nav-approvals", "nav-dispatch", "nav-dashboard", "nav-parts"], ["nav-my-jobs", "nav-webhooks"]),
        (Role.TECHNICIAN, ["nav-my-jobs", "nav-van"], ["nav-dispatch", "nav-dashboard", "nav-mailin"]),
        (Role.AGENT, ["nav-tickets", "nav-intake", "nav-mailin"], ["nav-approvals", "nav-dashboard", "nav-parts"]),
    ],
)
def test_the_cached_navigation_is_per_role(role, present, absent):
    html = client_for(UserFactory(role=role, data_scope=DataScope.ALL)).get(reverse("notifications:inbox")).content.decode()
    for test_id in present:
        assert f'data-test-id="{test_id}"' in html, test_id
    for test_id in absent:
        assert f'data-test-id="{test_id}"' not in html, test_id


def test_the_cached_navigation_and_buttons_follow_the_language():
    client = client_for(UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL))
    zh = client.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    client.cookies.load({"django_language": "en"})
    en = client.get(LIST).content.decode()
    assert ">工单<" in zh and ">Tickets<" in en
    assert 'data-test-id="lang-zh-hans" aria-current="true"' in zh
    assert 'data-test-id="lang-en" aria-current="true"' in en


def test_static_form_markup_is_per_language_and_a_bound_form_shows_its_errors():
    from django.utils.translation import override

    from aftersales.tickets.forms import NoteForm

    with override("en"):
        en = layout.form_fields(NoteForm(), "kind", "body")
    with override("zh-hans"):
        zh = layout.form_fields(NoteForm(), "kind", "body")
    assert "Internal note" in en and "内部备注" in zh
    assert layout.form_fields(NoteForm(), "kind", "body") is layout.form_fields(NoteForm(), "kind", "body")
    bound = NoteForm({"kind": "nonsense", "body": "x"})
    assert not bound.is_valid()
    html = layout.form_fields(bound, "kind", "body")
    assert 'data-test-id="error-kind"' in html and ">\nx</textarea>" in html
