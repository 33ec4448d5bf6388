"""A ticket lived from intake to close, with every part a case file holds: an approved plan, the
customer's agreement, a work order done and accepted with its charges and parts, notes public and
internal, files public and internal, the SLA clocks and a satisfied survey."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core import clock
from aftersales.feedback.models import Survey
from aftersales.feedback.services import survey_signed_token, survey_submit
from aftersales.fieldservice import services as fs
from aftersales.fieldservice.models import WorkOrder
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import ApprovalRequest, ApprovalRule, MeasureKind, MeasureStatus, PlanMeasure, Ticket
from aftersales.tickets.process import (
    ticket_decide_approval,
    ticket_record_agreement,
    ticket_resolve,
    ticket_submit_plan,
    ticket_update_measure,
)
from aftersales.tickets.services import ticket_add_attachment, ticket_add_note
from tests.factories import RegionFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import new_job, signature_data, technician, unit_in_warranty, walk_to
from tests.tickets.media import PDF_BYTES, png_bytes
from tests.tickets.process_helpers import analysed, repair_plan

INTERNAL_NOTE = "内部备注：主板批次可疑，已报质量部。"
PUBLIC_MESSAGE = "已安排师傅明天上午上门。"


@dataclass
class World:
    ticket: Ticket
    handler: User
    boss: User
    tech: User
    measure: PlanMeasure
    work_order: WorkOrder


def refreshed(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def _file(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def lived_ticket(*, close: bool = True) -> World:
    """The whole process on one ticket; closed by a satisfied survey unless ``close=False``
    (then it stays IN_PROGRESS with the work order accepted and the measure done)."""
    region = RegionFactory()
    handler = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, display_name="李娜")
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, display_name="王主管")
    tech = technician(regions=[region], display_name="刘强")
    ApprovalRule.objects.create(name="上门维修300元以上", measure_kind=MeasureKind.ONSITE_REPAIR, min_amount=Decimal("300"))
    unit = unit_in_warranty()
    ticket = make_ticket(
        actor=handler,
        region=region,
        customer_name="陈静",
        phone="13912345678",
        email="chen.jing@example.com",
        serial_number=unit.serial_number,
        province="上海市",
        city="上海市",
        district="徐汇区",
        address="漕溪北路88号3栋502室",
        description="洗衣机脱水时剧烈晃动，有异响。",
    )
    ticket_add_attachment(ticket=ticket, actor=handler, fileobj=_file(png_bytes(), "故障照片.png"), filename="故障照片.png")
    ticket_add_attachment(
        ticket=ticket, actor=handler, fileobj=_file(PDF_BYTES, "质检报告.pdf"), filename="质检报告.pdf", public=False
    )
    ticket_add_note(ticket=ticket, actor=handler, body=INTERNAL_NOTE)
    ticket = analysed(ticket, handler)
    repair_plan(ticket, handler, amount="500")
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    approval = ApprovalRequest.objects.get(plan__ticket=ticket)
    ticket_decide_approval(ticket=refreshed(ticket), actor=boss, approve=True, comment="同意上门维修。")
    assert approval.pk
    ticket_record_agreement(
        ticket=refreshed(ticket), actor=handler, accepted=True, method="phone", agreed_at=clock.now(), note="客户电话同意。"
    )
    ticket_add_note(ticket=refreshed(ticket), actor=handler, body=PUBLIC_MESSAGE, kind=EventKind.MESSAGE_OUT)
    measure = PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True)
    job = walk_to(new_job(handler=handler, measure=measure), "done", boss=boss, tech=tech)
    fs.work_order_customer_accept(
        work_order=job, actor=tech, method="signature", signer_name="陈静", signature=signature_data(), comment="师傅很专业"
    )
    measure.refresh_from_db()
    if measure.status != MeasureStatus.DONE:
        ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE, progress_note="已修复")
    ticket = refreshed(ticket)
    if close:
        ticket_resolve(ticket=ticket, actor=handler, summary="更换排水泵后试机正常。")
        survey = Survey.objects.get(ticket=ticket)
        survey_submit(
            signed_token=survey_signed_token(survey=survey), overall=5, speed=4, attitude=5, solved=True, comment="很满意"
        )
        ticket = refreshed(ticket)
    return World(
        ticket=ticket, handler=handler, boss=boss, tech=tech, measure=measure, work_order=WorkOrder.objects.get(pk=job.pk)
    )
