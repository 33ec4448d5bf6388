"""Assignment in a real browser (issue 14, item 1), at desktop size: an agent takes an unassigned
ticket from its page; a supervisor checks rows in the list and assigns them to a colleague."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, RegionFactory, TeamFactory, UserFactory, make_ticket

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import Ticket

from .pages import LoginPage, TicketListPage, TicketProcessPage

pytestmark = pytest.mark.browser


def _east():  # type: ignore[no-untyped-def]
    region = RegionFactory(code="east", name="华东")
    team = TeamFactory(name="华东一组", region=region)
    agent = UserFactory(
        username="wang", display_name="王芳", role=Role.AGENT, data_scope=DataScope.TEAM, team=team, region=region
    )
    colleague = UserFactory(
        username="li", display_name="李娜", role=Role.AGENT, data_scope=DataScope.TEAM, team=team, region=region
    )
    supervisor = UserFactory(
        username="zhou", display_name="周主管", role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=region
    )
    return region, team, agent, colleague, supervisor


def test_an_agent_takes_an_unassigned_ticket(page):
    region, team, agent, _colleague, _supervisor = _east()
    ticket = make_ticket(region=region, team=team, description="冰箱不制冷，已经三天了。")

    LoginPage(page).open().sign_in("wang", PASSWORD)
    tickets = TicketListPage(page)
    expect(tickets.row(ticket.number)).to_contain_text("未分派")
    tickets.open_ticket(ticket.number)
    process = TicketProcessPage(page)
    process.perform("claim")
    expect(page.get_by_test_id("detail-handling")).to_contain_text("王芳")
    expect(page.get_by_test_id("action-claim")).to_have_count(0)  # it is his now
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent


def test_a_supervisor_assigns_checked_rows_to_a_colleague(page):
    region, _team, _agent, colleague, _supervisor = _east()
    first = make_ticket(region=region, phone="13900000001", description="洗衣机漏水。")
    second = make_ticket(region=region, phone="13900000002", description="空调异响。")
    untouched = make_ticket(region=region, phone="13900000003", description="热水器不点火。")

    LoginPage(page).open().sign_in("zhou", PASSWORD)
    tickets = TicketListPage(page)
    for ticket in (first, second):
        tickets.row(ticket.number).get_by_test_id("row-select").check()
    page.get_by_test_id("bulk-assign-open").click()
    panel = page.get_by_test_id("bulk-assign")
    expect(panel).to_contain_text("分派 2 张工单")
    expect(panel.get_by_test_id("bulk-numbers")).to_contain_text(first.number)
    choice = panel.get_by_test_id("field-assignee").locator("select")
    expect(choice.locator("option", has_text="李娜 · 客服人员 · 华东一组")).to_have_count(1)
    choice.select_option(str(colleague.pk))
    panel.get_by_test_id("bulk-assign-submit").click()

    expect(page.get_by_test_id("messages")).to_contain_text("已将 2 张工单分派给李娜。")
    for ticket in (first, second):
        expect(tickets.row(ticket.number)).to_contain_text("李娜")
    expect(tickets.row(untouched.number)).to_contain_text("未分派")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
