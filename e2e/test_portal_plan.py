"""The customer answers a plan from the signed link in their notification, in the browser: one
declines with a reason (the agent plans again), one without a portal account accepts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from tests.factories import UserFactory, make_ticket
from tests.fieldservice.helpers import unit_in_warranty, unit_out_of_warranty
from tests.tickets.process_helpers import analysed

from aftersales.accounts.models import DataScope, Role
from aftersales.portal.links import portal_path_for
from aftersales.tickets.models import CustomerAgreement, MeasureKind, Ticket
from aftersales.tickets.process import MeasureInput, ticket_propose_plan, ticket_submit_plan

from .conftest import new_page

pytestmark = pytest.mark.browser


def _offered(handler, phone: str, *, charge: str = "0") -> Ticket:  # type: ignore[no-untyped-def]
    # A free repair is one the warranty covers; a charged one is out of warranty.
    unit = unit_in_warranty() if Decimal(charge) == 0 else unit_out_of_warranty()
    ticket = analysed(make_ticket(actor=handler, phone=phone, customer_name="孙丽", serial_number=unit.serial_number), handler)
    ticket_propose_plan(
        ticket=ticket,
        actor=handler,
        diagnosis="洗衣机排水泵损坏，已过保修期，需上门更换。",
        measures=[MeasureInput(kind=MeasureKind.ONSITE_REPAIR, amount=Decimal("420"), customer_charge=Decimal(charge))],
    )
    return ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)


def test_the_customer_declines_and_accepts_plans_from_the_signed_link(browser, live_server, transactional_db):
    handler = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    declined = _offered(handler, "13700001111", charge="260")
    accepted = _offered(handler, "13700002222")

    page = new_page(browser, live_server, width=375, height=812)  # customers open the link on a phone
    try:
        page.goto(portal_path_for(declined))
        expect(page.get_by_test_id("portal-plan-diagnosis")).to_contain_text("排水泵")
        expect(page.get_by_test_id("portal-measure-charge")).to_contain_text("260")
        form = page.get_by_test_id("portal-plan-form")
        form.locator("textarea").first.fill("费用太高，想先自己找人看看")
        page.get_by_test_id("portal-plan-decline").click()
        expect(page.get_by_test_id("ticket-status")).to_have_text("方案制定中")
        expect(page.get_by_test_id("portal-plan")).to_have_count(0)

        page.goto(portal_path_for(accepted))
        expect(page.get_by_test_id("portal-measure-free")).to_be_visible()
        pad = page.get_by_test_id("portal-signature-pad")  # accepting is signing, on the screen
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 30, box["y"] + 60)
        page.mouse.down()
        page.mouse.move(box["x"] + 120, box["y"] + 30, steps=5)
        page.mouse.move(box["x"] + 220, box["y"] + 80, steps=5)
        page.mouse.up()
        page.get_by_test_id("portal-plan-accept").click()
        expect(page.get_by_test_id("ticket-status")).to_have_text("处理中")
    finally:
        page.context.close()

    assert Ticket.objects.get(pk=declined.pk).status == "planning"
    decline = CustomerAgreement.objects.get(plan__ticket=declined)
    assert (decline.decision, decline.note) == ("declined", "费用太高，想先自己找人看看")
    signed = CustomerAgreement.objects.get(plan__ticket=accepted)
    assert signed.decision == "accepted" and signed.document_sha256
