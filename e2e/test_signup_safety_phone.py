"""The sign-up's safety steps on a phone (375×812), in Chinese and in English: the picture of
digits before the code (the policy "always" here), the second proof of a number whose record has
a history — a wrong answer, then "without the earlier records" — and the account. No page scrolls
sideways."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from tests.factories import make_ticket

from aftersales.accounts.login_code import PHONE_CODE_TEMPLATE
from aftersales.customers.models import Customer, PhoneReuseFlag
from aftersales.notifications.models import Notification
from aftersales.portal import human_check

from .conftest import new_page
from .test_phone_fit import WIDTH, assert_fits

pytestmark = pytest.mark.browser


def last_code() -> str:
    sms = Notification.objects.filter(template=PHONE_CODE_TEMPLATE).latest("pk")
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", sms.body)
    assert found
    return found.group(1)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_picture_second_proof_and_account_fit_a_phone(browser, live_server, transactional_db, settings, monkeypatch, language):
    settings.PHONE_CODE_HUMAN_CHECK = "always"
    monkeypatch.setattr(human_check, "new_digits", lambda: "77777")
    ticket = make_ticket(phone="139 1234 5678", customer_name="王秀英")
    page = new_page(browser, live_server, width=WIDTH, height=812)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    try:
        page.goto(reverse("portal:signup"))
        expect(page.get_by_test_id("human-check-picture")).to_be_visible()
        assert_fits(page, f"{language}: the number with the picture")
        page.get_by_test_id("field-phone").locator("input").fill("139 1234 5678")
        page.get_by_test_id("field-captcha").locator("input").fill("77777")
        page.get_by_test_id("signup-phone-submit").click()

        expect(page.get_by_test_id("code-form")).to_be_visible()
        page.get_by_test_id("field-code").locator("input").fill(last_code())
        page.get_by_test_id("code-submit").click()

        expect(page.get_by_test_id("signup-check")).to_be_visible()
        assert_fits(page, f"{language}: the second proof")
        page.get_by_test_id("field-history_answer").locator("input").fill("李四")
        page.get_by_test_id("signup-check-submit").click()
        expect(page.get_by_test_id("error-history_answer")).to_be_visible()
        assert_fits(page, f"{language}: a wrong answer")

        page.get_by_test_id("signup-check-not-mine").click()
        expect(page.get_by_test_id("signup-without-history")).to_be_visible()
        assert_fits(page, f"{language}: the details without the earlier records")
        form = page.get_by_test_id("signup-details-form")
        form.get_by_test_id("field-name").locator("input").fill("Li Lei")
        form.get_by_test_id("field-password").locator("input").fill("Xin-Mima-2026!")
        form.get_by_test_id("field-password_again").locator("input").fill("Xin-Mima-2026!")
        form.get_by_test_id("field-privacy").locator("input").check()
        page.get_by_test_id("signup-submit").click()

        expect(page).to_have_url(f"{live_server.url}{reverse('portal:home')}")
        assert PhoneReuseFlag.objects.get().customer_id == ticket.customer_id
        assert Customer.objects.get(name="Li Lei").user is not None
    finally:
        page.context.close()
