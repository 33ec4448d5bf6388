"""Field service in the browser: the agent creates a work order from the ticket, the
dispatcher dispatches it from the board, the technician works it on a phone (375×812): accept,
on the way, check in, work, photos before and after, check out, the customer signs on the
screen, and the completion acceptance form is shown."""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, RegionFactory
from tests.fieldservice.helpers import agent, dispatcher, in_progress_ticket, skill, technician, unit_in_warranty

from aftersales.core import clock
from aftersales.fieldservice.models import CompletionAcceptance, WorkOrder
from aftersales.tickets.models import MeasureStatus, PlanMeasure

from .conftest import new_page
from .pages import LoginPage

pytestmark = pytest.mark.browser


def _png(width: int = 8, height: int = 8) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes((x * 30) % 256 for x in range(width)) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    LoginPage(page).open().sign_in(username, PASSWORD)


def test_from_dispatch_to_the_customers_signature_on_a_phone(browser, live_server, phone_page):
    region = RegionFactory(name="华东")
    handler = agent(username="agent-wang", display_name="王客服")
    dispatcher(username="boss-zhao", display_name="赵调度")
    hvac = skill("hvac", "制冷维修")
    technician(username="tech-li", display_name="李师傅", skills=[hvac], regions=[region])
    technician(username="tech-sun", display_name="孙师傅", regions=[])
    ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty(), region=region)
    day = clock.local_today()

    # The agent creates the work order from the ticket page.
    desk = new_page(browser, live_server)
    _sign_in(desk, "agent-wang")
    desk.goto(f"/tickets/{ticket.number}/")
    desk.get_by_test_id("create-work-order").click()
    form = desk.get_by_test_id("work-order-form")
    form.get_by_test_id("skill-hvac").check()
    form.get_by_test_id("field-site-requirements").fill("小区物业需提前登记，携带工作证")
    form.get_by_test_id("field-start").fill(f"{day:%Y-%m-%d}T09:00")
    form.get_by_test_id("field-end").fill(f"{day:%Y-%m-%d}T11:00")
    desk.get_by_test_id("work-order-submit").click()
    work_order = WorkOrder.objects.get(ticket=ticket)
    expect(desk.get_by_test_id("work-order")).to_have_attribute("data-status", "to_dispatch")
    desk.context.close()

    # The dispatcher sees the job on the board; the technician with the skill in the region comes first.
    board = new_page(browser, live_server)
    _sign_in(board, "boss-zhao")
    board.get_by_test_id("nav-dispatch").click()
    job = board.locator(f"[data-test-id=board-job][data-number='{work_order.number}']")
    first = job.get_by_test_id("suggestion").first
    expect(first).to_have_attribute("data-technician", "tech-li")
    expect(first.get_by_test_id("suggestion-reason")).to_contain_text("1/1")
    job.get_by_test_id("dispatch-submit").click()
    expect(board.get_by_test_id("board-planned").first).to_contain_text(work_order.number)
    board.context.close()

    # The technician on the phone.
    page = phone_page
    _sign_in(page, "tech-li")
    page.get_by_test_id("nav-my-jobs").click()
    job = page.locator(f"[data-test-id=my-job][data-number='{work_order.number}']")
    expect(job).to_contain_text("漕溪北路88号3栋502室")  # dispatched to them: the address is shown
    job.get_by_test_id("my-job-link").click()
    wo = page.get_by_test_id("work-order")
    expect(page.get_by_test_id("wo-site-requirements")).to_contain_text("小区物业需提前登记")
    page.get_by_test_id("step-accept").click()
    expect(wo).to_have_attribute("data-status", "accepted")
    page.get_by_test_id("step-depart").click()
    expect(wo).to_have_attribute("data-status", "on_the_way")
    page.get_by_test_id("step-check-in").click()
    expect(wo).to_have_attribute("data-status", "on_site")
    expect(page.get_by_test_id("wo-checked-in")).to_be_visible()

    page.get_by_test_id("field-diagnosis").fill("排水泵叶轮卡死")
    page.get_by_test_id("field-work-done").fill("清理并更换排水泵，试机正常")
    page.get_by_test_id("field-labour-hours").fill("1.5")
    page.get_by_test_id("field-travel-km").fill("8")
    page.get_by_test_id("record-work-submit").click()
    expect(page.get_by_test_id("field-diagnosis")).to_have_value("排水泵叶轮卡死")

    for kind in ("before", "after"):
        page.get_by_test_id(f"photo-{kind}").set_input_files({"name": f"{kind}.png", "mimeType": "image/png", "buffer": _png()})
        page.get_by_test_id(f"photo-{kind}-submit").click()
        expect(page.get_by_test_id(f"photo-{kind}-img")).to_have_count(1)

    page.get_by_test_id("step-check-out").click()
    expect(wo).to_have_attribute("data-status", "done")

    # The customer signs on the screen with the finger (here: the mouse).
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None and box["width"] <= 375
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(box["x"] + 20 + step * 10, box["y"] + box["height"] * (0.7 - 0.4 * ((step % 6) / 6)))
    page.mouse.up()
    page.get_by_test_id("field-signer-name").fill("张伟")
    page.get_by_test_id("signature-submit").click()
    expect(wo).to_have_attribute("data-status", "customer_accepted")

    page.get_by_test_id("acceptance-link").click()
    form = page.get_by_test_id("acceptance-form")
    expect(form).to_contain_text("完工验收单")
    expect(page.get_by_test_id("acceptance-work-done")).to_have_text("清理并更换排水泵，试机正常")
    expect(page.get_by_test_id("acceptance-signer")).to_have_text("张伟")
    expect(page.get_by_test_id("acceptance-signature")).to_be_visible()
    pdf = page.request.get(page.get_by_test_id("acceptance-pdf").get_attribute("href") or "")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    acceptance = CompletionAcceptance.objects.get(work_order=work_order)
    assert acceptance.signature and acceptance.signature_sha256
    assert PlanMeasure.objects.get(pk=measure.pk).status == MeasureStatus.DONE
    assert WorkOrder.objects.get(pk=work_order.pk).checked_out_at > clock.now() - dt.timedelta(minutes=10)
