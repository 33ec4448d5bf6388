"""The printable case file: Chinese text, every part, page numbers and the number on every page."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from pypdf import PdfReader

from aftersales.accounts.models import DataScope, Role
from aftersales.casefile.pdf import case_file_pdf
from aftersales.casefile.selectors import case_file_for
from aftersales.tickets.models import Attachment, Ticket
from aftersales.tickets.services import ticket_add_note
from tests.api.conftest import customer_user
from tests.factories import UserFactory, make_ticket

from .world import INTERNAL_NOTE, PUBLIC_MESSAGE, lived_ticket

pytestmark = pytest.mark.django_db


def pages_of(pdf: bytes) -> list[str]:
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Without the line breaks a table cell puts into long values (a SHA-256)."""
    return re.sub(r"\s+", "", text)


def test_the_case_file_in_chinese_holds_every_part_of_the_ticket():
    world = lived_ticket()
    with translation.override("zh-hans"):
        pages = pages_of(case_file_pdf(case_file_for(ticket=world.ticket, viewer=world.handler)))
    text = "\n".join(pages)
    number = world.ticket.number
    # A header with the number and "page x of y" on every page.
    assert len(pages) >= 2
    for i, page in enumerate(pages, start=1):
        assert f"案卷 {number}" in page
        assert f"第 {i} 页，共 {len(pages)} 页" in page
    for expected in (
        "洗衣机脱水时剧烈晃动，有异响。",  # description
        "陈静",
        "139 1234 5678",
        "漕溪北路88号3栋502室",
        "处理方案",
        "排水管堵塞，需上门清理。",  # the plan's diagnosis
        "同意上门维修。",  # the approval's comment
        "客户电话同意。",  # the agreement's note
        "服务时限",  # SLA clocks
        world.work_order.number,
        "排水泵故障",  # the visit's diagnosis
        "师傅很专业",  # the customer's acceptance comment
        "满意度评价",
        "很满意",
        "故障照片.png",
        "质检报告.pdf",
        INTERNAL_NOTE,
        PUBLIC_MESSAGE,
        "已归档",
    ):
        assert expected in text, expected
    for attachment in Attachment.objects.filter(ticket=world.ticket):
        assert attachment.sha256 in flat(text)
    for line in world.work_order.charge_lines.all():
        with translation.override("zh-hans"):  # in the reader's language, whoever costed it
            assert flat(line.shown_reason) in flat(text) and flat(line.shown_description) in flat(text)


def test_the_case_file_follows_the_viewers_language():
    world = lived_ticket()
    with translation.override("en"):
        text = "\n".join(pages_of(case_file_pdf(case_file_for(ticket=world.ticket, viewer=world.handler))))
    assert f"Case file {world.ticket.number}" in text and "Page 1 of" in text
    # The interface in English (the timeline's entries are data, kept as written).
    assert "Solution plan" in text and "Customer agreement" in text
    assert f"案卷 {world.ticket.number}" not in text and "第 1 页" not in text and "客户确认" not in text


def test_masked_for_a_role_without_need_and_without_internals_for_the_customer():
    world = lived_ticket()
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    with translation.override("zh-hans"):
        masked = "\n".join(pages_of(case_file_pdf(case_file_for(ticket=world.ticket, viewer=finance))))
        own = "\n".join(pages_of(case_file_pdf(case_file_for(ticket=world.ticket, viewer=customer_user(world.ticket)))))
    assert "139 **** 5678" in masked and "139 1234 5678" not in masked and "漕溪北路88号3栋502室" not in masked
    assert "陈*" in masked and "陈静" not in masked
    assert "139 1234 5678" in own and PUBLIC_MESSAGE in own
    for internal in (INTERNAL_NOTE, "质检报告.pdf", "同意上门维修。", "服务时限"):
        assert internal not in own, internal


def test_long_texts_flow_over_pages():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    ticket = make_ticket(actor=agent, description="空调漏水。" * 1200, title="标题很长" * 50)
    ticket_add_note(ticket=ticket, actor=agent, body=("长备注" * 3000)[:19000] + "\x07结束")
    ticket_add_note(ticket=ticket, actor=agent, body="<b>not markup</b> & 'quotes' 😀")
    ticket = Ticket.objects.get(pk=ticket.pk)
    with translation.override("zh-hans"):
        pages = pages_of(case_file_pdf(case_file_for(ticket=ticket, viewer=agent)))
    assert len(pages) > 5
    for page in pages:  # the header cut to the page's width, the number always in it
        assert f"案卷 {ticket.number} | 标题很长" in page and "…" in page
    text = "\n".join(pages)
    assert "<b>not markup</b> & 'quotes'" in text and "结束" in text
    assert "暂无处理方案。" in text
