"""Audit 3 on a phone (375×812), in Chinese and in English: the header shows every link a customer
has and the technician's notifications with their count (staff's further links behind "Menu");
the customer's quote page fits and says its total; offline, a tapped step stays on the page and
says why (findings 18, 23, 25)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.factories import PASSWORD, UserFactory
from tests.fieldservice.helpers import agent, dispatcher, in_progress_ticket, new_job, technician, walk_to

from aftersales.accounts.models import DataScope, Role
from aftersales.fieldservice import services
from aftersales.notifications.services import notify_staff

from .conftest import new_page
from .pages import LoginPage

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 375, 812
LANGUAGES = ["zh-hans", "en"]
# On screen and not covered or clipped: the element (or a child) is what a tap at its centre hits.
ON_SCREEN = """
(el) => {
  const r = el.getBoundingClientRect();
  if (!r.width || !r.height) return false;
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return false;
  const hit = document.elementFromPoint(x, y);
  return !!hit && (hit === el || el.contains(hit));
}
"""


def _phone(browser, live_server, username: str, language: str) -> Page:  # type: ignore[no-untyped-def]
    page = new_page(browser, live_server, width=WIDTH, height=HEIGHT)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    LoginPage(page).open().sign_in_home(username, PASSWORD)
    return page


def _on_screen(page: Page, test_id: str) -> bool:
    return bool(page.get_by_test_id(test_id).first.evaluate(ON_SCREEN))


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways ({width}px)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_on_a_phone_shows_what_each_person_needs(browser, live_server, transactional_db, language):
    customer = UserFactory(username="emily", role=Role.CUSTOMER)
    tech = UserFactory(username="tech-wang", role=Role.TECHNICIAN, data_scope=DataScope.OWN)
    admin = UserFactory(username="admin-zhou", role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    notify_staff(users=[tech], template="f3.test", subject="新派工单", body="新派工单 WO1")

    page = _phone(browser, live_server, customer.username, language)
    for test_id in ("nav-portal", "nav-portal-knowledge", "nav-portal-privacy"):
        assert _on_screen(page, test_id), f"{language}: the customer's {test_id} is not on screen"
    expect(page.get_by_test_id("nav-more")).to_have_count(0)  # three links: all shown, no menu
    _fits(page)
    page.context.close()

    page = _phone(browser, live_server, tech.username, language)
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    for test_id in ("nav-notifications", "unread-count", "nav-home", "nav-my-jobs"):
        assert _on_screen(page, test_id), f"{language}: the technician's {test_id} is not on screen"
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 0.15 * HEIGHT, header
    _fits(page)
    page.context.close()

    # Staff with many links: two rows, the rest behind "Menu".
    page = _phone(browser, live_server, admin.username, language)
    last = page.locator(".site-nav a:not([data-test-id=nav-notifications])").last  # the notifications come first
    assert page.get_by_test_id("nav-notifications").evaluate(ON_SCREEN)
    assert not last.evaluate(ON_SCREEN), "the administrator's last link should wait behind the menu"
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 0.15 * HEIGHT, header
    page.get_by_test_id("nav-more").click()
    last.scroll_into_view_if_needed()
    assert last.evaluate(ON_SCREEN), "after Menu every link is on screen"
    _fits(page)
    page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_quote_page_fits_a_phone_and_the_offline_step_says_why(browser, live_server, transactional_db, language):
    handler, boss = agent(), dispatcher()
    tech = technician(username="tech-li")
    _ticket, measure = in_progress_ticket(actor=handler)
    quoted = walk_to(new_job(handler=handler, measure=measure), "accepted", boss=boss, tech=tech)
    services.work_order_prepare_quote(work_order=quoted, actor=tech, estimated_hours="2", parts_estimate="30")
    page = new_page(browser, live_server, width=WIDTH, height=HEIGHT)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(services.quote_path_for(quoted))
    expect(page.get_by_test_id("quote-heading")).to_contain_text(quoted.ticket.number)
    expect(page.get_by_test_id("quote-warranty")).to_be_visible()
    total = page.get_by_test_id("quote-total").inner_text()
    assert total.endswith("元" if language == "zh-hans" else "yuan"), total
    # Each line's amount stays on one line beside (or under) its description, never word by word.
    for amount in page.locator(".fs-quote-lines .fs-amount").all():
        box = amount.bounding_box()
        assert box is not None and box["height"] < 40 and box["x"] + box["width"] <= WIDTH, box
    _fits(page)
    page.context.close()

    _ticket, measure = in_progress_ticket(actor=handler)
    job = walk_to(new_job(handler=handler, measure=measure), "dispatched", boss=boss, tech=tech)
    page = _phone(browser, live_server, tech.username, language)
    page.goto(f"/fieldservice/wo/{job.number}/")
    expect(page.get_by_test_id("offline-hint")).to_be_hidden()
    page.context.set_offline(True)
    page.get_by_test_id("step-accept").click()
    expect(page.get_by_test_id("offline-hint")).to_be_visible()
    expect(page.get_by_test_id("work-order")).to_have_attribute("data-status", "dispatched")
    page.context.set_offline(False)
    expect(page.get_by_test_id("offline-hint")).to_be_hidden()
    page.get_by_test_id("step-accept").click()
    expect(page.get_by_test_id("work-order")).to_have_attribute("data-status", "accepted")
    _fits(page)
    page.context.close()
