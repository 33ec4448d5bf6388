"""Reply templates: administrators and supervisors manage the library; an agent picks one on
the ticket page and the server renders it with that ticket's values (signed for the agent)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.notifications.models import ReplyTemplate
from aftersales.notifications.template_services import (
    ReplyTemplateInput,
    reply_template_create,
    reply_template_update,
)
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def supervisor() -> User:
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)


def a_reply(**overrides) -> ReplyTemplate:  # type: ignore[no-untyped-def]
    values = {
        "title": "预计完成时间告知",
        "language": "zh-hans",
        "body": "{客户姓名}您好，工单{工单号}预计{预计完成时间}前完成。——{坐席姓名}",
    }
    values.update(overrides)
    return reply_template_create(actor=supervisor(), data=ReplyTemplateInput(**values))


def test_a_supervisor_writes_changes_and_archives_a_reply_template_through_the_pages():
    boss = supervisor()
    client = signed_in(boss)
    created = client.post(
        reverse("notifications:reply_new"),
        {
            "title": "致歉",
            "language": "zh-hans",
            "category": "延误",
            "body": "{客户姓名}您好，给您带来不便，深表歉意。",
            "active": "on",
        },
    )
    assert created.status_code == 302
    reply = ReplyTemplate.objects.get()
    assert (reply.category, reply.version, reply.active) == ("延误", 1, True)
    edited = client.post(
        reverse("notifications:reply_edit", args=[reply.pk]),
        {"title": "致歉", "language": "zh-hans", "body": "非常抱歉。", "expected_version": "1"},
    )
    assert edited.status_code == 302
    reply.refresh_from_db()
    assert (reply.body, reply.version, reply.active) == ("非常抱歉。", 2, False)  # unticked "in use": archived
    listing = client.get(reverse("notifications:reply_list")).content.decode()
    assert "致歉" in listing


def test_bad_reply_templates_are_refused_naming_the_field():
    for data, field in (
        ({"title": "", "language": "zh-hans", "body": "x"}, "title"),
        ({"title": "t", "language": "", "body": "x"}, "language"),
        ({"title": "t", "language": "en", "body": ""}, "body"),
        ({"title": "t", "language": "en", "body": "Dear {customer_phone}"}, "body"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            reply_template_create(actor=supervisor(), data=ReplyTemplateInput(**data))
        assert field in refused.value.errors
    page = signed_in(supervisor()).post(
        reverse("notifications:reply_new"), {"title": "t", "language": "zh-hans", "body": "{电话}"}
    )
    assert page.status_code == 200 and "未知的占位符" in page.content.decode()


def test_a_stale_edit_is_refused():
    reply = a_reply()
    reply_template_update(actor=supervisor(), template=reply, data=ReplyTemplateInput("a", "zh-hans", "b"), expected_version=1)
    with pytest.raises(Conflict):
        reply_template_update(
            actor=supervisor(), template=reply, data=ReplyTemplateInput("c", "zh-hans", "d"), expected_version=1
        )


def test_agents_use_the_library_but_do_not_manage_it():
    agent = UserFactory(role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        reply_template_create(actor=agent, data=ReplyTemplateInput("t", "zh-hans", "x"))
    assert signed_in(agent).get(reverse("notifications:reply_list")).status_code == 403
    assert signed_in(agent).get(reverse("notifications:reply_new")).status_code == 403


def _picker_url(page: str) -> str:
    found = re.search(r'data-test-id="reply-templates" hx-get="([^"]+)"', page)
    assert found, "the ticket page carries the reply picker"
    return unescape(found.group(1))


def test_the_ticket_page_renders_a_reply_with_the_tickets_values_for_that_agent_only():
    reply = a_reply()
    a_reply(title="English one", language="en", body="Dear {customer_name}")
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, display_name="王芳")
    ticket = make_ticket(phone="13900000201", customer_name="赵敏")
    client = signed_in(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    picker_url = _picker_url(page)
    picker = client.get(picker_url, HTTP_HX_REQUEST="true").content.decode()
    assert "预计完成时间告知" in picker and "English one" not in picker  # the page's language only
    token = re.search(r"t=([^&\"]+)", picker_url).group(1)  # type: ignore[union-attr]
    rendered = client.get(
        reverse("notifications:reply_render") + f"?t={token}&template={reply.pk}", HTTP_HX_REQUEST="true"
    ).content.decode()
    due = ticket.due_at.astimezone().strftime("%Y-%m-%d %H:%M") if ticket.due_at else "待定"
    assert f"赵敏您好，工单{ticket.number}预计{due}前完成。——王芳" in unescape(rendered)
    assert 'data-test-id="reply-insert"' in rendered
    # The signed values belong to this agent: another user's session gets nothing.
    other = signed_in(UserFactory(role=Role.AGENT))
    assert other.get(reverse("notifications:reply_render") + f"?t={token}&template={reply.pk}").status_code == 404
    assert client.get(reverse("notifications:reply_render") + f"?t=x{token}&template={reply.pk}").status_code == 404
