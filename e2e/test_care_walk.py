"""Customer care in the browser (issue 16): ONE agent session, on a phone (375 px), walks the
revisit queue (overdue first), records a call on which the customer raises a new problem, opens
the new ticket, where a suggested knowledge article (with why it was suggested) is opened and
marked "this solved it", and answers the customer with a reply template whose placeholders are
filled with the ticket's values. A second test: an administrator edits a notification template
with its live preview and SMS length.

(Replaces e2e/test_revisits.py, e2e/test_knowledge.py and e2e/test_templates.py, whose steps it
walks in one session.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.factories import PASSWORD, CustomerFactory, RegionFactory, UserFactory
from tests.knowledge.helpers import published

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.customers.models import CustomerTier
from aftersales.knowledge.models import ArticleFeedback
from aftersales.notifications.models import NotificationTemplate
from aftersales.notifications.template_services import ReplyTemplateInput, reply_template_create
from aftersales.revisits.models import Revisit, RevisitStatus
from aftersales.tickets.models import TicketEvent

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import assert_fits

pytestmark = pytest.mark.browser

PROBLEM = "空调漏水，室内机滴水到地板上"


def _revisit(customer, due, agent):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Revisit.objects.create(
        customer=customer,
        reason="periodic",
        period=due,
        due_date=due,
        assignee=agent,
        region=customer.region,
        created_at=now,
        updated_at=now,
    )


def test_an_agent_walks_a_revisit_call_a_new_ticket_a_suggested_article_and_a_reply_template(
    browser, live_server, transactional_db
):
    east = RegionFactory(code="east", name="华东")
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN, region=east, username="e2e-care", display_name="王芳")
    today = clock.local_today()
    later = _revisit(CustomerFactory(name="孙丽", tier=CustomerTier.LONG_TERM, region=east), today + dt.timedelta(days=3), agent)
    overdue = _revisit(
        CustomerFactory(name="周强", tier=CustomerTier.KEY, region=east, phone="+8613700004444"),
        today - dt.timedelta(days=9),
        agent,
    )
    article = published(title="室内机漏水的排查", keywords="漏水, 滴水")
    reply_template_create(
        actor=UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL),
        data=ReplyTemplateInput(
            title="已受理，告知预计完成时间",
            language="zh-hans",
            category="受理",
            body="{客户姓名}您好，工单{工单号}已受理，预计{预计完成时间}前处理完毕。——{坐席姓名}",
        ),
    )

    phone = new_page(browser, live_server, width=375, height=812)
    try:
        LoginPage(phone).open().sign_in_home("e2e-care", PASSWORD)

        # 1. The revisit queue, overdue first.
        phone.goto("/revisits/")
        rows = phone.get_by_test_id("rv-row")
        expect(rows).to_have_count(2)
        expect(rows.first).to_have_attribute("data-revisit", str(overdue.pk))
        expect(rows.first.get_by_test_id("rv-overdue")).to_be_visible()
        expect(rows.nth(1)).to_have_attribute("data-revisit", str(later.pk))
        assert_fits(phone, "revisit queue")

        # 2. The call: reached, rated, a new problem raised → a new ticket.
        rows.first.get_by_test_id("rv-open").click()
        form = phone.get_by_test_id("rv-call-form")
        form.locator('input[name="outcome"][value="reached"]').check()
        form.get_by_test_id("field-overall").locator("select").select_option("4")
        form.get_by_test_id("field-nps").locator("select").select_option("8")
        form.get_by_test_id("field-new_problem").locator("textarea").fill(PROBLEM)
        assert_fits(phone, "call form")
        phone.get_by_test_id("rv-save").click()
        expect(phone.get_by_test_id("rv-detail-status")).to_have_text("已完成")
        link = phone.get_by_test_id("rv-raised-ticket")
        number = link.inner_text().strip()
        link.click()
        expect(phone.locator("body")).to_contain_text(number)
        expect(phone.locator("body")).to_contain_text(PROBLEM)
        assert_fits(phone, "the new ticket")

        # 3. The suggested article: why, open it, back, "this solved it" (counted once).
        suggestion = phone.get_by_test_id("knowledge-panel").locator(
            f'[data-test-id="kb-suggestion"][data-article="{article.pk}"]'
        )
        expect(suggestion).to_be_visible()
        expect(suggestion.get_by_test_id("kb-why")).to_contain_text("漏水")
        suggestion.get_by_test_id("kb-suggestion-link").click()
        expect(phone.get_by_test_id("kb-title")).to_have_text("室内机漏水的排查")
        phone.go_back()
        phone.get_by_test_id("knowledge-panel").locator(
            f'[data-test-id="kb-suggestion"][data-article="{article.pk}"]'
        ).get_by_test_id("kb-this-solved-it").click()
        solved = phone.get_by_test_id("knowledge-panel").locator(f'[data-test-id="kb-suggestion"][data-article="{article.pk}"]')
        expect(solved.get_by_test_id("kb-solved-here")).to_be_visible()
        expect(solved.get_by_test_id("kb-this-solved-it")).to_have_count(0)

        # 4. The reply template, filled with this ticket's values, inserted and sent.
        expected_start = f"周强您好，工单{number}已受理，预计"
        note = phone.get_by_test_id("note-form")
        choice = note.get_by_test_id("reply-template-choice")
        expect(choice).to_be_visible()
        # The picker arrives by htmx; its change listener is bound when the swap settles: let the
        # page go quiet first, or the choice can fire before anything listens.
        phone.wait_for_load_state("networkidle")
        choice.select_option(label="已受理，告知预计完成时间")
        preview = note.get_by_test_id("reply-preview-text")
        expect(preview).to_contain_text(expected_start)
        expect(preview).to_contain_text("——王芳")
        expect(preview).not_to_contain_text("{")
        note.get_by_test_id("reply-insert").click()
        textarea = note.get_by_test_id("field-body").locator("textarea")
        expect(textarea).to_have_value(preview.inner_text())
        expect(note.get_by_test_id("field-kind").locator("select")).to_have_value("message_out")
        note.get_by_test_id("note-submit").click()
        expect(phone.get_by_test_id("timeline")).to_contain_text(expected_start)
        assert_fits(phone, "the ticket after the reply")
    finally:
        phone.context.close()

    revisit = Revisit.objects.get(pk=overdue.pk)
    assert revisit.status == RevisitStatus.DONE and revisit.raised_ticket is not None
    ticket = revisit.raised_ticket
    assert ticket.number == number
    assert ArticleFeedback.objects.filter(article=article, ticket=ticket).count() == 1
    article.refresh_from_db()
    assert article.solved_count == 1
    sent = TicketEvent.objects.get(ticket=ticket, kind="message_out")
    assert sent.body.startswith(expected_start) and sent.body.endswith("——王芳")


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
        assert_fits(page, "template editor")
    finally:
        page.context.close()
    saved = NotificationTemplate.objects.get(active=True)
    assert (saved.event, saved.channel, saved.version, saved.body) == (
        "ticket_received",
        "sms",
        1,
        "您的报修已受理，工单号{工单号}。",
    )
