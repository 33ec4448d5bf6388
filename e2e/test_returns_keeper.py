"""The warehouse keeper on a phone (375×812): the list of expected returns, the RMA's page, the
receipt, the inspection with a photo and the replacement shipped — htmx swaps the page body, the
stock and the measure follow, and nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD
from tests.fieldservice.helpers import png_bytes
from tests.returns.helpers import fresh, world

from aftersales.parts.models import MovementKind, StockMovement
from aftersales.returns.models import RmaStatus
from aftersales.tickets.models import MeasureKind, MeasureStatus, PlanMeasure
from e2e.pages import LoginPage

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways ({width}px)"


def test_the_keeper_receives_inspects_and_ships_on_a_phone(phone_page, tmp_path) -> None:
    w = world(stock=1)
    rma = w.authorise(MeasureKind.EXCHANGE)
    page = phone_page
    LoginPage(page).open().sign_in_home(w.keeper.username, PASSWORD)
    page.goto("/returns/")
    card = page.get_by_test_id("rma-card").filter(has_text=rma.number)
    expect(card).to_be_visible()
    _no_sideways_scroll(page)
    card.get_by_test_id("rma-link").click()
    expect(page.get_by_test_id("rma-status")).to_have_attribute("data-status", "authorised")
    _no_sideways_scroll(page)

    page.get_by_test_id("step-receive").get_by_test_id("submit-receive").click()
    expect(page.get_by_test_id("rma-status")).to_have_attribute("data-status", "received")
    expect(page.get_by_test_id("flash")).to_be_visible()

    picture = tmp_path / "开箱.png"
    picture.write_bytes(png_bytes(8, 8))
    step = page.get_by_test_id("step-inspect")
    step.get_by_test_id("field-serial").locator("input").fill(w.unit.serial_number)
    step.get_by_test_id("field-accessories_complete").locator("input").check()
    step.get_by_test_id("field-condition").locator("select").select_option("used")
    step.get_by_test_id("field-disposition").locator("select").select_option("refurbished")
    step.get_by_test_id("field-photos").locator("input").set_input_files(str(picture))
    step.get_by_test_id("submit-inspect").click()
    expect(page.get_by_test_id("rma-status")).to_have_attribute("data-status", "inspected")
    expect(page.get_by_test_id("rma-photos")).to_contain_text("开箱.png")

    step = page.get_by_test_id("step-ship")
    step.get_by_test_id("field-serial").locator("input").fill("NEW-PHONE-1")
    step.get_by_test_id("field-carrier").locator("input").fill("顺丰速运")
    step.get_by_test_id("field-tracking_number").locator("input").fill("SF7788")
    step.get_by_test_id("submit-ship").click()
    expect(page.get_by_test_id("rma-replacement")).to_have_text("NEW-PHONE-1")
    _no_sideways_scroll(page)

    page.get_by_test_id("step-deliver").get_by_test_id("submit-deliver").click()
    expect(page.get_by_test_id("rma-status")).to_have_attribute("data-status", "completed")
    assert fresh(rma).status == RmaStatus.COMPLETED
    assert PlanMeasure.objects.get(pk=rma.measure_id).status == MeasureStatus.DONE
    assert StockMovement.objects.filter(reference=rma.number, kind=MovementKind.ISSUE, serial="NEW-PHONE-1").exists()
