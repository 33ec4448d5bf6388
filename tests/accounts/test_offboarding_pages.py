"""The administrators' staff pages: the list with its filters, a person's holdings and "Hand over
and deactivate" — refused to others, in both languages, tables that scroll at 375 px."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import Role, User
from aftersales.audit.models import AuditEvent
from aftersales.tickets.models import Ticket
from tests.clients import client_for_language
from tests.factories import TeamFactory

from .handover_helpers import administrator, assigned_ticket, staff

pytestmark = pytest.mark.django_db


def main(html: str) -> str:
    return html[html.find("<main") :] if "<main" in html else html


def tables_are_wrapped(html: str) -> bool:
    return html.count("<table") == len(re.findall(r'class="table-wrap"><table', html)) > 0


@pytest.fixture
def world():
    admin = administrator(username="admin1")
    leaver = staff(Role.AGENT, username="zhangwei", display_name="张伟")
    successor = staff(Role.AGENT, username="lina", display_name="李娜")
    tickets = [assigned_ticket(leaver, by=admin), assigned_ticket(leaver, by=admin)]
    return {"admin": admin, "leaver": leaver, "successor": successor, "tickets": tickets}


def test_the_staff_list_filters_by_role_active_and_search(world):
    staff(Role.TECHNICIAN, username="wangqiang", is_active=False)
    client = client_for_language(world["admin"])
    url = reverse("accounts:staff_list")
    page = client.get(url).content.decode()
    assert 'data-username="zhangwei"' in page and 'data-username="wangqiang"' in page
    assert reverse("accounts:staff_detail", args=[world["leaver"].pk]) in page
    assert tables_are_wrapped(page)
    technicians = client.get(url, {"role": "technician"}).content.decode()
    assert 'data-username="wangqiang"' in technicians and 'data-username="zhangwei"' not in technicians
    active = client.get(url, {"active": "yes"}).content.decode()
    assert 'data-username="wangqiang"' not in active and 'data-username="zhangwei"' in active
    found = client.get(url, {"q": "张伟"}).content.decode()
    assert found.count('data-test-id="staff-row"') == 1 and 'data-username="zhangwei"' in found


def test_only_administrators_reach_the_staff_pages(world):
    for role in (Role.AGENT, Role.SUPERVISOR, Role.TECHNICIAN):
        client = client_for_language(staff(role))
        assert client.get(reverse("accounts:staff_list")).status_code == 403
        detail = reverse("accounts:staff_detail", args=[world["leaver"].pk])
        assert client.get(detail).status_code == 403
        assert client.post(detail, {"reason": "离职", "confirm": "on"}).status_code == 403
    assert User.objects.get(pk=world["leaver"].pk).is_active
    assert client_for_language(world["admin"]).get(reverse("accounts:staff_detail", args=[999_999])).status_code == 404
    assert Client().get(reverse("accounts:staff_list")).status_code == 302  # to the login page


def test_the_person_s_page_shows_the_holdings_and_hands_over(world):
    client = client_for_language(world["admin"])
    url = reverse("accounts:staff_detail", args=[world["leaver"].pk])
    page = client.get(url).content.decode()
    assert re.search(r'data-kind="tickets" data-count="2"', page)
    assert f"/tickets/?assignee={world['leaver'].pk}" in page
    assert reverse("admin:accounts_user_change", args=[world["leaver"].pk]) in page
    assert 'data-test-id="offboard-form"' in page and tables_are_wrapped(page)
    assert 'value="{}"'.format(world["successor"].pk) in page  # offered as successor
    assert 'value="{}"'.format(world["admin"].pk) not in page.split('name="successor"')[1].split("</select>")[0]
    response = client.post(url, {"successor": world["successor"].pk, "reason": "个人原因", "confirm": "on"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已停用并退出登录" in html and "2" in html
    assert 'data-test-id="staff-deactivated"' in html and 'data-test-id="offboard-form"' not in html
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in world["tickets"]]).values_list("assignee", flat=True)) == {
        world["successor"].pk
    }


def test_the_form_asks_for_a_reason_and_a_confirmation_and_shows_refusals(world):
    client = client_for_language(world["admin"], "en")
    url = reverse("accounts:staff_detail", args=[world["leaver"].pk])
    missing = client.post(url, {"reason": ""}).content.decode()
    assert 'data-test-id="error-reason"' in missing and 'data-test-id="error-confirm"' in missing
    assert User.objects.get(pk=world["leaver"].pk).is_active
    own = client.get(reverse("accounts:staff_detail", args=[world["admin"].pk])).content.decode()
    assert 'data-test-id="offboard-form"' not in own  # nobody offboards themselves
    User.objects.filter(pk=world["successor"].pk).update(is_active=False)  # left meanwhile
    stale = client.post(url, {"successor": world["successor"].pk, "reason": "Leaves", "confirm": "on"})
    assert stale.status_code == 200 and 'data-test-id="error-successor"' in stale.content.decode()
    assert not AuditEvent.objects.filter(action="account.offboarded").exists()


@pytest.mark.parametrize(
    ("language", "words", "foreign"),
    [
        (
            "zh-hans",
            ["员工", "移交并停用", "已分派的未结工单", "需要人工处理"],
            ["Staff", "Hand over", "Open tickets", "attention"],
        ),
        (
            "en",
            ["Staff", "Hand over and deactivate", "Open tickets assigned", "needs a person's attention"],
            ["员工", "移交", "工单"],
        ),
    ],
)
def test_the_pages_are_in_one_language(world, language, words, foreign):
    client = client_for_language(world["admin"], language)
    text = ""
    for url in (reverse("accounts:staff_list"), reverse("accounts:staff_detail", args=[world["leaver"].pk])):
        response = client.get(url)
        assert response.status_code == 200
        text += main(response.content.decode())
    for name in ("张伟", "李娜", "大区", "客服", "员工0", "员工1", "员工2", "员工3", "员工4"):
        text = text.replace(name, "")
    text = re.sub(r"员工\d+", "", text)
    for word in words:
        assert word in text, word
    for word in foreign:
        assert word not in text, word
    if language == "en":
        done = client.post(
            reverse("accounts:staff_detail", args=[world["leaver"].pk]),
            {"successor": world["successor"].pk, "reason": "Leaves", "confirm": "on"},
            follow=True,
        ).content.decode()
        assert "was deactivated and signed out. Handed over: Open tickets, now assigned to the successor (2)." in done


def test_the_staff_list_does_not_grow_queries_with_its_rows(world):
    client = client_for_language(world["admin"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:staff_list")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for role in (Role.TECHNICIAN, Role.FINANCE, Role.SUPERVISOR):
        staff(role, team=TeamFactory())
    assert count() == before
