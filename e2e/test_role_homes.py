"""Role home pages in the browser: a technician signs in on a phone (375×812) and lands on today's
jobs under a one-row header; a supervisor opens the dashboard from the team view and a number of
the grid opens the ticket list filtered the same way; an agent's card opens its queue.

Set ``SCREENSHOTS_DIR`` to keep a screenshot of each page (docs/screenshots/ for the README)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.factories import PASSWORD, ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.parts.factories import make_work_order

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.fieldservice.models import WorkOrderStatus
from aftersales.tickets.models import Ticket, TicketCategory
from aftersales.tickets.services import ticket_assign, ticket_transition
from aftersales.tickets.states import TicketStatus

from .conftest import new_page
from .pages import LoginPage

pytestmark = pytest.mark.browser

# The header may take at most this share of the phone's height.
HEADER_SHARE = 0.15


def _screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _at(hour: int, days: int = 0) -> dt.datetime:
    day = clock.local_today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_default_timezone())


def _job(tech, status: str, hour: int, address: str, days: int = 0):  # type: ignore[no-untyped-def]
    ticket = make_ticket(phone=f"1381234{hour:02d}{days:02d}", serial_number=ProductUnitFactory().serial_number)
    return make_work_order(
        ticket=ticket,
        technician=tech,
        status=status,
        appointment_start=_at(hour, days),
        appointment_end=_at(hour + 2, days),
        province="上海市",
        city="上海市",
        district="徐汇区",
        address=address,
        contact_name="张伟",
        contact_phone="+8613812345678",
    )


def test_a_technician_lands_on_todays_jobs_on_a_phone(browser, live_server, phone_page):
    page = phone_page
    tech = UserFactory(username="tech-li", display_name="李师傅", role=Role.TECHNICIAN, region=RegionFactory())
    later = _job(tech, WorkOrderStatus.DISPATCHED, 14, "漕溪北路88号3栋502室")
    first = _job(tech, WorkOrderStatus.ON_SITE, 9, "虹桥路1号")
    _job(tech, WorkOrderStatus.DISPATCHED, 10, "南京西路2号", days=1)

    LoginPage(page).open().sign_in_home("tech-li", PASSWORD)
    expect(page.get_by_test_id("today")).to_be_visible()
    assert page.url.rstrip("/").endswith("/desk")
    jobs = page.get_by_test_id("today-job")
    expect(jobs).to_have_count(2)
    expect(jobs.nth(0)).to_have_attribute("data-number", first.number)  # in visit order
    expect(jobs.nth(1)).to_have_attribute("data-number", later.number)
    expect(jobs.nth(0).get_by_test_id("job-window")).to_contain_text("09:00–11:00")
    expect(jobs.nth(1).get_by_test_id("job-address")).to_contain_text("漕溪北路88号3栋502室")
    expect(jobs.nth(1).get_by_test_id("job-call")).to_have_attribute("href", "tel:+8613812345678")
    expect(jobs.nth(1).get_by_test_id("job-navigate")).to_have_attribute("href", re.compile(r"^https://uri\.amap\.com/"))
    expect(jobs.nth(0).get_by_test_id("job-next")).to_have_text("作业完成：签退")
    expect(page.get_by_test_id("count-tomorrow")).to_have_text("1")

    # The header: one compact row with the technician's links, no phone intake.
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= HEADER_SHARE * 812, header
    for test_id in ("nav-home", "nav-my-jobs", "nav-van"):
        expect(page.get_by_test_id(test_id)).to_be_attached()
    expect(page.get_by_test_id("nav-home")).to_have_text("今日")
    expect(page.get_by_test_id("nav-intake")).to_have_count(0)
    expect(page.get_by_test_id("new-intake")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways ({width}px)"
    _screenshot(page, "technician-today-375")

    # The next step opens the job at its step.
    jobs.nth(1).get_by_test_id("job-next").click()
    expect(page.get_by_test_id("work-order")).to_have_attribute("data-status", "dispatched")
    expect(page.get_by_test_id("step-accept")).to_be_visible()
    page.get_by_test_id("nav-home").click()
    expect(page.get_by_test_id("today")).to_be_visible()


def test_a_supervisors_dashboard_number_opens_the_filtered_list(browser, live_server, page):
    region = RegionFactory(code="east", name="华东")
    boss = UserFactory(username="boss-zhao", display_name="赵主管", role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    # A browser test's database is emptied between tests: the categories are made here.
    category = TicketCategory.objects.get_or_create(code="leak", defaults={"name": "漏水", "name_en": "Leak", "position": 1})[0]
    TicketCategory.objects.get_or_create(code="noise", defaults={"name": "噪音", "name_en": "Noise", "position": 2})
    numbers = []
    for i in range(3):
        ticket = make_ticket(phone=f"1390000100{i}", region=region, category_code=category.code)
        numbers.append(ticket.number)
    make_ticket(phone="13900001009", region=region, category_code="noise")  # another category
    ticket_transition(ticket=Ticket.objects.get(number=numbers[2]), to_status=TicketStatus.VERIFYING, actor=boss)

    LoginPage(page).open().sign_in_home("boss-zhao", PASSWORD)
    expect(page.get_by_test_id("team-cards")).to_be_visible()
    expect(page.get_by_test_id("count-unassigned")).to_have_text("4")
    _screenshot(page, "supervisor-team-view")
    page.get_by_test_id("dashboard-link").click()
    grid = page.get_by_test_id("dashboard-grid")
    expect(grid).to_be_visible()
    cell = grid.get_by_test_id(f"cell-registered-{category.pk}")
    expect(cell).to_have_text("2")
    _screenshot(page, "supervisor-dashboard")
    cell.click()
    expect(page.get_by_test_id("ticket-filters")).to_be_visible()
    assert f"status=registered&category={category.pk}" in page.url
    expect(page.get_by_test_id("ticket-total")).to_contain_text("2")
    rows = page.get_by_test_id("ticket-row")
    expect(rows).to_have_count(2)
    assert {rows.nth(i).get_attribute("data-number") for i in range(2)} == set(numbers[:2])
    # The list keeps the category while another filter changes.
    page.get_by_test_id("ticket-filters").locator("select[name=status]").select_option("all")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("ticket-total")).to_contain_text("3")


def test_an_agents_card_opens_its_queue(browser, live_server):
    page = new_page(browser, live_server)
    try:
        agent = UserFactory(username="agent-zhou", display_name="周客服", role=Role.AGENT, data_scope=DataScope.ALL)
        boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
        soon = ticket_assign(ticket=make_ticket(phone="13900002001"), assignee=agent, actor=boss)
        later = ticket_assign(ticket=make_ticket(phone="13900002002"), assignee=agent, actor=boss)
        Ticket.objects.filter(pk=later.pk).update(due_at=clock.now() + dt.timedelta(days=5), first_responded_at=clock.now())
        Ticket.objects.filter(pk=soon.pk).update(due_at=clock.now() + dt.timedelta(hours=2), first_responded_at=clock.now())

        LoginPage(page).open().sign_in_home("agent-zhou", PASSWORD)
        expect(page.get_by_test_id("workbench")).to_be_visible()
        expect(page.get_by_test_id("count-mine")).to_have_text("2")
        expect(page.get_by_test_id("count-due_soon")).to_have_text("1")
        _screenshot(page, "agent-workbench")
        page.get_by_test_id("count-due_soon").click()
        expect(page.get_by_test_id("ticket-total")).to_contain_text("1")
        expect(page.get_by_test_id("ticket-row")).to_have_count(1)
        expect(page.get_by_test_id("ticket-row")).to_have_attribute("data-number", soon.number)
        expect(page.get_by_test_id("ticket-filters").locator("select[name=queue]")).to_have_value("due_soon")
    finally:
        page.context.close()
