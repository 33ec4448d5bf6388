"""An administrator, on a phone (375 px), finds a leaving agent in the staff list, sees what they
hold, chooses a successor and hands over and deactivates — in Chinese and in English, no page
scrolling sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.accounts.handover_helpers import administrator, assigned_ticket, staff
from tests.factories import PASSWORD

from aftersales.accounts.models import Role, User
from aftersales.tickets.models import Ticket

from .conftest import new_page
from .pages import LoginPage

pytestmark = pytest.mark.browser

WIDTH = 375


def assert_fits(page: Page, where: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{where}: the page is {width}px wide"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_administrator_hands_a_leaver_s_work_over_on_a_phone(browser, live_server, transactional_db, language):  # type: ignore[no-untyped-def]
    admin = administrator()
    leaver = staff(Role.AGENT, username="zhang.wei.customer.service.east.china", display_name="张伟")
    successor = staff(Role.AGENT, username="li.na", display_name="李娜")
    tickets = [assigned_ticket(leaver, by=admin), assigned_ticket(leaver, by=admin)]
    page = new_page(browser, live_server, width=WIDTH, height=812)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    LoginPage(page).open().sign_in_home(admin.username, PASSWORD)
    page.goto("/accounts/staff/?q=zhang")
    row = page.locator(f'[data-test-id=staff-row][data-username="{leaver.username}"]')
    expect(row).to_have_count(1)
    assert_fits(page, f"{language}: the staff list")
    row.locator("a").first.click()
    expect(page.locator("[data-test-id=holding][data-kind=tickets]")).to_have_attribute("data-count", "2")
    assert_fits(page, f"{language}: the person's page")
    form = page.get_by_test_id("offboard-form")
    form.locator("select[name=successor]").select_option(str(successor.pk))
    form.locator("textarea[name=reason]").fill("个人原因离职")
    form.locator("input[name=confirm]").check()
    page.get_by_test_id("offboard-submit").click()
    expect(page.get_by_test_id("staff-deactivated")).to_be_visible()
    assert_fits(page, f"{language}: the result")
    assert not User.objects.get(pk=leaver.pk).is_active
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("assignee", flat=True)) == {successor.pk}
    page.context.close()
