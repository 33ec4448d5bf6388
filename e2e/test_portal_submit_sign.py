"""The customer on a phone (375×812): signs in, submits a request with a photo and gets its number;
later reads the plan (what they pay), signs it with the mouse on the screen and accepts. No
page scrolls sideways."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from tests.factories import PASSWORD, CustomerFactory, UserFactory
from tests.fieldservice.helpers import png_bytes, unit_in_warranty
from tests.tickets.process_helpers import analysed

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.customers.models import Address
from aftersales.tickets.models import Attachment, CustomerAgreement, MeasureKind, Ticket
from aftersales.tickets.process import MeasureInput, ticket_propose_plan, ticket_submit_plan

from .conftest import new_page

pytestmark = pytest.mark.browser

PHONE_WIDTH = 375


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide"


def sign_with_the_mouse(page: Page) -> None:
    pad = page.get_by_test_id("portal-signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + box["width"] * 0.15, y + box["height"] * 0.6)
    page.mouse.down()
    for step in range(1, 13):  # a wavy stroke across the box
        page.mouse.move(x + box["width"] * (0.15 + step * 0.055), y + box["height"] * (0.35 if step % 2 else 0.7), steps=3)
    page.mouse.up()
    expect(pad).to_have_attribute("data-signed", "")


def test_the_customer_submits_a_request_with_a_photo_and_signs_the_plan_on_a_phone(
    browser, live_server, transactional_db, tmp_path
):
    user = UserFactory(role=Role.CUSTOMER, username="sun.li")
    customer = CustomerFactory(user=user, phone="+8613700001111", name="孙丽")
    Address.objects.create(customer=customer, province="上海市", city="上海市", district="徐汇区", detail="漕溪北路88号3栋502室")
    unit = unit_in_warranty()  # registered to the customer
    unit.customer = customer
    unit.save(update_fields=["customer"])
    photo = tmp_path / "leak.png"
    photo.write_bytes(png_bytes(16, 16, varied=True))

    page = new_page(browser, live_server, width=PHONE_WIDTH, height=812)
    try:
        page.goto("/accounts/login/")
        form = page.get_by_test_id("login-form")
        form.get_by_test_id("field-username").locator("input").fill("sun.li")
        form.get_by_test_id("field-password").locator("input").fill(PASSWORD)
        page.get_by_test_id("login-submit").click()
        page.get_by_test_id("portal-new-request").click()

        request_form = page.get_by_test_id("portal-request-form")
        expect(request_form).to_be_visible()
        assert_no_sideways_scroll(page)
        expect(page.get_by_test_id("field-address").locator("input")).to_have_value("漕溪北路88号3栋502室")
        expect(page.get_by_test_id("field-unit").locator("select")).to_have_value(str(unit.pk))
        page.get_by_test_id("field-request_type").get_by_text("投诉").click()
        page.get_by_test_id("field-description").locator("textarea").fill("洗衣机排水时漏水，地板都湿了。")
        page.get_by_test_id("field-occurred_on").locator("input").fill(clock.local_today().isoformat())  # when: required
        page.get_by_test_id("field-photos").locator("input[type=file]").set_input_files(str(photo))
        page.get_by_test_id("field-contact_time").locator("select").select_option("evening")
        page.get_by_test_id("portal-request-submit").click()

        expect(page.get_by_test_id("portal-request-received")).to_be_visible()
        number = page.get_by_test_id("ticket-number").inner_text().strip()
        assert_no_sideways_scroll(page)
        ticket = Ticket.objects.get(number=number)
        assert (ticket.channel, ticket.request_type, ticket.product_unit_id) == ("web", "complaint", unit.pk)
        stored = Attachment.objects.get(ticket=ticket)
        assert (stored.original_name, stored.content_type, stored.public) == ("leak.png", "image/png", True)

        # The department plans: a repair the customer pays for, and an inspection for free.
        handler = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
        ticket = analysed(ticket, handler)
        ticket_propose_plan(
            ticket=ticket,
            actor=handler,
            diagnosis="排水泵密封圈老化，需上门更换。",
            measures=[
                MeasureInput(
                    kind=MeasureKind.ONSITE_REPAIR,
                    description="更换密封圈",
                    amount=Decimal("300"),
                    customer_charge=Decimal("180"),
                ),
                MeasureInput(kind=MeasureKind.INSPECTION, amount=Decimal("40"), customer_charge=Decimal("0")),
            ],
        )
        ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)

        page.get_by_test_id("portal-follow-request").click()
        expect(page.get_by_test_id("portal-plan")).to_be_visible()
        expect(page.get_by_test_id("portal-total-pays")).to_contain_text("180")
        expect(page.get_by_test_id("portal-measure-free")).to_be_visible()
        expect(page.get_by_test_id("portal-timeline")).to_contain_text("处理方案已准备好")
        assert_no_sideways_scroll(page)

        # Accepting without signing is refused on the pad; then the customer signs and accepts.
        page.get_by_test_id("portal-plan-accept").click()
        expect(page.get_by_test_id("error-signature")).to_be_visible()
        assert Ticket.objects.get(pk=ticket.pk).status == "awaiting_customer"
        sign_with_the_mouse(page)
        assert_no_sideways_scroll(page)
        page.get_by_test_id("portal-plan-accept").click()
        expect(page.get_by_test_id("ticket-status")).to_have_text("处理中")
        expect(page.get_by_test_id("portal-timeline")).to_contain_text("您已同意处理方案")
        assert_no_sideways_scroll(page)
    finally:
        page.context.close()

    agreement = CustomerAgreement.objects.get(plan__ticket=ticket)
    assert (agreement.decision, agreement.method, agreement.recorded_by_id) == ("accepted", "portal", user.pk)
    with agreement.document.open("rb") as signed:
        png = signed.read()
    assert png.startswith(b"\x89PNG") and agreement.document_sha256 == hashlib.sha256(png).hexdigest()
