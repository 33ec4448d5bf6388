"""Staff pages on a phone (375×812): the ticket page with its plan, work order, agreement and
attachments, every form its actions panel offers (opened one by one), the ticket list, the
work-order page and its parts — none of them scrolls sideways, for an agent and for a
technician, in Chinese and in English. Long numbers, e-mail addresses, street addresses and
file names wrap; tables stack or scroll inside their own box."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect
from tests.casefile.world import World, lived_ticket
from tests.factories import PASSWORD, TeamFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import in_progress_ticket, new_job, png_bytes, walk_to
from tests.outlets.factories import OutletFactory, accepted_job, last_month, local
from tests.parts.factories import PartFactory, WarehouseFactory
from tests.tickets.media import PDF_BYTES
from tests.tickets.process_helpers import analysed, repair_plan
from tests.travel.factories import advance, claim, paid_advance
from tests.travel.factories import job as trip_job
from tests.travel.trip_factories import days_ago as trip_days_ago
from tests.travel.trip_factories import log, submitted, trip

from aftersales.accounts.models import DataScope, Role, User
from aftersales.outlets.services import settlement_draft
from aftersales.parts import services as parts
from aftersales.parts.models import WarehouseKind
from aftersales.tickets.models import MeasureStatus, PlanMeasure, Ticket
from aftersales.tickets.process import ticket_record_agreement, ticket_resolve, ticket_submit_plan, ticket_update_measure
from aftersales.tickets.services import ticket_add_attachment, ticket_transition
from aftersales.tickets.states import TicketStatus
from aftersales.travel import services
from aftersales.travel.services import reimbursement_draft

from .conftest import new_page
from .pages import LoginPage, TicketProcessPage

pytestmark = pytest.mark.browser

WIDTH = 375
LANGUAGES = ["zh-hans", "en"]
# What sticks out past the right edge, to name in a failure: the innermost such elements.
OVERFLOW_PROBE = """
(width) => {
  const out = [];
  const clipped = (el) => {  // inside a box that scrolls or clips (the phone's nav bar, a table-wrap)
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    if (clipped(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 0.5) {
      const inner = [...el.children].some(c => c.getBoundingClientRect().right > width + 0.5);
      if (!inner) out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`
        + `[${el.getAttribute('data-test-id') || ''}] right=${Math.round(r.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, culprits: out.slice(0, 12)};
}
"""

# Long unbroken strings a real ticket can hold: they must wrap, not widen the page.
LONG_EMAIL = "zhang.wei.household.appliances.customer.service@example-enterprise-holdings.com.cn"
LONG_ADDRESS = "浦东新区张江高科技园区碧波路690号张江微电子港3号楼1201室ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def assert_fits(page: Page, where: str) -> None:
    probe = page.evaluate(OVERFLOW_PROBE, WIDTH)
    assert probe["scrollWidth"] <= WIDTH, f"{where}: the page is {probe['scrollWidth']}px wide: {probe['culprits']}"


def open_every_action(page: Page, number: str, where: str) -> list[str]:
    """Open each form the actions panel offers, one after the other on one load of the page (the
    forms are plain ``<details>``: one opening closes none, so each check sees every form opened
    so far, and a form that widens the page is named by the probe), and check the page's width
    with it open. Returns the actions opened."""
    detail = TicketProcessPage(page).open(number)
    assert_fits(page, f"{where}: the ticket page")
    names = [
        (box.get_attribute("data-test-id") or "").removeprefix("action-") for box in page.locator("#actions details.action").all()
    ]
    for name in names:
        detail.action(name)
        expect(page.get_by_test_id(f"action-{name}").locator("form")).to_be_visible()
        assert_fits(page, f"{where}: action {name}")
    return names


def _phone(browser, live_server, username: str, language: str) -> Page:  # type: ignore[no-untyped-def]
    page = new_page(browser, live_server, width=WIDTH, height=812)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    LoginPage(page).open().sign_in_home(username, PASSWORD)
    return page


def _world() -> World:
    """A ticket in progress with everything its page shows: plan, approval, agreement, work
    order, files (one with a very long name), a long e-mail address and street address."""
    world = lived_ticket(close=False)
    ticket = world.ticket
    Ticket.objects.filter(pk=ticket.pk).update(contact_email=LONG_EMAIL, address=LONG_ADDRESS)
    buffer = io.BytesIO(PDF_BYTES)
    buffer.name = "report.pdf"
    ticket_add_attachment(
        ticket=Ticket.objects.get(pk=ticket.pk),
        actor=world.handler,
        fileobj=buffer,
        filename="质检报告_" + "很长的文件名" * 12 + ".pdf",
    )
    return world


def _offered(handler: User, phone: str) -> Ticket:
    ticket = analysed(make_ticket(actor=handler, phone=phone), handler)
    repair_plan(ticket, handler, amount="120")
    return ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_agents_ticket_pages_fit_a_phone(browser, live_server, transactional_db, language):
    world = _world()
    handler = world.handler
    # Tickets at the other steps, so that every kind of form is opened once.
    fresh = make_ticket(actor=handler, phone="13900001111", email=LONG_EMAIL, address=LONG_ADDRESS)
    verifying = ticket_transition(
        ticket=make_ticket(actor=handler, phone="13900002222"), to_status=TicketStatus.VERIFYING, actor=handler
    )
    planning = analysed(make_ticket(actor=handler, phone="13900003333"), handler)
    awaiting = _offered(handler, "13900004444")
    # Signed by the customer on the portal's screen: the page shows the signature, small.
    signed = _offered(handler, "13900005555")
    ticket_record_agreement(
        ticket=signed, actor=None, accepted=True, document=ContentFile(png_bytes(320, 140, varied=True), name="signature.png")
    )
    measure = PlanMeasure.objects.get(plan__ticket=signed, plan__is_current=True)
    ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE, progress_note="已完成")
    resolved = ticket_resolve(ticket=Ticket.objects.get(pk=signed.pk), actor=handler, summary="已修复。")

    page = _phone(browser, live_server, handler.username, language)
    try:
        opened: set[str] = set()
        for ticket in (world.ticket, fresh, verifying, planning, awaiting, resolved):
            opened.update(open_every_action(page, ticket.number, f"agent ({language}), {ticket.number}"))
        assert {"propose_plan", "record_agreement", "update_measure", "resolve", "classify", "assign", "close"} <= opened

        TicketProcessPage(page).open(resolved.number)
        signature = page.get_by_test_id("agreement-signature")
        expect(signature).to_be_visible()
        # The image is lazy: bring it on screen, wait for it to arrive, and fail if it never decodes (a broken link).
        signature.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=signature.element_handle(), timeout=10_000)
        box = signature.bounding_box()
        assert box is not None and box["width"] <= 160

        page.goto("/tickets/?status=all")
        expect(page.get_by_test_id("ticket-table")).to_be_visible()
        assert_fits(page, f"agent ({language}): the ticket list")
        page.goto(f"/fieldservice/wo/{world.work_order.number}/")
        expect(page.get_by_test_id("work-order")).to_be_visible()
        assert_fits(page, f"agent ({language}): the work-order page")
    finally:
        page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_technicians_pages_fit_a_phone(browser, live_server, transactional_db, language):
    world = _world()
    region = world.ticket.region
    # The technician sees the tickets of their region (and their own jobs' pages).
    User.objects.filter(pk=world.tech.pk).update(data_scope=DataScope.REGION, region=region)
    # A second job of the same technician, on site: the work-order page shows its steps and parts.
    handler = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    ticket, measure = in_progress_ticket(actor=handler, region=region)
    job = walk_to(new_job(handler=handler, measure=measure), "on_site", boss=world.boss, tech=world.tech)
    # Parts for it: one requisition issued to the van (the panel offers to record the part
    # fitted), one still waiting at the warehouse; names as long as real catalogues have.
    keeper = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.REGION, region=region)
    store = WarehouseFactory(
        code="rdc-fit", name="华东区域中心备件库（上海浦东外高桥保税区）", kind=WarehouseKind.REGIONAL, region=region
    )
    board = PartFactory(number="AC-MAINBOARD-INV-2025-000123456", name="变频空调室外机主控板组件（含驱动模块及散热片）")
    pump = PartFactory(number="WM-DRAIN-PUMP-2024-000987654", name="滚筒洗衣机排水泵总成（含过滤器）")
    parts.stock_receive(warehouse=store, lines=[(board, 5), (pump, 5)], actor=keeper)
    issued = parts.requisition_request(work_order=job, warehouse=store, lines=[(board, 1), (pump, 2)], actor=world.tech)
    parts.requisition_issue(requisition=issued, actor=keeper)
    parts.requisition_request(work_order=job, warehouse=store, lines=[(pump, 1)], actor=world.tech, note="备用" * 40)
    # The technician also leads an authorised service outlet: its page and last month's statement
    # (he confirms or disputes it on his phone), names as long as real companies have.
    outlet = OutletFactory(
        name="上海市徐汇区家用电器授权服务网点（漕河泾开发区店）",
        company="上海漕河泾家电安装维修服务有限公司" * 2,
        team=TeamFactory(leader=world.tech),
    )
    User.objects.filter(pk=world.tech.pk).update(team=outlet.team)
    start, _end = last_month()
    accepted_job(outlet=outlet, technician=world.tech, accepted_at=local(start + dt.timedelta(days=3)))
    statement = settlement_draft(outlet=outlet, actor=world.boss, period_start=start).settlement
    assert statement is not None
    # His travel money: a reimbursement drafted (a claim paid, an advance offset), an advance paid
    # and outstanding, one waiting with a long purpose for both jobs, claims approved and submitted.
    payer = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    claim(world.tech, "650.00", decider=payer, work_order=world.work_order)
    paid_advance(world.tech, "800.00", payer=payer, reference="ICBC-20261206-000000123456789")
    drafted = reimbursement_draft(technician=world.tech, actor=payer)
    paid_advance(world.tech, "1500.00", payer=payer)
    claim(world.tech, "260.00", decider=payer, work_order=job)
    claim(world.tech, "1288.88", work_order=job)
    waiting = advance(
        world.tech,
        "12000.00",
        purpose="赴浙江省杭州市余杭区、湖州市德清县及嘉兴市海宁市上门维修燃气热水器和变频空调（含高铁、住宿与市内交通）" * 2,
        work_orders=[world.work_order.number, job.number],
    )

    page = _phone(browser, live_server, world.tech.username, language)
    try:
        for number in (world.ticket.number, ticket.number):
            open_every_action(page, number, f"technician ({language}), {number}")
        for wo in (world.work_order, job):
            page.goto(f"/fieldservice/wo/{wo.number}/")
            expect(page.get_by_test_id("work-order")).to_be_visible()
            assert_fits(page, f"technician ({language}): work order {wo.number}")
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            assert_fits(page, f"technician ({language}): work order {wo.number}, every form open")
        page.goto(f"/parts/work-orders/{job.pk}/")
        expect(page.get_by_test_id("parts-panel")).to_be_visible()
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        assert_fits(page, f"technician ({language}): the job's parts panel, every form open")
        page.goto("/parts/van/")
        assert_fits(page, f"technician ({language}): the van")
        page.goto(f"/outlets/{outlet.code}/")
        expect(page.get_by_test_id("outlet")).to_be_visible()
        assert_fits(page, f"technician ({language}): his outlet's page")
        page.goto(f"/outlets/settlements/{statement.number}/")
        expect(page.get_by_test_id("settlement-confirm")).to_be_visible()
        assert_fits(page, f"technician ({language}): his outlet's statement")
        page.goto("/")
        expect(page.get_by_test_id("today-travel")).to_be_visible()
        assert_fits(page, f"technician ({language}): today, with his travel money")
        page.goto("/travel/mine/")
        expect(page.get_by_test_id("my-outstanding")).to_be_visible()
        assert_fits(page, f"technician ({language}): his travel page")
        for path, mark in (
            (f"/travel/advances/{waiting.number}/", "advance"),
            (f"/travel/reimbursements/{drafted.number}/", "reimbursement"),
        ):
            page.goto(path)
            expect(page.get_by_test_id(mark)).to_be_visible()
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            assert_fits(page, f"technician ({language}): {path}, every form open")
        page.goto("/tickets/")
        expect(page.get_by_test_id("ticket-table")).to_be_visible()
        assert_fits(page, f"technician ({language}): the ticket list")
        expect(page.get_by_test_id("new-intake")).to_have_count(0)
    finally:
        page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_technicians_trip_pages_fit_a_phone(browser, live_server, transactional_db, language):
    """His Today page with his open and returned trips, "My trips" with every "Log today" form
    open, and a trip's page (its log, the reconciliation, every form open): long places, purposes,
    reasons and work-order numbers wrap or scroll in their own box."""
    team = TeamFactory()
    tech = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN, team=team)
    payer = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    job = trip_job(tech)
    long_place = "浙江省杭州市余杭区良渚街道" + "某某工业园区" * 6
    opened = trip(tech, work_orders=[job], purpose="上门维修燃气热水器和变频空调（含高铁、住宿与市内交通）" * 3)
    log(opened, work_order=job, place=long_place, activity="更换压缩机并试机，" * 10)
    log(opened, day=trip_days_ago(1), hours="3", place=long_place)
    returned = submitted(tech, job, hours="9.5")
    services.trip_return(trip=returned, actor=payer, reason="12月5日工时与派工单不符，请核对后重新提交。" * 4)
    page = _phone(browser, live_server, tech.username, language)
    try:
        page.goto("/")
        expect(page.get_by_test_id("today-trip")).to_have_count(2)
        assert_fits(page, f"technician ({language}): today, with his trips")
        page.goto("/travel/trips/mine/")
        expect(page.get_by_test_id("trips-mine")).to_be_visible()
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        assert_fits(page, f"technician ({language}): my trips, every form open")
        for number in (opened.number, returned.number):
            page.goto(f"/travel/trips/{number}/")
            expect(page.get_by_test_id("trip")).to_be_visible()
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            assert_fits(page, f"technician ({language}): trip {number}, every form open")
    finally:
        page.context.close()
