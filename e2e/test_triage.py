"""Triage in the browser (issue 20): an agent registers a call about a safety hazard, lands on the
ticket, sees the suggestions appear in the triage panel (it polls until the background job is
done) and corrects the suggested category with one click; on a phone the panel fits the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, UserFactory
from tests.triage.product.conftest import fixed_suggest

from aftersales.tickets.models import Ticket, TicketCategory
from aftersales.triage import services
from aftersales.triage.models import TriageFeedback

from .conftest import new_page
from .pages import IntakePage, LoginPage

pytestmark = pytest.mark.browser

CATEGORIES = [
    ("product_quality", "产品质量", "Product quality", 10),
    ("installation", "安装调试", "Installation and commissioning", 40),
    ("logistics", "物流配送", "Logistics and delivery", 60),
    ("other", "其他", "Other", 90),
]


@pytest.fixture
def triage_at_once(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """The triage job runs right after the intake's commit (as an idle worker would pick it up),
    with the stand-in engine's fixed answers (the model's accuracy is measured by triage_eval)."""
    settings.TRIAGE_ENABLED = True
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "notifications"]}
    }
    monkeypatch.setattr(services.engine, "suggest", fixed_suggest)
    for code, name, name_en, position in CATEGORIES:  # a transactional test may have flushed the data migration's rows
        TicketCategory.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "position": position})


def test_agent_sees_the_suggestions_on_a_new_hazard_ticket_and_corrects_the_category(page, triage_at_once):
    UserFactory(username="agent-triage", display_name="陈客服")
    LoginPage(page).open().sign_in("agent-triage", PASSWORD)
    intake = IntakePage(page).open()
    intake.enter_phone("13812340000")
    intake.field("customer_name").fill("刘洋")
    intake.field("description").fill("电水壶底座冒烟，有焦糊味，差点起火，孩子吓坏了。")
    intake.when_unknown()
    intake.enter_place("杭州市", "文三路 90 号")
    number = intake.submit()

    panel = page.get_by_test_id("triage-panel")
    expect(panel).to_have_attribute("data-status", "done", timeout=15_000)  # polled every 2 s until ready
    category = panel.locator('[data-test-id=triage-row][data-field="category"]')
    expect(category.get_by_test_id("triage-suggested")).to_have_text("产品质量")
    expect(category.get_by_test_id("triage-confidence")).to_have_text("90 %")
    expect(panel.locator('[data-test-id=triage-row][data-field="safety"]').get_by_test_id("triage-suggested")).to_have_text(
        "安全隐患"
    )
    expect(panel.get_by_test_id("triage-reasons")).to_contain_text("冒烟")

    category.get_by_test_id("triage-correct-value").select_option("installation")
    category.get_by_test_id("triage-correct").click()

    panel = page.get_by_test_id("triage-panel")
    expect(panel).to_have_attribute("data-status", "done")
    category = panel.locator('[data-test-id=triage-row][data-field="category"]')
    expect(category.get_by_test_id("triage-current")).to_contain_text("安装调试")
    expect(category.get_by_test_id("triage-feedback")).to_contain_text("已更正")
    ticket = Ticket.objects.select_related("category").get(number=number)
    assert ticket.category is not None and ticket.category.code == "installation"
    feedback = TriageFeedback.objects.get(ticket=ticket, field="category")
    assert (feedback.suggested, feedback.chosen, feedback.accepted) == ("product_quality", "installation", False)


def test_the_panel_fits_a_phone(browser, live_server, transactional_db, triage_at_once):  # type: ignore[no-untyped-def]
    from tests.factories import make_ticket

    agent = UserFactory(username="agent-triage-phone")
    ticket = make_ticket(actor=agent, description="快递把洗衣机摔坏了，外壳凹进去一块。")
    services.triage_run(ticket_id=ticket.pk)
    page = new_page(browser, live_server, width=375, height=812)
    LoginPage(page).open().sign_in("agent-triage-phone", PASSWORD)
    page.goto(f"/tickets/{ticket.number}/")
    expect(page.get_by_test_id("triage-panel")).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("triage-correct").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.context.close()
