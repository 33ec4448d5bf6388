"""The staff's customer pages in the browser, on a phone (375×812), in Chinese and in English: a
supervisor searches a customer by the last digits of the phone (htmx answers the results), opens
the customer's page, changes the tier on the edit page and sees the new tier; the ticket page's
customer name leads to the same page. No page scrolls sideways."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from tests.factories import PASSWORD, UserFactory, make_ticket

from aftersales.accounts.models import DataScope, Role
from aftersales.customers.models import Customer, CustomerTier
from aftersales.customers.services import customer_add_address

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import WIDTH, assert_fits

pytestmark = pytest.mark.browser

LONG_ADDRESS = "浦东新区张江高科技园区碧波路690号张江微电子港3号楼1201室ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_search_by_phone_open_the_customer_and_change_the_tier(browser, live_server, transactional_db, language):
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="boss")
    ticket = make_ticket(actor=supervisor, phone="13812345678", customer_name="张伟")
    make_ticket(actor=supervisor, phone="13900001111", customer_name="李娜")
    customer = Customer.objects.get(pk=ticket.customer_id)
    customer_add_address(customer=customer, province="上海市", city="上海市", detail=LONG_ADDRESS)
    page = new_page(browser, live_server, width=WIDTH, height=812)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    try:
        LoginPage(page).open().sign_in_home(supervisor.username, PASSWORD)
        page.goto(reverse("desk:customers"))
        expect(page.get_by_test_id("customer-row")).to_have_count(2)
        assert_fits(page, f"{language}: the customer list")

        page.get_by_test_id("customer-filters").locator("input[name=q]").fill("5678")
        page.get_by_test_id("customer-search-submit").click()
        expect(page.get_by_test_id("customer-row")).to_have_count(1)  # htmx swapped the results
        expect(page).to_have_url(f"{live_server.url}{reverse('desk:customers')}?q=5678&tier=")
        expect(page.get_by_test_id("customer-phone")).to_have_text("138 **** 5678")

        page.get_by_test_id("customer-link").click()
        expect(page.get_by_test_id("customer-name")).to_have_text("张伟")
        expect(page.get_by_test_id("customer-phone")).to_have_text("138 1234 5678")
        expect(page.get_by_test_id("customer-ticket")).to_have_count(1)
        assert_fits(page, f"{language}: the customer's page")

        page.get_by_test_id("customer-edit").click()
        expect(page.get_by_test_id("customer-form")).to_be_visible()
        assert_fits(page, f"{language}: the edit page")
        page.get_by_test_id("field-tier").locator("select").select_option(CustomerTier.KEY)
        page.get_by_test_id("customer-save").click()

        key_label = "重要客户" if language == "zh-hans" else "Key customer"
        expect(page.get_by_test_id("customer-tier")).to_have_text(key_label)
        assert Customer.objects.get(pk=customer.pk).tier == CustomerTier.KEY

        page.goto(f"/tickets/{ticket.number}/")
        page.get_by_test_id("detail-customer-link").click()
        expect(page.get_by_test_id("customer-tier")).to_have_text(key_label)
    finally:
        page.context.close()
