"""The two remedy journeys of issue 15, in the browser.

(a) An exchange: the agent requests an appraisal from the ticket page, the appraiser reports and
signs it (the report PDF carries Chinese text), the 三包 engine proposes an exchange on the ticket,
the agent plans an exchange, the supervisor approves, the customer accepts on the portal on a
phone (375×812), the warehouse receives and inspects the return and ships the replacement (the
returns pages), the measure is done and the ticket is resolved.

(b) A refund after two failed repairs: a unit repaired twice before for the same fault, the
engine proposes a return, the refund shows its depreciation formula, the supervisor approves the
plan's refund by its amount, finance pays it with a reference and confirms it, and the measure
is done.

Data that is not what a journey is about (users, stock, earlier repairs, the plan of journey b)
is set up with factories and services.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect
from pypdf import PdfReader
from tests.factories import PASSWORD, UserFactory, make_ticket
from tests.fieldservice.helpers import png_bytes
from tests.remedies.helpers import repaired, ticket_on, unit_sold
from tests.returns.helpers import world
from tests.tickets.process_helpers import analysed

from aftersales.accounts.models import DataScope, Role
from aftersales.appraisal.models import Appraisal
from aftersales.catalog.models import ProductUnit
from aftersales.compensation.models import FulfilmentStatus, Refund
from aftersales.core import clock
from aftersales.parts.models import MovementKind, StockMovement
from aftersales.portal.links import portal_path_for
from aftersales.remedies.models import RemedyDecision
from aftersales.returns.models import ReturnAuthorization, RmaStatus
from aftersales.tickets.models import ApprovalRule, MeasureKind, MeasureStatus, PlanMeasure, Ticket
from aftersales.tickets.process import (
    MeasureInput,
    ticket_propose_plan,
    ticket_record_agreement,
    ticket_submit_plan,
)
from aftersales.tickets.states import TicketStatus

from .conftest import new_page
from .pages import LoginPage, TicketProcessPage
from .test_phone_fit import assert_fits

pytestmark = pytest.mark.browser


def _signed_in(browser, live_server, username: str, *, phone: bool = False):  # type: ignore[no-untyped-def]
    page = new_page(browser, live_server, width=375, height=812) if phone else new_page(browser, live_server)
    LoginPage(page).open().sign_in_home(username, PASSWORD)
    return page


def _sign_on_the_pad(page) -> None:  # type: ignore[no-untyped-def]
    pad = page.get_by_test_id("portal-signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 30, box["y"] + 60)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 30, steps=5)
    page.mouse.move(box["x"] + 220, box["y"] + 80, steps=5)
    page.mouse.up()


def test_exchange_from_appraisal_to_resolved(browser, live_server, transactional_db, tmp_path) -> None:
    w = world(stock=1)
    ProductUnit.objects.filter(pk=w.unit.pk).update(purchase_date=clock.local_today() - dt.timedelta(days=10))
    UserFactory(role=Role.APPRAISER, data_scope=DataScope.ALL, username="walk-appraiser", display_name="孙鉴")
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="walk-boss")
    ApprovalRule.objects.create(
        name="换货需主管审批", measure_kind=MeasureKind.EXCHANGE, min_amount=0, approver_role="supervisor"
    )
    ticket = make_ticket(
        actor=w.agent,
        region=w.region,
        phone="13700005555",
        customer_name="钱芳",
        serial_number=w.unit.serial_number,
        description="新买的空调不制冷",
    )
    ticket = analysed(ticket, w.agent)

    # The agent requests the appraisal from the ticket page (the panel loads after the page).
    agent = _signed_in(browser, live_server, w.agent.username)
    try:
        detail = TicketProcessPage(agent).open(ticket.number)
        panel = agent.get_by_test_id("ticket-appraisals")
        panel.get_by_test_id("appraisal-request-open").click()
        panel.get_by_test_id("field-place").locator("select").select_option("outlet")
        panel.get_by_test_id("field-note").locator("textarea").fill("请鉴定不制冷原因")
        panel.get_by_test_id("appraisal-request-submit").click()
        expect(agent.get_by_test_id("ticket-appraisal")).to_have_attribute("data-status", "requested")
    finally:
        agent.context.close()

    # The appraiser takes it, writes the report and signs; the PDF report is in Chinese.
    appraiser = _signed_in(browser, live_server, "walk-appraiser")
    try:
        appraiser.goto("/appraisal/")
        appraiser.get_by_test_id("queue-unassigned").get_by_test_id("queue-row").locator("a").click()
        appraiser.get_by_test_id("appraisal-take").click()
        expect(appraiser.get_by_test_id("appraisal")).to_have_attribute("data-status", "assigned")
        form = appraiser.get_by_test_id("appraisal-report-form")
        form.get_by_test_id("field-symptom").locator("textarea").fill("压缩机不启动，不制冷")
        form.locator('input[name="test-0-name"]').fill("启动电容容量")
        form.locator('input[name="test-0-reading"]').fill("3 μF")
        form.locator('input[name="test-0-expected"]').fill("35 μF")
        form.get_by_test_id("field-fault_type").locator("select").select_option("performance")
        form.get_by_test_id("field-cause").locator("select").select_option("manufacturing")
        form.get_by_test_id("field-responsibility").locator("select").select_option("internal")
        form.get_by_test_id("field-sanbao_applies").locator("select").select_option("yes")
        appraiser.get_by_test_id("appraisal-save-report").click()
        expect(appraiser.get_by_test_id("appraisal")).to_have_attribute("data-status", "reported")
        appraiser.get_by_test_id("appraisal-sign").click()
        expect(appraiser.get_by_test_id("appraisal")).to_have_attribute("data-status", "signed")
        appraisal = Appraisal.objects.get(ticket=ticket)
        report = appraiser.context.request.get(f"/appraisal/{appraisal.pk}/report.pdf")
        assert report.ok and report.headers["content-type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(report.body())).pages)
        assert "鉴定报告" in text and "性能故障" in text and "启动电容容量" in text
    finally:
        appraiser.context.close()

    # The engine proposes an exchange on the ticket; the agent records it and plans the exchange.
    agent = _signed_in(browser, live_server, w.agent.username)
    try:
        detail = TicketProcessPage(agent).open(ticket.number)
        remedies = agent.get_by_test_id("remedies-panel")
        expect(remedies).to_have_attribute("data-rule", "exchange_period")
        expect(remedies.get_by_test_id("remedy-allowed").locator("li[data-remedy=exchange]")).to_have_count(1)
        expect(remedies.get_by_test_id("remedy-reasons")).to_contain_text("售出第 10 天")
        remedies.get_by_test_id("remedy-choose-open").click()
        remedies.get_by_test_id("field-remedy").locator("input[value=exchange]").check()
        remedies.get_by_test_id("remedy-submit").click()
        expect(agent.get_by_test_id("remedy-saved")).to_be_visible()
        expect(agent.get_by_test_id("remedy-decision")).to_have_attribute("data-chosen", "exchange")

        plan = detail.action("propose_plan")
        expect(plan.get_by_test_id("plan-remedy-proposal")).to_be_visible()
        detail.fill(plan, {"diagnosis": "鉴定为性能故障（启动电容失效），售出 15 日内：换货。"})
        row = plan.get_by_test_id("measure-row").first
        detail.fill(
            row,
            {
                "kind": MeasureKind.EXCHANGE,
                "owner": str(w.agent.pk),
                "amount": "2999",
                "customer_charge": "0",
                "description": "更换同型号新机",
            },
        )
        detail.perform("propose_plan")
        detail.perform("submit_plan")
        expect(agent.get_by_test_id("plan")).to_have_attribute("data-plan-status", "awaiting_approval")
    finally:
        agent.context.close()

    # The supervisor approves the plan.
    supervisor = _signed_in(browser, live_server, boss.username)
    try:
        TicketProcessPage(supervisor).open(ticket.number).perform("decide_approval", button="approve")
        expect(supervisor.get_by_test_id("plan")).to_have_attribute("data-plan-status", "awaiting_customer")
    finally:
        supervisor.context.close()

    # The customer accepts on the portal, on a phone.
    customer = new_page(browser, live_server, width=375, height=812)
    try:
        customer.goto(portal_path_for(Ticket.objects.get(pk=ticket.pk)))
        expect(customer.get_by_test_id("portal-plan-diagnosis")).to_contain_text("换货")
        assert_fits(customer, "portal plan")
        _sign_on_the_pad(customer)
        customer.get_by_test_id("portal-plan-accept").click()
        expect(customer.get_by_test_id("ticket-status")).to_have_text("处理中")
        assert_fits(customer, "portal ticket")
    finally:
        customer.context.close()

    # The agent authorises the return from the ticket's returns panel.
    agent = _signed_in(browser, live_server, w.agent.username)
    try:
        TicketProcessPage(agent).open(ticket.number)
        agent.get_by_test_id("ticket-returns").get_by_test_id("authorise-rma").click()
        form = agent.get_by_test_id("authorise-form")
        form.get_by_test_id("field-warehouse").locator("select").select_option(str(w.warehouse.pk))
        agent.get_by_test_id("authorise-submit").click()
        expect(agent.get_by_test_id("rma-status")).to_have_attribute("data-status", "authorised")
    finally:
        agent.context.close()
    rma = ReturnAuthorization.objects.get(ticket=ticket)

    # The warehouse keeper, on a phone: receives, inspects, ships the replacement, confirms delivery.
    keeper = _signed_in(browser, live_server, w.keeper.username, phone=True)
    try:
        keeper.goto("/returns/")
        keeper.get_by_test_id("rma-card").filter(has_text=rma.number).get_by_test_id("rma-link").click()
        keeper.get_by_test_id("step-receive").get_by_test_id("submit-receive").click()
        expect(keeper.get_by_test_id("rma-status")).to_have_attribute("data-status", "received")
        picture = tmp_path / "退回机.png"
        picture.write_bytes(png_bytes(8, 8))
        step = keeper.get_by_test_id("step-inspect")
        step.get_by_test_id("field-serial").locator("input").fill(w.unit.serial_number)
        step.get_by_test_id("field-accessories_complete").locator("input").check()
        step.get_by_test_id("field-condition").locator("select").select_option("used")
        step.get_by_test_id("field-disposition").locator("select").select_option("refurbished")
        step.get_by_test_id("field-photos").locator("input").set_input_files(str(picture))
        step.get_by_test_id("submit-inspect").click()
        expect(keeper.get_by_test_id("rma-status")).to_have_attribute("data-status", "inspected")
        step = keeper.get_by_test_id("step-ship")
        step.get_by_test_id("field-serial").locator("input").fill("SN-REPLACEMENT-1")
        step.get_by_test_id("field-carrier").locator("input").fill("顺丰速运")
        step.get_by_test_id("field-tracking_number").locator("input").fill("SF2026120601")
        step.get_by_test_id("submit-ship").click()
        expect(keeper.get_by_test_id("rma-replacement")).to_have_text("SN-REPLACEMENT-1")
        keeper.get_by_test_id("step-deliver").get_by_test_id("submit-deliver").click()
        expect(keeper.get_by_test_id("rma-status")).to_have_attribute("data-status", "completed")
        assert_fits(keeper, "returns page")
    finally:
        keeper.context.close()
    assert ReturnAuthorization.objects.get(pk=rma.pk).status == RmaStatus.COMPLETED
    assert StockMovement.objects.filter(reference=rma.number, kind=MovementKind.ISSUE, serial="SN-REPLACEMENT-1").exists()

    # The measure is done: the agent resolves the ticket, on a phone this time (the panels load
    # after the page and fit the screen).
    agent = _signed_in(browser, live_server, w.agent.username, phone=True)
    try:
        detail = TicketProcessPage(agent).open(ticket.number)
        expect(agent.get_by_test_id("plan-measure")).to_have_attribute("data-status", "done")
        expect(agent.get_by_test_id("ticket-appraisal")).to_have_attribute("data-status", "signed")
        expect(agent.get_by_test_id("remedy-decision")).to_have_attribute("data-chosen", "exchange")
        expect(agent.get_by_test_id("ticket-rma")).to_have_attribute("data-status", "completed")
        assert_fits(agent, "ticket page with the remedy panels")
        detail.perform("resolve", {"summary": "已为客户更换同型号新机，旧机退回翻新。"})
        with translation.override("zh-hans"):  # the agent's page is in the default language
            resolved = str(TicketStatus.RESOLVED.label)
        expect(detail.status).to_have_text(resolved)
    finally:
        agent.context.close()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.RESOLVED
    assert PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True).status == MeasureStatus.DONE


def test_refund_after_two_failed_repairs_with_depreciation(browser, live_server, transactional_db) -> None:
    handler = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="walk-agent")
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="walk-boss")
    cashier = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL, username="walk-finance")
    ApprovalRule.objects.create(
        name="退款 1000 元以上需主管审批", measure_kind=MeasureKind.REFUND, min_amount=1000, approver_role="supervisor"
    )
    today = clock.local_today()
    unit = unit_sold(today - dt.timedelta(days=200))
    for back in (120, 60):  # two earlier repairs of the same unit, both finished
        earlier = ticket_on(unit, today - dt.timedelta(days=back), actor=handler)
        repaired(earlier, on=today - dt.timedelta(days=back - 1))
    ticket = analysed(ticket_on(unit, today, actor=handler), handler)

    # The engine proposes a return (or exchange); the agent records a refund less depreciation.
    page = _signed_in(browser, live_server, handler.username)
    try:
        TicketProcessPage(page).open(ticket.number)
        remedies = page.get_by_test_id("remedies-panel")
        expect(remedies).to_have_attribute("data-rule", "repeated_repairs")
        expect(remedies.get_by_test_id("remedy-allowed").locator("li[data-remedy=refund_depreciated]")).to_have_count(1)
        remedies.get_by_test_id("remedy-choose-open").click()
        remedies.get_by_test_id("field-remedy").locator("input[value=refund_depreciated]").check()
        remedies.get_by_test_id("field-price_paid").locator("input").fill("3000")
        remedies.get_by_test_id("remedy-submit").click()
        expect(page.get_by_test_id("remedy-decision")).to_have_attribute("data-chosen", "refund_depreciated")
        decision = RemedyDecision.objects.get(ticket=ticket)
        assert decision.depreciation is not None and decision.depreciation > 0
        assert decision.refund_amount == Decimal("3000") - decision.depreciation
        expect(page.get_by_test_id("remedy-refund")).to_contain_text(f"{decision.refund_amount}")
    finally:
        page.context.close()

    # The plan with the refund measure (its forms are walked in the exchange journey).
    ticket_propose_plan(
        ticket=Ticket.objects.get(pk=ticket.pk),
        actor=handler,
        diagnosis="同一故障两次维修后仍不制冷：退货，扣除折旧后退款。",
        measures=[
            MeasureInput(kind=MeasureKind.REFUND, owner=handler, amount=decision.refund_amount, customer_charge=Decimal("0"))
        ],
    )
    ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)

    # The supervisor approves the refund by its amount (the approval rule), on the ticket page.
    page = _signed_in(browser, live_server, boss.username)
    try:
        detail = TicketProcessPage(page).open(ticket.number)
        expect(page.get_by_test_id("plan")).to_have_attribute("data-plan-status", "awaiting_approval")
        detail.perform("decide_approval", button="approve")
        expect(page.get_by_test_id("plan")).to_have_attribute("data-plan-status", "awaiting_customer")
    finally:
        page.context.close()
    ticket_record_agreement(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=handler, accepted=True, method="phone", agreed_at=clock.now()
    )
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.IN_PROGRESS

    # The agent requests the refund from the ticket page; the form shows the depreciation formula.
    page = _signed_in(browser, live_server, handler.username)
    try:
        TicketProcessPage(page).open(ticket.number)
        page.get_by_test_id("ticket-compensation").get_by_test_id("request-refund").click()
        form = page.get_by_test_id("refund-form")
        price = form.get_by_test_id("field-price_paid")
        if not price.input_value():
            price.fill("3000")
        if not form.get_by_test_id("field-purchased_on").input_value():
            form.get_by_test_id("field-purchased_on").fill(unit.purchase_date.isoformat())
        formula = page.get_by_test_id("refund-formula")
        expect(formula).to_contain_text("×")
        expect(formula.get_by_test_id("refund-formula-amount")).to_be_visible()
        page.get_by_test_id("refund-submit").click()
        # approved with the plan: within the approved amount, no second approval
        expect(page.get_by_test_id("cp-status")).to_have_attribute("data-status", "approved")
        expect(page.get_by_test_id("refund-formula")).to_contain_text("×")
    finally:
        page.context.close()
    refund = Refund.objects.get(ticket=ticket)
    assert refund.depreciation > 0 and refund.amount == refund.price - refund.depreciation - refund.fees
    assert refund.days_used == 200

    # Finance pays it with a reference from the queue, then confirms the payment arrived.
    page = _signed_in(browser, live_server, cashier.username)
    try:
        page.goto("/compensation/")
        page.get_by_test_id("queue-to-pay").get_by_text(refund.number).click()
        page.get_by_test_id("field-payment_reference").fill("ICBC-20261206-0001")
        page.get_by_test_id("step-fulfil").get_by_test_id("fulfil").click()
        expect(page.get_by_test_id("cp-status")).to_have_attribute("data-status", "paid")
        expect(page.get_by_test_id("cp-reference")).to_have_text("ICBC-20261206-0001")
        page.get_by_test_id("step-confirm").get_by_test_id("confirm").click()
        expect(page.get_by_test_id("cp-status")).to_have_attribute("data-status", "done")
    finally:
        page.context.close()
    assert Refund.objects.get(pk=refund.pk).status == FulfilmentStatus.DONE
    assert PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True).status == MeasureStatus.DONE
