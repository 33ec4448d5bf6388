"""Appraisal in the browser: the agent requests it from the ticket panel (htmx), the appraiser
takes it, writes and signs the report on a phone (375 px, nothing sticks out), and the customer
opens the signed link of the result notice on a phone and asks for a re-appraisal."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, ProductUnitFactory, UserFactory, make_ticket

from aftersales.accounts.models import DataScope, Role
from aftersales.appraisal.links import appraisal_result_path
from aftersales.appraisal.models import Appraisal, AppraisalStatus

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import assert_fits

pytestmark = pytest.mark.browser


def test_request_report_sign_and_the_customer_answers(browser, live_server, transactional_db):
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="e2e-agent")
    UserFactory(role=Role.APPRAISER, data_scope=DataScope.ALL, username="e2e-appraiser", display_name="孙鉴")
    unit = ProductUnitFactory()
    ticket = make_ticket(actor=agent, phone="13700003333", customer_name="钱芳", serial_number=unit.serial_number)

    page = new_page(browser, live_server)
    try:
        LoginPage(page).open().sign_in_home("e2e-agent", PASSWORD)
        page.goto(f"/tickets/{ticket.number}/")
        panel = page.get_by_test_id("ticket-appraisals")
        panel.get_by_test_id("appraisal-request-open").click()
        panel.get_by_test_id("field-place").locator("select").select_option("outlet")
        panel.get_by_test_id("field-note").locator("textarea").fill("请鉴定压缩机故障原因")
        panel.get_by_test_id("appraisal-request-submit").click()
        expect(page.get_by_test_id("ticket-appraisal")).to_have_attribute("data-status", "requested")
    finally:
        page.context.close()

    phone = new_page(browser, live_server, width=375, height=812)
    try:
        LoginPage(phone).open().sign_in_home("e2e-appraiser", PASSWORD)
        phone.goto("/appraisal/")
        assert_fits(phone, "queue")
        row = phone.get_by_test_id("queue-unassigned").get_by_test_id("queue-row")
        row.locator("a").click()
        phone.get_by_test_id("appraisal-take").click()
        expect(phone.get_by_test_id("appraisal")).to_have_attribute("data-status", "assigned")
        form = phone.get_by_test_id("appraisal-report-form")
        form.get_by_test_id("field-symptom").locator("textarea").fill("压缩机不启动")
        form.locator('input[name="test-0-name"]').fill("启动电容容量")
        form.locator('input[name="test-0-reading"]').fill("3 μF")
        form.locator('input[name="test-0-expected"]').fill("35 μF")
        form.get_by_test_id("field-fault_type").locator("select").select_option("performance")
        form.get_by_test_id("field-cause").locator("select").select_option("materials")
        form.get_by_test_id("field-responsibility").locator("select").select_option("supplier")
        form.get_by_test_id("field-supplier").locator("input").fill("宁波电容厂")
        form.get_by_test_id("field-sanbao_applies").locator("select").select_option("yes")
        assert_fits(phone, "report form")
        phone.get_by_test_id("appraisal-save-report").click()
        expect(phone.get_by_test_id("appraisal")).to_have_attribute("data-status", "reported")
        phone.get_by_test_id("appraisal-sign").click()
        expect(phone.get_by_test_id("appraisal")).to_have_attribute("data-status", "signed")
        expect(phone.get_by_test_id("appraisal-fault-type")).to_have_text("性能故障")
        assert_fits(phone, "signed report")
    finally:
        phone.context.close()

    appraisal = Appraisal.objects.get()
    customer = new_page(browser, live_server, width=375, height=812)
    try:
        customer.goto(appraisal_result_path(appraisal))
        expect(customer.get_by_test_id("portal-appraisal-fault")).to_have_text("性能故障")
        assert_fits(customer, "portal result")
        customer.get_by_test_id("field-reason").locator("textarea").fill("不认可，要求第三方检测")
        customer.get_by_test_id("portal-appraisal-reappraisal").click()
        expect(customer.get_by_test_id("portal-appraisal-answer")).to_contain_text("不认可")
        expect(customer.get_by_test_id("portal-appraisal-form")).to_have_count(0)
    finally:
        customer.context.close()
    appraisal.refresh_from_db()
    assert appraisal.status == AppraisalStatus.REAPPRAISAL
    assert Appraisal.objects.filter(previous=appraisal).count() == 1
