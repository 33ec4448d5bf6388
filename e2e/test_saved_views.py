"""Saved views of the ticket list on a phone (375×812), in Chinese and in English: a supervisor
with many views (long names) sees the bar scroll inside itself, never widening the page; saves the
filters now chosen under a name with htmx (the new view comes back marked); changes a filter
(the bar follows, out of band); and manages the views on /tickets/views/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.factories import PASSWORD, TeamFactory, UserFactory, make_ticket

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import SavedView, ViewSharing
from aftersales.tickets.services import saved_view_create

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import WIDTH, assert_fits

pytestmark = pytest.mark.browser


def _phone(browser, live_server, username: str, language: str) -> Page:  # type: ignore[no-untyped-def]
    page = new_page(browser, live_server, width=WIDTH, height=812)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    LoginPage(page).open().sign_in_home(username, PASSWORD)
    return page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_saved_views_bar_and_page_on_a_phone(browser, live_server, transactional_db, language):
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, team=TeamFactory())
    make_ticket(actor=supervisor, priority=1)
    for i in range(8):
        saved_view_create(
            actor=supervisor, name=f"华东区紧急投诉与重复维修跟进视图{i}", filters="status=all", sharing=ViewSharing.TEAM
        )
    page = _phone(browser, live_server, supervisor.username, language)
    try:
        page.goto("/tickets/?status=all")
        bar = page.get_by_test_id("saved-views")
        expect(bar).to_be_visible()
        assert_fits(page, f"{language}: the list with eight views")

        bar.get_by_test_id("saved-view-save").locator("summary").click()
        form = bar.get_by_test_id("saved-view-form")
        expect(form).to_be_visible()
        assert_fits(page, f"{language}: the save form open")
        # A filter chosen on the page (htmx): the bar's form now saves it.
        page.get_by_test_id("ticket-filters").locator("select[name=priority]").select_option("1")
        expect(page.locator("#saved-views input[name=filters]")).to_have_value("status=all&priority=1")
        page.locator("#saved-views").get_by_test_id("saved-view-save").locator("summary").click()
        page.get_by_test_id("saved-view-name").fill("紧急")
        page.get_by_test_id("saved-view-submit").click()
        expect(page.get_by_test_id("saved-view-saved")).to_be_visible()
        expect(page.locator("#saved-views .saved-view.is-current")).to_have_text("紧急")
        assert SavedView.objects.get(name="紧急").filters == "status=all&priority=1"
        assert_fits(page, f"{language}: after saving")

        page.get_by_test_id("saved-views-manage").click()
        expect(page.get_by_test_id("own-views")).to_be_visible()
        assert_fits(page, f"{language}: the manage page")
        last = page.get_by_test_id("own-view").last
        last.get_by_test_id("saved-view-up").click()
        expect(page.get_by_test_id("own-view").nth(7).locator("input[name$='-name']")).to_have_value("紧急")
        assert [v.name for v in SavedView.objects.filter(owner=supervisor).order_by("position")][-2] == "紧急"
    finally:
        page.context.close()
