"""An administrator enters next year's holiday schedule in the browser: pastes the State Council's
notice, sees the preview come back as they type (htmx) with a weekday mistake named on its line,
mends it, enters the schedule and finds the year's days marked as entered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, UserFactory
from tests.sla.calendar_world import EXAMPLE_2027

from aftersales.accounts.models import DataScope, Role
from aftersales.sla.models import Calendar, CalendarYear

from .pages import LoginPage

pytestmark = pytest.mark.browser


def test_the_administrator_pastes_previews_and_enters_a_notice(page, reference_rows):  # type: ignore[no-untyped-def]
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    office = Calendar.objects.get(is_24x7=False)
    LoginPage(page).open().sign_in_home(admin.username, PASSWORD)
    page.goto(f"/sla/calendars/{office.pk}/2027/notice/")
    box = page.locator("#id_notice")
    box.fill(EXAMPLE_2027.replace("1月1日（周五）", "1月1日（周四）"))  # last year's weekday
    problem = page.get_by_test_id("notice-problem")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("2027-01-01")
    box.fill(EXAMPLE_2027)
    expect(page.get_by_test_id("notice-result")).to_have_attribute("data-ok", "1")
    expect(page.get_by_test_id("notice-day")).to_have_count(13)
    page.get_by_test_id("notice-save").click()
    expect(page.get_by_test_id("calendar-year")).to_have_attribute("data-state", "entered")
    expect(page.locator('[data-test-id=day-row][data-date="2027-02-14"]')).to_have_attribute("data-source", "schedule")
    assert CalendarYear.objects.get(calendar=office, year=2027).entered_by == admin
