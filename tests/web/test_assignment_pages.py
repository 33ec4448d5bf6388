"""Assignment through the pages (issue 14, item 1): "take it" and "assign" on the ticket page,
checkboxes and the bulk assignment on the list, "auto-assign now" on the unassigned queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.list_rows import render_rows
from aftersales.tickets.models import AssignmentRule, Ticket
from aftersales.tickets.process import ticket_cancel
from aftersales.tickets.selectors import TicketListRow
from aftersales.tickets.selectors.assignment import RULES_CACHE_KEY
from aftersales.tickets.services import ticket_assign
from tests.clients import client_for
from tests.factories import RegionFactory, TeamFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:list")
BULK = reverse("tickets:bulk_assign")


@pytest.fixture(autouse=True)
def _no_cached_rules():
    cache.delete(RULES_CACHE_KEY)
    yield
    cache.delete(RULES_CACHE_KEY)


@pytest.fixture
def east():  # type: ignore[no-untyped-def]
    region = RegionFactory(code="east", name="华东")
    team = TeamFactory(name="华东一组", region=region)
    return {
        "region": region,
        "team": team,
        "supervisor": UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=region, display_name="周主管"),
        "wang": UserFactory(role=Role.AGENT, data_scope=DataScope.TEAM, team=team, region=region, display_name="王芳"),
        "li": UserFactory(role=Role.AGENT, data_scope=DataScope.TEAM, team=team, region=region, display_name="李娜"),
    }


def _detail(client, ticket: Ticket) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("tickets:detail", args=[ticket.number]))
    assert response.status_code == 200
    return response.content.decode()


def _action(client, ticket: Ticket, name: str, data: dict | None = None, **headers):  # type: ignore[no-untyped-def]
    fresh = Ticket.objects.get(pk=ticket.pk)
    payload = {"expected_version": fresh.version, **(data or {})}
    return client.post(reverse("tickets:action", args=[ticket.number, name]), payload, **headers)


def test_an_agent_takes_an_unassigned_ticket_from_its_page(east):
    ticket = make_ticket(region=east["region"], team=east["team"])
    client = client_for(east["wang"])
    html = _detail(client, ticket)
    assert 'data-test-id="action-claim"' in html and "接手" in html
    response = _action(client, ticket, "claim")
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).assignee == east["wang"]
    # Now it is his: "take it" is no longer offered.
    assert 'data-test-id="action-claim"' not in _detail(client, ticket)


def test_the_assign_form_lists_people_with_role_team_and_open_tickets_and_assigns(east):
    ticket_assign(ticket=make_ticket(region=east["region"], phone="13900000001"), assignee=east["li"], actor=east["supervisor"])
    ticket = make_ticket(region=east["region"], phone="13900000002")
    client = client_for(east["supervisor"])
    html = _detail(client, ticket)
    form = html.split('data-test-id="action-assign"', 1)[1].split("</details>", 1)[0]
    assert "王芳 · 客服人员 · 华东一组 · 在办 0<" in form
    assert "李娜 · 客服人员 · 华东一组 · 在办 1<" in form
    assert "周主管 · 主管" in form
    response = _action(client, ticket, "assign", {"assignee": east["wang"].pk, "note": "老客户"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Retarget"] == "#ticket-detail"
    assert Ticket.objects.get(pk=ticket.pk).assignee == east["wang"]
    assert "王芳" in response.content.decode()  # the ticket comes back with its new assignee


def test_a_refused_assignment_is_shown_on_the_form(east):
    ticket = make_ticket(region=east["region"])
    client = client_for(east["supervisor"])
    stale = {"expected_version": ticket.version, "assignee": east["wang"].pk}
    ticket_assign(ticket=ticket, assignee=east["li"], actor=east["supervisor"])
    response = client.post(reverse("tickets:action", args=[ticket.number, "assign"]), stale, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="action-errors"' in html and "周主管" in html  # "changed by 周主管 at …; reload"
    assert Ticket.objects.get(pk=ticket.pk).assignee == east["li"]
    # Nobody chosen: the field says so.
    html = _action(client, ticket, "assign", {"assignee": ""}).content.decode()
    assert 'data-test-id="error-assignee"' in html


def test_an_agent_of_their_own_scope_may_take_but_not_assign(east):
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN, team=east["team"], display_name="钱新")
    ticket = make_ticket(actor=agent, region=east["region"])
    html = _detail(client_for(agent), ticket)
    assert 'data-test-id="action-claim"' in html
    assert 'data-test-id="action-assign"' not in html
    response = _action(client_for(agent), ticket, "assign", {"assignee": east["wang"].pk})
    assert response.status_code == 200 and Ticket.objects.get(pk=ticket.pk).assignee_id is None  # refused on the form
    # Nor does the list offer checkboxes, nor the bulk form.
    assert 'data-test-id="row-select"' not in client_for(agent).get(LIST).content.decode()
    assert client_for(agent).get(BULK, {"tickets": [ticket.number]}).status_code == 403


def test_a_closed_ticket_offers_neither(east):
    ticket = make_ticket(region=east["region"])
    ticket_cancel(ticket=ticket, actor=east["supervisor"], reason="撤回")
    html = _detail(client_for(east["supervisor"]), ticket)
    assert 'data-test-id="action-assign"' not in html and 'data-test-id="action-claim"' not in html


def test_the_list_has_a_checkbox_per_row_for_those_who_assign(east):
    ticket = make_ticket(region=east["region"])
    html = client_for(east["supervisor"]).get(LIST).content.decode()
    assert f'name="tickets" value="{ticket.number}"' in html
    assert 'data-test-id="bulk-assign-open"' in html and 'data-test-id="select-all"' in html


def _row(**changes) -> TicketListRow:  # type: ignore[no-untyped-def]
    values = {
        "pk": 1,
        "number": "SH2026<'\"&>01",
        "title": "冰箱不制冷",
        "status": "registered",
        "priority": 2,
        "channel": "hotline",
        "safety_hazard": False,
        "sla_state": "",
        "escalation_level": 0,
        "created_at": dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC),
        "due_at": None,
        "category_id": None,
        "category_name": "",
        "category_name_en": "",
        "customer_name": "张伟",
        "customer_phone": "+8613812345678",
        "assignee_id": None,
        "assignee_username": "",
        "assignee_display_name": "",
        "assignee_first_name": "",
        "assignee_last_name": "",
    }
    values.update(changes)
    return TicketListRow(**values)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_checkbox_rows_are_the_same_bytes_in_both_renderings(settings, language):
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    rows = [_row(), _row(pk=2, number="SH20260304-000002", assignee_id=3, assignee_username="wang")]
    out = {}
    with translation.override(language):
        for rendering in ("python", "jinja2"):
            settings.ROW_RENDERING = rendering
            out[rendering] = (str(render_rows(rows, user=user, selectable=True)), str(render_rows(rows, user=user)))
    selectable, plain = out["python"]
    assert out["jinja2"] == out["python"]
    assert selectable.count('data-test-id="row-select"') == 2 and "row-select" not in plain
    assert 'value="SH2026&lt;&#x27;&quot;&amp;&gt;01"' in selectable  # the number escaped in the value too
    label = "选择" if language == "zh-hans" else "Select"
    assert f'aria-label="{label} SH20260304-000002"' in selectable
    assert f'data-number="SH20260304-000002"><td data-label="{label}" class="cell-select"><input type="checkbox"' in selectable


def test_bulk_assignment_from_the_list_reports_each_ticket(east):
    one = make_ticket(region=east["region"], phone="13900000011")
    two = make_ticket(region=east["region"], phone="13900000012")
    cancelled = ticket_cancel(
        ticket=make_ticket(region=east["region"], phone="13900000013"), actor=east["supervisor"], reason="撤回"
    )
    client = client_for(east["supervisor"])
    back = f"{LIST}?queue=unassigned&status=all"
    numbers = [one.number, two.number, cancelled.number]
    # Step 1: the checked rows open the form in place (htmx), listing the tickets and the people.
    panel = client.get(BULK, {"tickets": numbers, "next": back}, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert "分派 3 张工单" in html and 'data-test-id="bulk-assign-form"' in html
    assert "<html" not in html  # a fragment
    assert "王芳 · 客服人员 · 华东一组" in html
    # Step 2: assign; back to the list the user came from, with a result per ticket.
    response = client.post(BULK, {"tickets": numbers, "assignee": east["wang"].pk, "note": "", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts[0] == "已将 2 张工单分派给王芳。"
    assert texts[1] == "1 张工单未分派："
    assert texts[2].startswith(f"{cancelled.number}：")
    assert set(Ticket.objects.filter(assignee=east["wang"]).values_list("pk", flat=True)) == {one.pk, two.pk}


def test_bulk_assignment_without_a_person_or_tickets_says_what_is_missing(east):
    ticket = make_ticket(region=east["region"])
    client = client_for(east["supervisor"])
    page = client.post(BULK, {"tickets": [ticket.number], "assignee": ""})
    assert page.status_code == 200 and 'data-test-id="error-assignee"' in page.content.decode()
    empty = client.get(BULK).content.decode()
    assert 'data-test-id="bulk-errors"' in empty and "<html" in empty  # without htmx: a page
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None


def test_bulk_assignment_goes_back_only_to_this_site(east):
    ticket = make_ticket(region=east["region"])
    response = client_for(east["supervisor"]).post(
        BULK, {"tickets": [ticket.number], "assignee": east["li"].pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == LIST


def test_the_unassigned_queue_offers_supervisors_to_run_the_rules(east):
    AssignmentRule.objects.create(name="华东一组轮流", team=east["team"])
    ticket = make_ticket(region=east["region"])
    supervisor = client_for(east["supervisor"])
    html = supervisor.get(LIST, {"queue": "unassigned"}).content.decode()
    assert 'data-test-id="auto-assign-now"' in html
    assert 'data-test-id="auto-assign-now"' not in supervisor.get(LIST).content.decode()  # only on that queue
    assert 'data-test-id="auto-assign-now"' not in client_for(east["wang"]).get(LIST, {"queue": "unassigned"}).content.decode()
    response = supervisor.post(reverse("tickets:auto_assign"), {"next": f"{LIST}?queue=unassigned"})
    assert response.status_code == 302 and response["Location"] == f"{LIST}?queue=unassigned"
    assert Ticket.objects.get(pk=ticket.pk).assignee_id in {east["wang"].pk, east["li"].pk}
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["分派规则：已分派 1 张工单。"]
    assert client_for(east["wang"]).post(reverse("tickets:auto_assign")).status_code == 403


def test_the_administrator_edits_rules_skills_availability_and_absences(admin_client, east):
    response = admin_client.post(
        reverse("admin:tickets_assignmentrule_add"),
        {
            "name": "华东一组轮流",
            "active": "on",
            "position": "1",
            "region": east["region"].pk,
            "category": "",
            "channel": "",
            "request_type": "",
            "team": east["team"].pk,
            "method": "least_loaded",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AssignmentRule.objects.get(name="华东一组轮流")
    assert (rule.team, rule.method, rule.region) == (east["team"], "least_loaded", east["region"])
    # Saving cleared the cached rules: intake sees the new rule at once.
    from aftersales.tickets.selectors.assignment import active_rule_conditions

    assert [c.pk for c in active_rule_conditions()] == [rule.pk]
    for name in ("assignmentrule", "staffskill", "staffavailability", "staffabsence"):
        assert admin_client.get(reverse(f"admin:tickets_{name}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:tickets_{name}_add")).status_code == 200
    absence = admin_client.post(
        reverse("admin:tickets_staffabsence_add"),
        {
            "user": east["wang"].pk,
            "starts_at_0": "2026-12-01",
            "starts_at_1": "09:00",
            "ends_at_0": "2026-11-30",
            "ends_at_1": "09:00",
            "reason": "年假",
        },
    )
    assert absence.status_code == 200  # ends before it starts: refused on the form, not a database error
