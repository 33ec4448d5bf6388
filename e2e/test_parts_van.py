"""Spare parts in the browser: the technician on a phone (375×812) requests parts for a job from
the regional warehouse, the warehouse keeper issues them at a desk, and the technician records
the part fitted and sends the faulty one back — the stock moves and the panel shows it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.parts.factories import PartFactory, WarehouseFactory, make_work_order

from aftersales.accounts.models import DataScope, Role
from aftersales.parts import services
from aftersales.parts.models import FaultyPartReturn, MovementKind, RequisitionStatus, Stock, StockMovement, WarehouseKind

from .conftest import new_page
from .pages import LoginPage

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways ({width}px)"


def test_a_technician_requests_uses_and_returns_parts_on_a_phone(browser, live_server, phone_page):
    region = RegionFactory(code="east", name="华东")
    keeper = UserFactory(username="keeper-zhou", role=Role.WAREHOUSE, data_scope=DataScope.REGION, region=region)
    technician = UserFactory(username="tech-li", display_name="李师傅", role=Role.TECHNICIAN, region=region)
    warehouse = WarehouseFactory(code="rdc-east", name="华东备件库", kind=WarehouseKind.REGIONAL, region=region)
    board = PartFactory(number="AC-02", name="电脑板", unit_cost=Decimal("210.00"), unit_price=Decimal("380.00"))
    services.stock_receive(warehouse=warehouse, lines=[(board, 5)], actor=keeper)
    unit = ProductUnitFactory()
    work_order = make_work_order(ticket=make_ticket(serial_number=unit.serial_number), technician=technician)

    # On the phone: my van → the job's parts → request two boards.
    page = phone_page
    LoginPage(page).open().sign_in("tech-li", PASSWORD)
    page.get_by_test_id("nav-van").click()
    page.get_by_test_id("work-order-parts-link").click()
    panel = page.get_by_test_id("parts-panel")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("panel-use")).to_have_count(0)  # nothing in the van yet
    panel.get_by_test_id("panel-request-open").click()
    request_form = panel.get_by_test_id("panel-request")
    request_form.get_by_test_id("field-warehouse").locator("select").select_option(str(warehouse.pk))
    request_form.get_by_test_id("field-part_1").locator("select").select_option(str(board.pk))
    request_form.get_by_test_id("field-quantity_1").locator("input").fill("2")
    request_form.get_by_test_id("panel-request-submit").click()
    expect(page.get_by_test_id("parts-flash")).to_be_visible()
    expect(page.get_by_test_id("panel-requisition-status")).to_have_count(1)
    _no_sideways_scroll(page)
    requisition = work_order.requisitions.get()
    assert requisition.status == RequisitionStatus.APPROVED
    assert Stock.objects.get(warehouse=warehouse, part=board).reserved == 2

    # At the warehouse desk: the requisition inbox → issue to the van.
    desk = new_page(browser, live_server)
    LoginPage(desk).open().sign_in("keeper-zhou", PASSWORD)
    desk.get_by_test_id("nav-parts").click()
    desk.get_by_test_id("tab-requisitions").click()
    desk.locator(f"[data-test-id=requisition-row][data-number='{requisition.number}']").get_by_test_id("requisition-link").click()
    desk.get_by_test_id("issue").click()
    expect(desk.get_by_test_id("requisition-status")).to_have_class(re.compile(r"\bstatus-issued\b"))
    desk.context.close()

    # Back on the phone: record the board fitted, then return the faulty one.
    page.reload()
    panel = page.get_by_test_id("parts-panel")
    panel.get_by_test_id("panel-use-open").click()
    use_form = panel.get_by_test_id("panel-use")
    use_form.get_by_test_id("field-part_1").locator("select").select_option(str(board.pk))
    use_form.get_by_test_id("field-quantity_1").locator("input").fill("1")
    use_form.get_by_test_id("field-serial_1").locator("input").fill("PCB-NEW-1")
    use_form.get_by_test_id("field-removed_serial_1").locator("input").fill("PCB-OLD-9")
    use_form.get_by_test_id("panel-use-submit").click()
    expect(page.locator("[data-test-id=panel-usage][data-part='AC-02']")).to_be_visible()
    expect(page.locator("[data-test-id=panel-van-row][data-part='AC-02'] [data-test-id=panel-van-qty]")).to_have_text("1")

    page.get_by_test_id("panel-return-open").click()
    return_form = page.get_by_test_id("panel-return-form")
    return_form.get_by_test_id("field-part_1").locator("select").select_option(str(board.pk))
    return_form.get_by_test_id("field-quantity_1").locator("input").fill("1")
    return_form.get_by_test_id("field-faulty_part").locator("select").select_option(str(board.pk))
    return_form.get_by_test_id("field-faulty_serial").locator("input").fill("PCB-OLD-9")
    return_form.get_by_test_id("field-faulty_condition").locator("input").fill("电容鼓包")
    return_form.get_by_test_id("panel-return-submit").click()
    expect(page.get_by_test_id("panel-return")).to_have_count(1)
    _no_sideways_scroll(page)

    consumption = StockMovement.objects.get(kind=MovementKind.CONSUMPTION)
    assert (consumption.quantity, consumption.serial, consumption.product_unit) == (-1, "PCB-NEW-1", unit)
    assert FaultyPartReturn.objects.get().serial == "PCB-OLD-9"
    assert Stock.objects.get(warehouse=warehouse, part=board).on_hand == 3
