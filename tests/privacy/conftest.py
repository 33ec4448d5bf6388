"""A customer with personal data in every place the product keeps it."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.customers.models import Customer
from aftersales.feedback.models import Survey
from aftersales.mailin.models import InboundMessage, InboundSource
from aftersales.tickets.models import MeasureStatus, PlanMeasure, Ticket
from aftersales.tickets.process import (
    ticket_close,
    ticket_record_agreement,
    ticket_resolve,
    ticket_submit_plan,
    ticket_update_measure,
)
from aftersales.tickets.services.timeline import ticket_add_attachment, ticket_add_customer_message, ticket_add_note
from aftersales.tickets.states import TicketStatus
from tests.factories import CustomerFactory, ProductUnitFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import agent, dispatcher, new_job, png_bytes, technician, walk_to
from tests.tickets.process_helpers import analysed, repair_plan

NAME = "欧阳娜娜"
PHONE = "+8613987654321"
EMAIL = "nana.ouyang@example.com"
STREET = "幸福路88号7栋1201室"
INTERNAL_NOTE = "内部备注：客户情绪激动，回访时注意措辞"
# How the identifiers may be written in free text; none of them may survive an erasure.
SPELLINGS = (NAME, "13987654321", "139 8765 4321", "139-8765-4321", EMAIL, "幸福路88号", "nana.ouyang")


@dataclass
class Person:
    customer: Customer
    user: User
    ticket: Ticket
    handler: User


def _signed_agreement(ticket: Ticket, handler: User) -> Ticket:
    ticket = analysed(ticket, handler)
    repair_plan(ticket, handler)
    ticket = ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)
    ticket_record_agreement(
        ticket=Ticket.objects.get(pk=ticket.pk),
        actor=None,
        accepted=True,
        document=ContentFile(png_bytes(320, 140, varied=True), name="signature.png"),
    )
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def person(db) -> Person:
    user = UserFactory(role=Role.CUSTOMER, username="nana.ouyang", email=EMAIL, first_name="娜娜", last_name="欧阳")
    customer = CustomerFactory(user=user, name=NAME, phone=PHONE, email=EMAIL, notes=f"VIP，{NAME}喜欢上午联系")
    unit = ProductUnitFactory(customer=customer, purchase_proof=ContentFile(png_bytes(), name="invoice.png"))
    handler = agent()
    ticket = make_ticket(
        actor=handler,
        customer_name=NAME,
        phone=PHONE,
        email=EMAIL,
        province="上海市",
        city="上海市",
        district="徐汇区",
        address=STREET,
        serial_number=unit.serial_number,
        description=f"我是{NAME}，热水器不出热水。请打 139 8765 4321 或发邮件到 {EMAIL}。",
    )
    ticket_add_customer_message(ticket=ticket, actor=user, body=f"地址是{STREET}，电话13987654321，谢谢。")
    ticket_add_note(ticket=ticket, actor=handler, body=INTERNAL_NOTE)
    ticket_add_attachment(ticket=ticket, actor=user, fileobj=io.BytesIO(png_bytes()), filename="热水器.png")
    ticket = _signed_agreement(Ticket.objects.get(pk=ticket.pk), handler)
    measure = PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True)
    boss, tech = dispatcher(), technician()
    walk_to(new_job(handler=handler, measure=measure), "done", boss=boss, tech=tech)
    measure = PlanMeasure.objects.get(pk=measure.pk)
    if measure.status != MeasureStatus.DONE:
        ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE, progress_note="已完成")
    ticket = Ticket.objects.get(pk=ticket.pk)
    if ticket.status != TicketStatus.RESOLVED:
        ticket = ticket_resolve(ticket=ticket, actor=handler, summary=f"已为{NAME}更换加热管。")
    Survey.objects.filter(ticket=ticket).update(overall=5, comment=f"师傅很好，{NAME}满意")
    InboundMessage.objects.create(
        sha256="0" * 64,
        message_id="<a1@example.com>",
        mail_from=f"{NAME} <{EMAIL}>",
        sender=EMAIL,
        mail_to="service@example.com",
        subject=f"{NAME}的报修",
        source=InboundSource.IMAP,
        raw=f"From: {EMAIL}\r\n\r\n{STREET}".encode(),
        body_text=f"电话 13987654321，{STREET}",
        ticket=ticket,
        received_at=clock.now(),
    )
    ticket = ticket_close(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)
    return Person(customer=Customer.objects.get(pk=customer.pk), user=user, ticket=ticket, handler=handler)
