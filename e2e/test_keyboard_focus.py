"""The keyboard and screen-reader journeys of the shared accessibility fixes (WCAG 2.1 AA):
the skip link, the phone menu's links out of the Tab order while it is closed, the focus after a
form replaces its own panel through htmx (on the first invalid field, then on the panel's
heading), the status region that reads a save out, and flash messages focused on load."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory
from playwright.sync_api import Page, expect
from tests.factories import PASSWORD, ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.parts.factories import PartFactory, WarehouseFactory, make_work_order
from tests.remedies.helpers import ticket_on, unit_sold

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.parts import services
from aftersales.parts.models import WarehouseKind

from .conftest import new_page
from .pages import LoginPage, TicketProcessPage

pytestmark = pytest.mark.browser

ACTIVE = "() => { const e = document.activeElement; return e ? (e.getAttribute('data-test-id') || e.id || e.tagName.toLowerCase()) : null; }"


def _signed_in(browser, live_server, username: str, *, width: int = 1280, height: int = 860) -> Page:  # type: ignore[no-untyped-def]
    page = new_page(browser, live_server, width=width, height=height)
    LoginPage(page).open().sign_in_home(username, PASSWORD)
    return page


def _tab_through_header(page: Page) -> list[str]:
    """Press Tab from the top of the page until the focus leaves the header; the stops, in order."""
    page.get_by_test_id("brand").focus()  # the first header link after the skip link
    stops: list[str] = ["brand"]
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('main')"):
            break
        stops.append(page.evaluate(ACTIVE))
    return stops


def test_the_skip_link_and_the_phone_menu_from_the_keyboard(browser, live_server, transactional_db):
    admin = UserFactory(username="admin-kb", role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    page = _signed_in(browser, live_server, admin.username, width=375, height=812)
    try:
        page.goto("/accounts/security/")
        page.keyboard.press("Tab")
        assert page.evaluate(ACTIVE) == "skip-link"
        box = page.get_by_test_id("skip-link").bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0, box  # on screen while focused
        expect(page.get_by_test_id("skip-link")).to_have_text("跳到主要内容")
        page.keyboard.press("Enter")
        assert page.evaluate(ACTIVE) == "main"

        # The menu is closed: its hidden links are not Tab stops; "Menu" is a collapsed button.
        links = page.locator(".site-nav a:not([data-test-id=nav-notifications])")
        last = links.last.get_attribute("data-test-id")
        stops = _tab_through_header(page)
        assert "nav-more" in stops and "nav-notifications" in stops, stops
        assert last not in stops, stops
        menu = page.get_by_test_id("nav-more-toggle")  # a <details>: its summary is a disclosure button
        assert menu.evaluate("d => d.open") is False

        # Opened from the keyboard: every link is there, in the Tab order.
        page.get_by_test_id("nav-more").focus()
        page.keyboard.press("Enter")
        assert menu.evaluate("d => d.open") is True
        expect(page.get_by_test_id(last)).to_be_visible()
        assert last in _tab_through_header(page)
    finally:
        page.context.close()


def test_a_panel_form_moves_the_focus_to_its_error_then_to_the_new_panel(browser, live_server, transactional_db):
    handler = UserFactory(username="agent-kb", role=Role.AGENT, data_scope=DataScope.ALL)
    today = clock.local_today()
    ticket = ticket_on(unit_sold(today - dt.timedelta(days=5)), today, actor=handler)
    page = _signed_in(browser, live_server, handler.username)
    try:
        TicketProcessPage(page).open(ticket.number)
        panel = page.get_by_test_id("remedies-panel")
        panel.get_by_test_id("remedy-choose-open").click()
        group = panel.get_by_test_id("field-remedy")
        assert group.evaluate("e => e.tagName") == "FIELDSET"
        name = group.locator("legend").evaluate("e => e.firstChild.textContent.trim()")
        expect(page.get_by_role("group", name=name, exact=True)).to_be_visible()  # the legend names the group

        # A remedy the rule does not allow, sent without a reason: the panel is replaced and the
        # focus lands on the field in error.
        group.locator("input[value=repair_paid]").check()
        panel.get_by_test_id("remedy-submit").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("error-reason")).to_be_visible()
        focused = page.evaluate("() => [document.activeElement.name, document.activeElement.getAttribute('aria-invalid')]")
        assert focused == ["reason", "true"], focused

        # With the reason typed and sent: the button is gone with the old panel; the new panel's
        # heading has the focus.
        page.keyboard.type("客户坚持付费维修")
        page.get_by_test_id("remedies-panel").get_by_test_id("remedy-submit").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("remedy-saved")).to_be_visible()
        focus = page.evaluate(
            "() => [document.activeElement.tagName, !!document.activeElement.closest('[data-test-id=remedies-panel]')]"
        )
        assert focus == ["H2", True], focus
    finally:
        page.context.close()


def test_a_parts_save_is_read_out_and_flash_messages_take_the_focus(browser, live_server, transactional_db):
    region = RegionFactory(code="east", name="华东")
    keeper = UserFactory(username="keeper-kb", role=Role.WAREHOUSE, data_scope=DataScope.REGION, region=region)
    technician = UserFactory(username="tech-kb", role=Role.TECHNICIAN, region=region)
    warehouse = WarehouseFactory(code="rdc-kb", name="华东备件库", kind=WarehouseKind.REGIONAL, region=region)
    board = PartFactory(number="AC-KB", name="电脑板", unit_cost=Decimal("210.00"), unit_price=Decimal("380.00"))
    services.stock_receive(warehouse=warehouse, lines=[(board, 5)], actor=keeper)
    work_order = make_work_order(ticket=make_ticket(serial_number=ProductUnitFactory().serial_number), technician=technician)
    page = _signed_in(browser, live_server, technician.username)
    try:
        page.goto("/parts/van/")
        page.get_by_test_id("work-order-parts-link").first.click()
        panel = page.get_by_test_id("parts-panel")
        expect(page.get_by_test_id("sr-status")).to_be_empty()
        panel.get_by_test_id("panel-request-open").click()
        form = panel.get_by_test_id("panel-request")
        form.get_by_test_id("field-warehouse").locator("select").select_option(str(warehouse.pk))
        form.get_by_test_id("field-part_1").locator("select").select_option(str(board.pk))
        form.get_by_test_id("field-quantity_1").locator("input").fill("2")
        form.get_by_test_id("panel-request-submit").click()
        flash = page.get_by_test_id("parts-flash")
        expect(flash).to_be_visible()
        expect(page.get_by_test_id("sr-status")).to_have_text(flash.inner_text())
        assert page.evaluate("() => document.activeElement.tagName") == "H2"
        assert work_order.requisitions.count() == 1

        # A flash message (the messages framework's own cookie) is focused when the page opens.
        storage = CookieStorage(RequestFactory().get("/"))
        storage.add(constants.SUCCESS, "已保存。")
        response = HttpResponse()
        storage.update(response)
        cookie = response.cookies[storage.cookie_name].value
        page.context.add_cookies([{"name": storage.cookie_name, "value": cookie, "url": live_server.url}])
        page.goto("/parts/van/")
        expect(page.get_by_test_id("messages")).to_contain_text("已保存。")
        assert page.evaluate(ACTIVE) == "messages"
    finally:
        page.context.close()
