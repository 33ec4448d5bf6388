"""One complaint walked through a department's day in a real browser (issue 14): the agent
registers the call, the supervisor assigns it, the agent verifies and plans, the customer signs
the plan on their phone, the job is dispatched and done on the technician's phone with the
customer's signature, the ticket is resolved and closed, and its case file prints.

Every step goes through the pages (only the people, the region table and the customer's unit are
made beforehand), at desktop size for the office and at 375×812 for the technician and the
customer."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from tests.factories import PASSWORD, CustomerFactory, RegionFactory, TeamFactory, UserFactory
from tests.fieldservice.helpers import png_bytes, skill, technician, unit_in_warranty

from aftersales.accounts.models import DataScope, RegionArea, Role
from aftersales.core import clock
from aftersales.customers.models import Address
from aftersales.fieldservice.models import WorkOrder
from aftersales.parties.models import PartyKind
from aftersales.parties.services import party_create
from aftersales.tickets.models import CustomerAgreement, MeasureKind, Ticket

from .conftest import new_page
from .pages import IntakePage, LoginPage, TicketProcessPage

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def _sign_in(page: Page, username: str) -> None:
    LoginPage(page).open().sign_in_home(username, PASSWORD)


def _signed_out(page: Page) -> None:
    """Leave the page first, then drop the cookies. The ticket page loads its panels after it
    (htmx); one of those requests sent without cookies and answered after the next login form
    would set a new CSRF cookie under that form. Leaving the page ends its requests first."""
    page.goto("about:blank")
    page.context.clear_cookies()


def _draw(page: Page, test_id: str) -> None:
    pad = page.get_by_test_id(test_id)
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(box["x"] + 20 + step * 10, box["y"] + box["height"] * (0.7 - 0.4 * ((step % 6) / 6)))
    page.mouse.up()


def _fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_intake_assign_plan_portal_signature_work_order_close_and_case_file(browser, live_server, transactional_db):
    # The department from the register (a live-server test starts with an empty one).
    party_create(actor=None, kind=PartyKind.DEPARTMENT, name="制冷车间", code="dep-cooling")
    east = RegionFactory(code="east", name="华东")
    RegionArea.objects.create(region=east, province="上海", city="")
    team = TeamFactory(name="华东一组", region=east)
    agent = UserFactory(
        username="agent-wang", display_name="王芳", role=Role.AGENT, data_scope=DataScope.TEAM, team=team, region=east
    )
    UserFactory(username="boss-zhou", display_name="周主管", role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=east)
    technician(username="tech-li", display_name="李师傅", skills=[skill("hvac", "制冷维修")], regions=[east])
    customer_user = UserFactory(username="sun.li", role=Role.CUSTOMER)
    customer = CustomerFactory(user=customer_user, phone="+8613700001111", name="孙丽", region=east)
    Address.objects.create(customer=customer, province="上海市", city="上海市", district="徐汇区", detail="漕溪北路88号3栋502室")
    unit = unit_in_warranty()
    unit.customer = customer
    unit.save(update_fields=["customer"])

    office = new_page(browser, live_server)
    # 1. The agent registers the call: the customer is known by the phone, the unit by its serial.
    _sign_in(office, "agent-wang")
    intake = IntakePage(office).open()
    intake.enter_phone("13700001111")
    expect(intake.field("address")).to_have_value("漕溪北路88号3栋502室")  # the address on file, filled
    intake.enter_serial(unit.serial_number)
    intake.field("description").fill("空调不制冷，室外机不转。")
    intake.enter_when(clock.local_today().isoformat())
    number = intake.submit()
    ticket = Ticket.objects.get(number=number)
    assert ticket.region == east  # from the customer's address in 上海
    _signed_out(office)

    # 2. The region's supervisor assigns it to the agent.
    _sign_in(office, "boss-zhou")
    detail = TicketProcessPage(office).open(number)
    detail.perform("assign", {"assignee": str(agent.pk)})
    expect(office.get_by_test_id("detail-handling")).to_contain_text("王芳")
    _signed_out(office)

    # 3. The agent verifies, classifies and plans an on-site repair (in warranty: free).
    _sign_in(office, "agent-wang")
    detail = TicketProcessPage(office).open(number)
    detail.perform("start_verification")
    detail.perform("classify", {"nature": "quality", "severity": "general", "request_type": "repair", "priority": "2"})
    detail.perform("set_responsibility", {"responsibility": "internal", "party": "制冷车间", "cause": "manufacturing"})
    detail.perform("record_verification", {"authentic": "yes", "complete": "yes"})
    plan = detail.action("propose_plan")
    detail.fill(plan, {"diagnosis": "室外风机电容损坏，需上门更换。"})
    detail.fill(
        plan.get_by_test_id("measure-row").first,
        {
            "kind": MeasureKind.ONSITE_REPAIR,
            "owner": str(agent.pk),
            "amount": "0",
            "customer_charge": "0",
            "description": "更换风机电容",
        },
    )
    detail.perform("propose_plan")
    detail.perform("submit_plan")
    expect(office.get_by_test_id("plan")).to_have_attribute("data-plan-status", "awaiting_customer")

    # 4. The customer signs the plan on the phone in the portal.
    phone = new_page(browser, live_server, **PHONE)
    _sign_in(phone, "sun.li")
    phone.goto(f"/portal/tickets/{number}/")
    expect(phone.get_by_test_id("portal-plan")).to_be_visible()
    _fits_the_phone(phone)
    _draw(phone, "portal-signature-pad")
    phone.get_by_test_id("portal-plan-accept").click()
    expect(phone.get_by_test_id("ticket-status")).to_have_text("处理中")
    _fits_the_phone(phone)
    agreement = CustomerAgreement.objects.get(plan__ticket=ticket)
    assert (agreement.decision, agreement.method) == ("accepted", "portal") and agreement.document_sha256

    # 5. The agent orders the job; the supervisor dispatches it; the technician does it on the phone.
    detail.open(number)
    office.get_by_test_id("create-work-order").click()
    form = office.get_by_test_id("work-order-form")
    form.get_by_test_id("skill-hvac").check()
    day = clock.local_today()
    form.get_by_test_id("field-start").fill(f"{day:%Y-%m-%d}T14:00")
    form.get_by_test_id("field-end").fill(f"{day:%Y-%m-%d}T16:00")
    office.get_by_test_id("work-order-submit").click()
    expect(office.get_by_test_id("work-order")).to_have_attribute("data-status", "to_dispatch")
    work_order = WorkOrder.objects.get(ticket=ticket)
    _signed_out(office)

    _sign_in(office, "boss-zhou")
    office.get_by_test_id("nav-dispatch").click()
    job = office.locator(f"[data-test-id=board-job][data-number='{work_order.number}']")
    expect(job.get_by_test_id("suggestion").first).to_have_attribute("data-technician", "tech-li")
    job.get_by_test_id("dispatch-submit").click()
    expect(office.get_by_test_id("board-planned").first).to_contain_text(work_order.number)
    _signed_out(office)

    _signed_out(phone)
    _sign_in(phone, "tech-li")  # lands on today's jobs
    today_job = phone.locator(f"[data-number='{work_order.number}']").first
    expect(today_job).to_be_visible()
    _fits_the_phone(phone)
    phone.goto(f"/fieldservice/wo/{work_order.number}/")
    wo = phone.get_by_test_id("work-order")
    for step, status in (("accept", "accepted"), ("depart", "on_the_way"), ("check-in", "on_site")):
        phone.get_by_test_id(f"step-{step}").click()
        expect(wo).to_have_attribute("data-status", status)
    phone.get_by_test_id("field-diagnosis").fill("风机电容鼓包")
    phone.get_by_test_id("field-work-done").fill("更换风机电容，试机制冷正常")
    phone.get_by_test_id("field-labour-hours").fill("1")
    phone.get_by_test_id("field-travel-km").fill("6")
    phone.get_by_test_id("record-work-submit").click()
    expect(phone.get_by_test_id("field-diagnosis")).to_have_value("风机电容鼓包")
    for kind in ("before", "after"):
        phone.get_by_test_id(f"photo-{kind}").set_input_files(
            {"name": f"{kind}.png", "mimeType": "image/png", "buffer": png_bytes(16, 16, varied=True)}
        )
        phone.get_by_test_id(f"photo-{kind}-submit").click()
        expect(phone.get_by_test_id(f"photo-{kind}-img")).to_have_count(1)
    phone.get_by_test_id("step-check-out").click()
    expect(wo).to_have_attribute("data-status", "done")
    _draw(phone, "signature-pad")
    phone.get_by_test_id("field-signer-name").fill("孙丽")
    phone.get_by_test_id("signature-submit").click()
    expect(wo).to_have_attribute("data-status", "customer_accepted")
    _fits_the_phone(phone)
    phone.context.close()

    # 6. The agent resolves and closes; the closed ticket is read-only and its case file prints.
    _sign_in(office, "agent-wang")
    detail = TicketProcessPage(office).open(number)
    expect(office.get_by_test_id("plan-measure")).to_have_attribute("data-status", "done")
    detail.perform("resolve", {"summary": "已上门更换风机电容，空调制冷正常。"})
    detail.perform("close", {"note": "客户电话确认满意。"})
    expect(detail.status).to_have_text("已关闭")
    expect(office.get_by_test_id("note-form")).to_have_count(0)

    href = office.get_by_test_id("print-case-file").get_attribute("href") or ""
    pdf = office.request.get(href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.body())).pages)
    for expected in (number, "室外风机电容损坏", work_order.number, "客户电话确认满意", "孙"):
        assert expected in text, expected
    office.context.close()
    assert Ticket.objects.get(pk=ticket.pk).closed_at > clock.now() - dt.timedelta(minutes=10)
