"""Correcting what intake registered, in the browser: an agent opens a ticket registered without
a serial number, corrects it in the actions panel ("更正信息"), and sees the unit's warranty on
the ticket and the 三包 panel counting the periods instead of asking for the serial number."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, ProductUnitFactory, UserFactory, make_ticket

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.tickets.models import Ticket

from .conftest import new_page
from .pages import LoginPage, TicketProcessPage

pytestmark = pytest.mark.browser

ASKS_FOR_THE_SERIAL = "请登记序列号以计算三包期限"


def test_the_agent_registers_the_serial_number_afterwards(browser, live_server, transactional_db) -> None:
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="fix-agent", display_name="王芳")
    ticket = make_ticket(actor=agent, description="洗衣机脱水时噪音很大。")
    today = clock.local_today()
    unit = ProductUnitFactory(purchase_date=today - dt.timedelta(days=40), production_date=today - dt.timedelta(days=90))

    page = new_page(browser, live_server)
    LoginPage(page).open().sign_in_home("fix-agent", PASSWORD)
    process = TicketProcessPage(page).open(ticket.number)
    expect(page.get_by_test_id("detail-serial")).to_have_text("—")
    expect(page.get_by_test_id("remedies-panel")).to_contain_text(ASKS_FOR_THE_SERIAL)

    box = process.action("correct_details")
    expect(box).to_contain_text("更正信息")
    serial = process.field(box, "serial_number")
    serial.fill(unit.serial_number)
    serial.blur()
    # The lookup says which unit it is, as on the intake page.
    expect(box.get_by_test_id("unit-found")).to_be_visible()
    process.perform("correct_details")

    expect(page.get_by_test_id("detail-serial")).to_have_text(unit.serial_number)
    expect(page.get_by_test_id("warranty-state")).to_have_text("保内")
    panel = page.get_by_test_id("remedies-panel")
    expect(panel).to_be_visible()
    expect(panel).not_to_contain_text(ASKS_FOR_THE_SERIAL)
    expect(panel).to_contain_text("购买日期")
    # The timeline says what was corrected, internally.
    entry = page.get_by_test_id("timeline-event").filter(has_text="信息已更正")
    expect(entry).to_contain_text("序列号")
    expect(entry).to_contain_text("内部")
    assert Ticket.objects.get(pk=ticket.pk).product_unit_id == unit.pk
