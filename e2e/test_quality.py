"""Quality in the browser: a quality engineer goes from the Pareto of causes to the tickets behind
the bar, raises an improvement action from them, moves it through Do to Check and reads the
check the system computed (batches before and after the change); the overview fits a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD
from tests.quality.helpers import engineer, fault, model, refresh, ship, unit

from aftersales.quality.models import ImprovementAction

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import assert_fits

pytestmark = pytest.mark.browser
D = dt.date


def _world() -> int:
    m = model("KFR-35GW-E2E")
    for batch, month, faulty in (("B1", D(2026, 1, 1), 4), ("B2", D(2026, 2, 1), 4), ("B3", D(2026, 4, 1), 0)):
        ship(m, batch, 1000, month)
        for _n in range(faulty):
            u = unit(m, batch, production_date=month, purchase_date=month + dt.timedelta(days=10))
            fault(u, on=month + dt.timedelta(days=40), cause="materials")
    refresh()
    return m.pk


def test_from_the_pareto_to_the_tickets_to_an_action_and_its_check(browser, live_server, transactional_db):
    engineer(username="e2e-quality")
    model_id = _world()
    page = new_page(browser, live_server)
    try:
        LoginPage(page).open().sign_in_home("e2e-quality", PASSWORD)
        page.goto("/quality/")
        pareto = page.get_by_test_id("quality-pareto-causes")
        expect(pareto.locator("img.chart-img")).to_be_visible()
        pareto.locator("details summary").click()
        pareto.locator("table a").first.click()
        expect(page.get_by_test_id("quality-ticket-row")).to_have_count(8)
        page.get_by_test_id("quality-raise-action").click()
        form = page.get_by_test_id("quality-action-form")
        form.get_by_test_id("field-title").locator("input").fill("Start capacitor fails")
        form.get_by_test_id("field-problem").locator("textarea").fill("Batches B1 and B2 do not cool: compressor does not start.")
        form.get_by_test_id("field-product_model").locator("select").select_option(str(model_id))
        form.get_by_test_id("field-root_cause").locator("textarea").fill("Capacitor film too thin")
        form.get_by_test_id("field-change_kind").locator("select").select_option("supplier")
        form.get_by_test_id("field-change_content").locator("textarea").fill("Second-source capacitors, hot ageing test")
        form.get_by_test_id("field-effective_date").locator("input").fill("2026-03-15")
        page.get_by_test_id("quality-action-save").click()
        action = page.get_by_test_id("quality-action")
        expect(action).to_have_attribute("data-status", "plan")
        page.get_by_test_id("quality-move-do").click()
        expect(action).to_have_attribute("data-status", "do")
        page.get_by_test_id("quality-move-check").click()
        expect(action).to_have_attribute("data-status", "check")
        expect(page.get_by_test_id("check-before-units")).to_have_text("2000")
        expect(page.get_by_test_id("check-after-units")).to_have_text("1000")
        expect(page.get_by_test_id("quality-check-result").locator(".badge.ok")).to_be_visible()
        expect(page.locator('[data-testid="quality-check-chart"] img')).to_be_visible()
        saved = ImprovementAction.objects.get()
        assert saved.check_passed and saved.check_before_faulty == 8 and saved.check_after_faulty == 0
    finally:
        page.context.close()

    phone = new_page(browser, live_server, width=375, height=812)
    try:
        LoginPage(phone).open().sign_in_home("e2e-quality", PASSWORD)
        for path, where in (
            ("/quality/", "overview"),
            (f"/quality/actions/{saved.pk}/", "action"),
            ("/quality/actions/new/", "form"),
        ):
            phone.goto(path)
            assert_fits(phone, where)
    finally:
        phone.context.close()
