"""Crisis management in the browser (issue 19): a supervisor confirms a safety alert as a level-II
crisis, puts the response team together, sends the notice to the affected customers (the
notification outbox holds their messages), allocates a technician, parts and money, contains,
recovers and reviews it with the measured times and the cost shown; a drill runs the same flow
end to end and stays out of the board's statistics."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, ProductModelFactory, UserFactory, make_ticket
from tests.parts.factories import PartFactory, WarehouseFactory

from aftersales.accounts.models import DataScope, Role
from aftersales.crisis.models import Alert, Crisis, CrisisLevel, CrisisStatus
from aftersales.notifications.models import Notification
from aftersales.parts.models import Stock

from .conftest import new_page
from .pages import LoginPage

pytestmark = pytest.mark.browser


def _levels() -> CrisisLevel:
    """The default levels (a data migration stores them; a transactional test may have flushed them)."""
    CrisisLevel.objects.get_or_create(
        code="I", defaults={"name": "特别重大", "name_en": "Particularly serious", "rank": 1, "inform_within_minutes": 15}
    )
    level, _created = CrisisLevel.objects.get_or_create(
        code="II",
        defaults={
            "name": "重大",
            "name_en": "Serious",
            "rank": 2,
            "inform_roles": "supervisor,administrator,quality_manager",
            "inform_within_minutes": 30,
        },
    )
    return level


def _field(form, name: str):  # type: ignore[no-untyped-def]
    return form.get_by_test_id(f"field-{name}")


def test_confirm_team_notice_resources_contain_and_review(browser, live_server, transactional_db) -> None:  # type: ignore[no-untyped-def]
    level_ii = _levels()
    UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="e2e-crisis-sup", display_name="周主管")
    leader = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="e2e-leader", display_name="吴组长")
    speaker = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="e2e-speaker", display_name="郑发言")
    technician = UserFactory(role=Role.TECHNICIAN, username="e2e-tech", display_name="冯师傅")
    model = ProductModelFactory()
    tickets = [
        make_ticket(
            description="热水器插头冒烟了，有焦糊味",
            product_model_code=model.code,
            batch="B2612-01",
            phone=f"1370000{i:04d}",
            customer_name=f"危机客户{i}",
        )
        for i in range(3)
    ]
    alert = Alert.objects.get()
    assert alert.ticket_count == 3
    part = PartFactory(number="P-PLUG", name="电源插头组件", unit_cost=Decimal("20.00"))
    stock = Stock.objects.create(
        warehouse=WarehouseFactory(code="e2e-er", name="应急仓"), part=part, on_hand=20, emergency_reserve=10
    )

    page = new_page(browser, live_server)
    try:
        LoginPage(page).open().sign_in_home("e2e-crisis-sup", PASSWORD)
        page.goto("/crisis/")
        expect(page.get_by_test_id("figure-open-alerts")).to_have_text("1")
        page.get_by_test_id("alert-row").locator("a").first.click()
        expect(page.get_by_test_id("alert-count")).to_have_text("3")
        confirm = page.get_by_test_id("confirm-form")
        _field(confirm, "level").locator("select").select_option(str(level_ii.pk))
        _field(confirm, "title").locator("input").fill("热水器插头冒烟")
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("crisis-level")).to_have_text("重大")
        expect(page.get_by_test_id("crisis-status")).to_have_text("已确认")
        crisis = Crisis.objects.get()

        # The response team.
        for user, role in ((leader, "leader"), (speaker, "spokesperson")):
            member = page.get_by_test_id("member-form")
            _field(member, "user").locator("select").select_option(str(user.pk))
            _field(member, "role").locator("select").select_option(role)
            page.get_by_test_id("add-member").click()
        expect(page.get_by_test_id("member")).to_have_count(2)
        expect(page.get_by_test_id("crisis-team")).to_contain_text("吴组长")

        # The notice to the affected customers, through the outbox.
        _field(page.get_by_test_id("notice-form"), "body").locator("textarea").fill(
            "请立即停止使用并拔下插头，我们将免费上门更换。"
        )
        page.get_by_test_id("send-notice").click()
        expect(page.get_by_test_id("first-notice")).not_to_have_text("—")
        expect(page.get_by_test_id("communication")).to_contain_text("3")

        # Resources: a technician, parts from the emergency reserve, a budget and an expense.
        tech = page.get_by_test_id("technician-form")
        _field(tech, "user").locator("select").select_option(str(technician.pk))
        page.get_by_test_id("assign-technician").click()
        expect(page.get_by_test_id("technician")).to_contain_text("冯师傅")
        parts = page.get_by_test_id("parts-form")
        _field(parts, "stock").locator("select").select_option(str(stock.pk))
        _field(parts, "quantity").locator("input").fill("5")
        page.get_by_test_id("reserve-parts").click()
        expect(page.get_by_test_id("reservation")).to_contain_text("P-PLUG")
        budget = page.get_by_test_id("budget-form")
        _field(budget, "amount").locator("input").fill("20000")
        page.get_by_test_id("set-budget").click()
        expect(page.get_by_test_id("budget-amount")).to_contain_text("20000")
        expense = page.get_by_test_id("expense-form")
        _field(expense, "amount").locator("input").fill("1500")
        _field(expense, "description").locator("input").fill("加急物流")
        page.get_by_test_id("record-expense").click()
        expect(page.get_by_test_id("budget-spent")).to_contain_text("1500.00")

        # Respond, contain, recover, review.
        page.get_by_test_id("move-responding").click()
        expect(page.get_by_test_id("crisis-status")).to_have_text("响应中")
        page.get_by_test_id("move-contained").click()
        expect(page.get_by_test_id("crisis-status")).to_have_text("已控制")
        page.get_by_test_id("move-recovered").click()
        expect(page.get_by_test_id("crisis-status")).to_have_text("已恢复")
        _field(page.get_by_test_id("review-form"), "lessons").locator("textarea").fill("插头供应商来料检验需加严。")
        page.get_by_test_id("review").click()
        expect(page.get_by_test_id("crisis-status")).to_have_text("已复盘")
        figures = page.get_by_test_id("review-figures")
        expect(figures).to_be_visible()
        expect(page.get_by_test_id("review-tickets")).to_have_text("3 / 3")
        for testid in ("review-detection", "review-notice", "review-containment"):
            expect(page.get_by_test_id(testid)).to_contain_text("分钟")
            expect(page.get_by_test_id(testid)).not_to_contain_text("—")
        expect(page.get_by_test_id("review-cost")).to_have_text("1600.00 CNY")  # 5 × 20.00 + 1500.00
    finally:
        page.context.close()

    crisis.refresh_from_db()
    assert crisis.status == CrisisStatus.REVIEWED
    assert crisis.review["minutes_to_first_notice"] is not None and crisis.review["cost"]["total"] == "1600.00"
    # The outbox: messages about each customer's ticket, at least the in-app one for each.
    notices = Notification.objects.filter(template="crisis.customer_notice")
    assert {n.ticket_id for n in notices} == {t.pk for t in tickets}
    assert all("拔下插头" in n.body for n in notices)
    stock.refresh_from_db()
    assert stock.reserved == 0  # released on recovery


def test_a_drill_runs_end_to_end_and_stays_out_of_the_figures(browser, live_server, transactional_db) -> None:  # type: ignore[no-untyped-def]
    level_ii = _levels()
    UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="e2e-drill-sup")
    page = new_page(browser, live_server)
    try:
        LoginPage(page).open().sign_in_home("e2e-drill-sup", PASSWORD)
        page.goto("/crisis/")
        page.get_by_test_id("crisis-drill").click()
        form = page.get_by_test_id("crisis-form")
        _field(form, "title").locator("input").fill("演练：燃气泄漏")
        _field(form, "crisis_type").locator("select").select_option("product_safety")
        _field(form, "level").locator("select").select_option(str(level_ii.pk))
        expect(_field(form, "is_drill").locator("input")).to_be_checked()
        page.get_by_test_id("crisis-open").click()
        expect(page.get_by_test_id("crisis-drill-badge")).to_be_visible()
        drill_url = page.url
        page.goto("/crisis/")
        expect(page.get_by_test_id("crisis-row")).to_have_count(1)  # listed, marked as a drill…
        expect(page.get_by_test_id("figure-open-crises")).to_have_text("0")  # …but counted nowhere
        page.goto(drill_url)
        for status, label in (("confirmed", "已确认"), ("contained", "已控制"), ("recovered", "已恢复")):
            page.get_by_test_id(f"move-{status}").click()
            expect(page.get_by_test_id("crisis-status")).to_have_text(label)
        _field(page.get_by_test_id("review-form"), "lessons").locator("textarea").fill("通知模板需要提前审批。")
        page.get_by_test_id("review").click()
        expect(page.get_by_test_id("crisis-status")).to_have_text("已复盘")
        page.goto("/crisis/")
        expect(page.get_by_test_id("figure-open-crises")).to_have_text("0")
    finally:
        page.context.close()
    drill = Crisis.objects.get()
    assert drill.is_drill and drill.review["drill"] is True
