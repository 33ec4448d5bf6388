"""An agent takes a hotline call: registers it, tells the number, finds it in the list."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, ProductUnitFactory, UserFactory, make_ticket

from aftersales.core import clock

from .pages import IntakePage, LoginPage, TicketListPage

pytestmark = pytest.mark.browser


def test_agent_registers_a_hotline_call_and_finds_it_in_the_list(page):
    agent = UserFactory(username="agent-li", display_name="李客服")
    unit = ProductUnitFactory(purchase_date=clock.local_today() - dt.timedelta(days=40))
    make_ticket(actor=agent, phone="13900001111", customer_name="赵敏", description="洗衣机异响，脱水时尤其明显")

    LoginPage(page).open().sign_in("agent-li", PASSWORD)

    intake = IntakePage(page).open()
    caller = intake.enter_phone("13812345678")
    expect(caller.get_by_test_id("customer-new")).to_be_visible()
    intake.field("customer_name").fill("张伟")
    unit_box = intake.enter_serial(unit.serial_number)
    expect(unit_box.get_by_test_id("unit-model")).to_contain_text(unit.model.code)
    expect(unit_box.get_by_test_id("warranty-state")).to_have_attribute("class", "badge warranty-in")
    expect(unit_box.get_by_test_id("warranty-reason")).not_to_be_empty()
    expect(intake.field("product_model_code")).to_have_value(unit.model.code)  # filled from the unit
    intake.field("description").fill("空调漏水，室内机滴水到地板上。")
    # When and where are required (SPEC §2.1): a date without a time, approximate; the place.
    intake.enter_when((clock.local_today() - dt.timedelta(days=2)).isoformat(), about=True)
    intake.enter_place("佛山市", "北滘镇美的大道 6 号", province="广东省")
    number = intake.submit()
    assert number.startswith("SH")

    tickets = TicketListPage(page).open()
    expect(tickets.row(number)).to_be_visible()
    expect(tickets.row(number).get_by_test_id("ticket-phone")).to_have_text("138 1234 5678")
    tickets.search(number)
    expect(page.get_by_test_id("ticket-row")).to_have_count(1)
    page.get_by_test_id("ticket-filters").locator("input[name=q]").fill("")
    page.get_by_test_id("filter-submit").click()
    expect(page.get_by_test_id("ticket-row")).to_have_count(2)

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling

    screenshot_dir = os.environ.get("AFTERSALES_SCREENSHOT_DIR")
    if screenshot_dir:
        Path(screenshot_dir).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(screenshot_dir) / "ticket-list.png"), full_page=True)

    detail = tickets.open_ticket(number)
    assert detail.number == number
    assert detail.serial == unit.serial_number


def test_the_ticket_list_becomes_cards_on_a_phone(phone_page):
    agent = UserFactory(username="agent-wang")
    for i in range(3):
        make_ticket(actor=agent, phone=f"1371234567{i}", description=f"第{i + 1}台热水器点不着火，显示故障代码 E{i}")
    page = phone_page
    LoginPage(page).open().sign_in("agent-wang", PASSWORD)
    expect(page.get_by_test_id("ticket-row")).to_have_count(3)
    layout = page.evaluate(
        """() => {
            const row = document.querySelector("[data-test-id=ticket-row]");
            const head = document.querySelector("[data-test-id=ticket-table] thead");
            return {
                scrollWidth: document.documentElement.scrollWidth,
                viewport: window.innerWidth,
                rowDisplay: getComputedStyle(row).display,
                rowWidth: row.getBoundingClientRect().width,
                headHeight: head.getBoundingClientRect().height,
            };
        }"""
    )
    assert layout["viewport"] == 375
    assert layout["scrollWidth"] <= layout["viewport"], layout
    assert layout["rowDisplay"] == "block", layout
    assert layout["rowWidth"] <= 375, layout
    assert layout["headHeight"] <= 1, layout
