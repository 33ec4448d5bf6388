"""Scheduled reports in the browser at 375 px: an agent opens the subscription form from the
ticket list's filters, picks a weekly schedule, is refused an outside recipient on its field,
subscribes, and sees the subscription; every step fits a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, UserFactory

from aftersales.accounts.models import DataScope, Role
from aftersales.reports.models import ReportSubscription

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import WIDTH, assert_fits

pytestmark = pytest.mark.browser


def test_an_agent_subscribes_to_the_filtered_ticket_list_on_a_phone(browser, live_server, transactional_db):
    UserFactory(role=Role.AGENT, data_scope=DataScope.OWN, username="e2e-reporter", email="reporter@example.com")
    page = new_page(browser, live_server, width=WIDTH, height=812)
    try:
        LoginPage(page).open().sign_in_home("e2e-reporter", PASSWORD)
        page.goto("/reports/new/?kind=tickets&status=new&page=2")
        form = page.get_by_test_id("report-form")
        expect(form.get_by_test_id("field-filters").locator("input")).to_have_value("status=new")
        assert_fits(page, "the subscription form")
        form.get_by_test_id("field-frequency").locator("select").select_option("weekly")
        form.get_by_test_id("field-weekday").locator("select").select_option("0")
        form.get_by_test_id("field-recipients").locator("textarea").fill("reporter@example.com, friend@qq.com")
        page.get_by_test_id("report-save").click()
        expect(page.get_by_test_id("error-recipients")).to_contain_text("friend@qq.com")
        expect(page.get_by_test_id("error-recipients")).to_contain_text("公司内部")
        assert_fits(page, "the refused form")
        page.get_by_test_id("report-form").get_by_test_id("field-recipients").locator("textarea").fill("reporter@example.com")
        page.get_by_test_id("report-save").click()
        card = page.get_by_test_id("report-subscription")
        expect(card).to_contain_text("工单")
        expect(card).to_contain_text("每周的星期一 08:00")
        expect(card.get_by_test_id("report-active")).to_have_text("启用")
        assert_fits(page, "the subscriptions page")
        assert ReportSubscription.objects.get().filters == {"status": "new"}
    finally:
        page.context.close()
