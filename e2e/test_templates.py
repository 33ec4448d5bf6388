"""Templates in the browser: an administrator edits the "ticket received" SMS (the preview and
its length follow the typing) and saves it; an agent inserts a reply template into a message to
the customer on the ticket page, sees the placeholders filled with the ticket's values, and
sends it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, UserFactory, make_ticket

from aftersales.accounts.models import DataScope, Role
from aftersales.notifications.models import NotificationTemplate
from aftersales.notifications.template_services import ReplyTemplateInput, reply_template_create
from aftersales.tickets.models import TicketEvent

from .conftest import new_page
from .pages import LoginPage

pytestmark = pytest.mark.browser


def test_an_administrator_edits_the_ticket_received_sms_with_a_live_preview(browser, live_server, transactional_db):
    UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, username="e2e-tpl-admin")
    page = new_page(browser, live_server, width=375, height=812)
    try:
        LoginPage(page).open().sign_in_home("e2e-tpl-admin", PASSWORD)
        page.goto("/notifications/templates/ticket_received/sms/zh-hans/")
        expect(page.get_by_test_id("template-in-use")).to_contain_text("默认")
        body = page.get_by_test_id("field-body").locator("textarea")
        body.fill("您的报修已受理，工单号{工单号}，预计{预计完成时间}前处理完毕。")
        expect(page.get_by_test_id("preview-text")).to_contain_text("尊敬的赵敏：您的报修已受理，工单号SH20261122-000001")
        expect(page.get_by_test_id("sms-length")).to_contain_text("UCS-2")
        body.fill("您好{客户电话}")
        expect(page.get_by_test_id("preview-errors")).to_contain_text("{客户电话}")
        body.fill("您的报修已受理，工单号{工单号}。")
        page.get_by_test_id("template-save").click()
        expect(page.get_by_test_id("template-in-use")).to_contain_text("1")
        expect(page.get_by_test_id("template-version-1")).to_be_visible()
    finally:
        page.context.close()
    saved = NotificationTemplate.objects.get(active=True)
    assert (saved.event, saved.channel, saved.version, saved.body) == (
        "ticket_received",
        "sms",
        1,
        "您的报修已受理，工单号{工单号}。",
    )


def test_an_agent_inserts_a_reply_template_sees_the_values_and_sends_it(browser, live_server, transactional_db):
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    reply_template_create(
        actor=boss,
        data=ReplyTemplateInput(
            title="已受理，告知预计完成时间",
            language="zh-hans",
            category="受理",
            body="{客户姓名}您好，工单{工单号}已受理，预计{预计完成时间}前处理完毕。——{坐席姓名}",
        ),
    )
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="e2e-tpl-agent", display_name="王芳")
    ticket = make_ticket(actor=agent, phone="13700005555", customer_name="周杰")
    expected_start = f"周杰您好，工单{ticket.number}已受理，预计"

    page = new_page(browser, live_server)
    try:
        LoginPage(page).open().sign_in_home("e2e-tpl-agent", PASSWORD)
        page.goto(f"/tickets/{ticket.number}/")
        form = page.get_by_test_id("note-form")
        choice = form.get_by_test_id("reply-template-choice")
        expect(choice).to_be_visible()
        choice.select_option(label="已受理，告知预计完成时间")
        preview = form.get_by_test_id("reply-preview-text")
        expect(preview).to_contain_text(expected_start)
        expect(preview).to_contain_text("——王芳")
        expect(preview).not_to_contain_text("{")
        form.get_by_test_id("reply-insert").click()
        textarea = form.get_by_test_id("field-body").locator("textarea")
        expect(textarea).to_have_value(preview.inner_text())
        expect(form.get_by_test_id("field-kind").locator("select")).to_have_value("message_out")
        form.get_by_test_id("note-submit").click()
        expect(page.get_by_test_id("timeline")).to_contain_text(expected_start)
        expect(page.get_by_test_id("note-form").get_by_test_id("field-body").locator("textarea")).to_have_value("")
    finally:
        page.context.close()
    sent = TicketEvent.objects.get(ticket=ticket, kind="message_out")
    assert sent.body.startswith(expected_start) and sent.body.endswith("——王芳")
