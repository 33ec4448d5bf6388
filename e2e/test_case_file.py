"""An agent closes a ticket on its page: the page turns read-only (only "reopen" is left) and its
case file prints as a PDF in Chinese — also on a phone."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from tests.casefile.world import lived_ticket
from tests.factories import PASSWORD

from .conftest import new_page
from .pages import LoginPage, TicketProcessPage

pytestmark = pytest.mark.browser


def test_closing_makes_the_ticket_read_only_and_the_case_file_prints(page):
    world = lived_ticket(close=False)
    LoginPage(page).open().sign_in(world.handler.username, PASSWORD)
    detail = TicketProcessPage(page).open(world.ticket.number)
    expect(page.get_by_test_id("note-form")).to_be_visible()

    detail.perform("resolve", {"summary": "更换排水泵后试机正常。"})
    detail.perform("close", {"note": "客户电话回访满意。"})
    expect(detail.status).to_have_text("已关闭")
    expect(page.get_by_test_id("archived-notice")).to_contain_text("此工单已归档")
    expect(page.get_by_test_id("note-form")).to_have_count(0)
    expect(page.get_by_test_id("attachment-form")).to_have_count(0)
    expect(page.locator("details.action")).to_have_count(1)
    expect(page.get_by_test_id("action-reopen")).to_be_visible()

    button = page.get_by_test_id("print-case-file")
    expect(button).to_have_text("打印案卷")
    with page.expect_popup() as opened:
        button.click()
    assert opened.value.url.endswith(f"/tickets/{world.ticket.number}/case-file.pdf")
    pdf = page.request.get(button.get_attribute("href") or "")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert f"案卷 {world.ticket.number}" in text and "客户电话回访满意。" in text and "第 1 页" in text


def test_the_print_button_and_the_notice_fit_a_phone(browser, live_server, transactional_db):
    world = lived_ticket()
    phone = new_page(browser, live_server, width=375, height=812)
    try:
        LoginPage(phone).open().sign_in(world.handler.username, PASSWORD)
        TicketProcessPage(phone).open(world.ticket.number)
        for test_id in ("print-case-file", "archived-notice"):
            box = phone.get_by_test_id(test_id).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, test_id
    finally:
        phone.context.close()
