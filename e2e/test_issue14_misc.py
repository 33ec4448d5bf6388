"""Issue 14 in the browser: the plan form's measure rows are added and removed with visible
buttons (desktop and 375 px), the dispatch board's radio buttons sit beside the technicians'
names, and asking for parts from an empty store says so once and leaves no draft behind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import agent, dispatcher, in_progress_ticket, technician, unit_in_warranty
from tests.parts.factories import PartFactory, WarehouseFactory, make_work_order
from tests.tickets.process_helpers import analysed

from aftersales.accounts.models import DataScope, Role
from aftersales.fieldservice import services as fieldservice
from aftersales.parts.models import Requisition, WarehouseKind
from aftersales.tickets.models import MeasureKind, PlanMeasure

from .conftest import new_page
from .pages import LoginPage, TicketProcessPage

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways ({width}px)"


@pytest.mark.parametrize("width", [375, 1280])
def test_measures_are_added_and_removed_with_visible_buttons(browser, live_server, transactional_db, width):
    handler = UserFactory(username="agent-zhou", display_name="周客服", role=Role.AGENT, data_scope=DataScope.ALL)
    ticket = analysed(make_ticket(actor=handler, serial_number=unit_in_warranty().serial_number), handler)
    page = new_page(browser, live_server, width=width, height=900)
    LoginPage(page).open().sign_in("agent-zhou", PASSWORD)
    detail = TicketProcessPage(page).open(ticket.number)
    plan = detail.action("propose_plan")
    expect(plan.get_by_test_id("plan-warranty")).to_have_attribute("data-chargeable", "no")
    rows = plan.get_by_test_id("measure-row")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("remove-measure")).to_be_hidden()  # the last row stays
    add = plan.get_by_test_id("add-measure")
    expect(add).to_be_visible()
    add.click()
    add.click()
    expect(rows).to_have_count(3)
    detail.fill(plan, {"diagnosis": "压缩机继电器故障，遥控器失灵。"})
    for index, (kind, note) in enumerate(
        [(MeasureKind.ONSITE_REPAIR, "更换继电器"), (MeasureKind.INSPECTION, "多余的一行"), (MeasureKind.EXCHANGE, "更换遥控器")]
    ):
        detail.fill(rows.nth(index), {"kind": kind, "owner": str(handler.pk), "description": note})
    rows.nth(1).get_by_test_id("remove-measure").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("[data-measure-number]")).to_have_text("2")
    assert rows.nth(1).locator("select").first.get_attribute("name") == "measures-1-kind"
    assert plan.locator("input[name='measures-TOTAL_FORMS']").input_value() == "2"
    box = plan.get_by_test_id("plan-measures").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, f"the measures overflow at {width}px"
    detail.perform("propose_plan")
    expect(page.get_by_test_id("plan-measure")).to_have_count(2)
    saved = list(PlanMeasure.objects.filter(plan__ticket=ticket).order_by("position"))
    assert [(m.kind, m.description) for m in saved] == [
        (MeasureKind.ONSITE_REPAIR, "更换继电器"),
        (MeasureKind.EXCHANGE, "更换遥控器"),
    ]
    page.context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_dispatch_boards_radio_buttons_sit_beside_the_names(browser, live_server, transactional_db, width):
    region = RegionFactory(name="华东")
    handler = agent(username="agent-wang")
    dispatcher(username="boss-zhao")
    technician(username="tech-li", display_name="李师傅", regions=[region])
    technician(username="tech-sun", display_name="孙师傅", regions=[])
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty(), region=region)
    work_order = fieldservice.work_order_create(measure=measure, actor=handler)
    page = new_page(browser, live_server, width=width, height=900)
    LoginPage(page).open().sign_in("boss-zhao", PASSWORD)
    page.goto("/fieldservice/board/")
    job = page.locator(f"[data-test-id=board-job][data-number='{work_order.number}']")
    suggestions = job.get_by_test_id("suggestion")
    expect(suggestions).to_have_count(2)
    for index in range(2):
        suggestion = suggestions.nth(index)
        radio = suggestion.locator("input[type=radio]").bounding_box()
        name = suggestion.get_by_test_id("suggestion-name").bounding_box()
        assert radio and name
        gap = name["x"] - (radio["x"] + radio["width"])
        assert 0 <= gap <= 16, f"the radio is {gap:.0f}px from the name at {width}px"
        assert radio["width"] <= 24, f"the radio is {radio['width']:.0f}px wide"
        assert abs((radio["y"] + radio["height"] / 2) - (name["y"] + name["height"] / 2)) <= 12
    # A click on the name chooses that technician.
    suggestions.nth(1).get_by_test_id("suggestion-name").click()
    expect(suggestions.nth(1).locator("input[type=radio]")).to_be_checked()
    _no_sideways_scroll(page)
    page.context.close()


def test_parts_from_an_empty_store_are_refused_once_without_a_draft(browser, live_server, phone_page):
    region = RegionFactory(code="east", name="华东")
    tech = UserFactory(username="tech-li", display_name="李师傅", role=Role.TECHNICIAN, region=region)
    empty = WarehouseFactory(code="rdc-east", name="华东备件库", kind=WarehouseKind.REGIONAL, region=region)
    board = PartFactory(number="AC-02", name="电脑板", unit_cost=Decimal("210.00"), unit_price=Decimal("380.00"))
    unit = ProductUnitFactory()
    work_order = make_work_order(ticket=make_ticket(serial_number=unit.serial_number), technician=tech)
    page = phone_page
    LoginPage(page).open().sign_in("tech-li", PASSWORD)
    page.goto(f"/parts/work-orders/{work_order.pk}/")
    panel = page.get_by_test_id("parts-panel")
    panel.get_by_test_id("panel-request-open").click()
    form = panel.get_by_test_id("panel-request")
    form.get_by_test_id("field-warehouse").locator("select").select_option(str(empty.pk))
    form.get_by_test_id("field-part_1").locator("select").select_option(str(board.pk))
    form.get_by_test_id("field-quantity_1").locator("input").fill("2")
    form.get_by_test_id("panel-request-submit").click()
    alert = page.locator("[role=alert]")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("电脑板")
    expect(page.get_by_text("电脑板", exact=False).filter(has=page.locator("[role=alert]"))).to_have_count(0)
    assert page.content().count("库存不足") + page.content().count("Not enough") == 1
    expect(page.get_by_test_id("panel-requisition")).to_have_count(0)
    assert not Requisition.objects.exists()
    _no_sideways_scroll(page)
