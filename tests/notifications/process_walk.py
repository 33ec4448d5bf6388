"""The process walk the message tests share (tests/notifications/test_links.py, and the demo crawl
in tests/demo/test_one_language.py): each step that tells a customer or a staff member something,
driven through the services, with the helpers that read the messages it queued."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

from aftersales.customers.models import Customer
from aftersales.fieldservice import services as fs
from aftersales.fieldservice.models import WorkOrder
from aftersales.notifications.models import Notification
from aftersales.notifications.text import clause
from aftersales.tickets.choices import Nature, Priority, RequestType, Responsibility, Severity
from aftersales.tickets.models import ApprovalRule, MeasureKind, MeasureStatus, PlanMeasure, Ticket, TicketPlan
from aftersales.tickets.process import (
    MeasureInput,
    ticket_classify,
    ticket_decide_approval,
    ticket_propose_plan,
    ticket_receive_information,
    ticket_record_agreement,
    ticket_record_verification,
    ticket_reject,
    ticket_request_information,
    ticket_resolve,
    ticket_set_responsibility,
    ticket_start_verification,
    ticket_submit_plan,
    ticket_update_measure,
)
from aftersales.tickets.services import ticket_assign
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import (
    dispatcher,
    fresh,
    new_job,
    photo,
    technician,
    unit_in_warranty,
    unit_out_of_warranty,
    walk_to,
    window,
)
from tests.tickets.process_helpers import agent, refreshed, supervisor

SITE = "https://service.example.cn"
URL = re.compile(r"https?://[^\s<>\"'，。、；：！？（）《》]+")
# A path of the site's pages left in a message without its host.
RELATIVE = re.compile(r"(?<![\w.:/])/(?:portal|feedback|fieldservice|tickets|notifications)/")
CUSTOMER_NAME = "赵敏"
DIAGNOSIS = "排水管堵塞，需上门清理。"
MISSING = "购买发票的照片。"
REFUSAL = "补偿金额过高，请重新评估。"
REJECTION = "该产品不是本公司销售的。"
FAILURE = "客户不在家。"
CANCELLATION = "客户改约到下周。"
RESCHEDULING = "技师临时有急单"


def urls_in(notification: Notification) -> list[str]:
    return URL.findall(notification.body)


def assert_absolute(notifications: list[Notification]) -> None:
    assert notifications
    for n in notifications:
        for url in urls_in(n):
            assert url.startswith(SITE + "/"), (n.template, n.body)
        assert not RELATIVE.search(URL.sub("", n.body)), (n.template, n.body)


def the_link(notifications: list[Notification]) -> str:
    """The one link the messages of one step carry (the same in SMS, e-mail and in-app)."""
    links = {url for n in notifications for url in urls_in(n)}
    assert len(links) == 1, [n.body for n in notifications]
    assert all(len(urls_in(n)) == 1 for n in notifications)
    return links.pop()


def path_of(url: str) -> str:
    return urlsplit(url).path


def tampered(url: str) -> str:
    """The link with one character of its signed token changed."""
    path = path_of(url).rstrip("/")
    head, token = path.rsplit("/", 1)
    return f"{head}/{token[:-3]}{'A' if token[-3] != 'A' else 'B'}{token[-2:]}/"


def sent(ticket: Ticket, template: str) -> list[Notification]:
    found = list(Notification.objects.filter(ticket=ticket, template=template).order_by("pk"))
    assert found, f"no {template} message"
    return found


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The walk -----------------------------------------------------------------------------------


@dataclass
class Walk:
    language: str
    handler: Any
    leader: Any
    boss: Any
    tech: Any
    assignee: Any
    customer: Customer
    process: Ticket  # intake → … → resolved, survey sent
    field_ticket: Ticket  # the field job: dispatch → quote confirmed by link → acceptance code
    rejected: Ticket
    job: WorkOrder
    user_data: list[str] = field(default_factory=list)

    def messages(self) -> list[Notification]:
        return list(Notification.objects.order_by("pk"))


def analyse_after_information(ticket: Ticket, actor: Any) -> Ticket:
    ticket = ticket_classify(
        ticket=ticket,
        actor=actor,
        category=None,
        nature=Nature.QUALITY,
        severity=Severity.GENERAL,
        request_type=RequestType.REPAIR,
        priority=Priority.NORMAL,
    )
    ticket = ticket_set_responsibility(
        ticket=ticket, actor=actor, responsibility=Responsibility.INTERNAL, party="生产部", cause="manufacturing"
    )
    return ticket_record_verification(ticket=ticket, actor=actor, authentic=True, complete=True)


def propose(ticket: Ticket, actor: Any, *, kind: str = MeasureKind.ONSITE_REPAIR, amount: str = "0", charge: str = "0") -> None:
    """A plan of one measure (the customer pays ``charge``: a repair out of warranty)."""
    ticket_propose_plan(
        ticket=refreshed(ticket),
        actor=actor,
        diagnosis=DIAGNOSIS,
        measures=[
            MeasureInput(kind=kind, owner=actor, amount=Decimal(amount), customer_charge=Decimal(charge), description="上门维修")
        ],
    )


def walk_the_process(language: str) -> Walk:
    staff = {"language": language}
    handler, leader, assignee = agent(**staff), supervisor(**staff), agent(**staff)
    boss, tech = dispatcher(**staff), technician(**staff)
    customer = CustomerFactory(name=CUSTOMER_NAME, phone="+8613812345678", email="zhao.min@example.com", language=language)
    customer.user = UserFactory(role="customer", language=language)
    customer.save(update_fields=["user"])
    ApprovalRule.objects.create(name="补偿需审批", measure_kind=MeasureKind.COMPENSATION, min_amount=Decimal("0"))

    # Intake → assignment → information asked and received → analysed.
    ticket = make_ticket(
        actor=handler, customer_name=CUSTOMER_NAME, email="zhao.min@example.com", serial_number=unit_in_warranty().serial_number
    )
    ticket = ticket_assign(ticket=ticket, assignee=assignee, actor=handler)
    ticket = ticket_start_verification(ticket=refreshed(ticket), actor=handler)
    ticket = ticket_request_information(ticket=ticket, actor=handler, missing=MISSING)
    ticket = ticket_receive_information(ticket=ticket, actor=handler, note="已收到发票")
    ticket = analyse_after_information(ticket, handler)
    # A compensation needs approval: refused (the planner is told), then a repair plan goes
    # straight to the customer, who agrees by phone; done and resolved → the survey.
    propose(ticket, handler, kind=MeasureKind.COMPENSATION, amount="800")
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    ticket_decide_approval(ticket=ticket, actor=leader, approve=False, comment=REFUSAL)
    propose(ticket, handler)
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    ticket_record_agreement(ticket=ticket, actor=handler, accepted=True, method="phone", agreed_at=ticket.updated_at)
    for measure in TicketPlan.objects.get(ticket=ticket, is_current=True).measures.all():
        ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE, progress_note="已完成")
    process = ticket_resolve(ticket=refreshed(ticket), actor=handler, summary="已上门清理排水管，试机正常。")

    # A request that is rejected.
    rejected = ticket_start_verification(ticket=make_ticket(actor=handler, customer_name=CUSTOMER_NAME), actor=handler)
    rejected = ticket_reject(ticket=rejected, actor=handler, reason=REJECTION)

    # A field job out of warranty: dispatched, rescheduled, on the way, quoted, the quote
    # confirmed through the customer's link, done, acceptance code; one job cancelled, one failed.
    unit = unit_out_of_warranty()
    field_ticket = make_ticket(
        actor=handler, customer_name=CUSTOMER_NAME, serial_number=unit.serial_number, province="上海市", city="上海市"
    )
    field_ticket = ticket_start_verification(ticket=field_ticket, actor=handler)
    field_ticket = analyse_after_information(field_ticket, handler)
    propose(field_ticket, handler, charge="285")
    field_ticket = ticket_submit_plan(ticket=refreshed(field_ticket), actor=handler)
    ticket_record_agreement(ticket=field_ticket, actor=handler, accepted=True, method="phone", agreed_at=field_ticket.updated_at)
    measure = PlanMeasure.objects.get(plan__ticket=field_ticket, plan__is_current=True)
    job = new_job(handler=handler, measure=measure)
    assert job.chargeable, "the job of an out-of-warranty unit is charged"
    walk_to(job, "dispatched", boss=boss, tech=tech)
    start, end = window(days=1, hour=14)
    fs.work_order_reschedule(work_order=fresh(job), actor=boss, appointment_start=start, appointment_end=end, reason=RESCHEDULING)
    fs.work_order_accept(work_order=fresh(job), actor=tech)
    fs.work_order_depart(work_order=fresh(job), actor=tech)
    fs.work_order_check_in(work_order=fresh(job), actor=tech)
    fs.work_order_record_work(
        work_order=fresh(job),
        actor=tech,
        diagnosis="排水泵故障",
        work_done="更换排水泵",
        labour_hours=Decimal("1.5"),
        travel_km=12,
    )
    fs.work_order_add_photo(work_order=fresh(job), actor=tech, kind="before", file=photo())
    fs.work_order_add_photo(work_order=fresh(job), actor=tech, kind="after", file=photo())
    fs.work_order_prepare_quote(work_order=fresh(job), actor=tech, estimated_hours="1.5")
    (quote_link,) = {url for n in sent(field_ticket, "fieldservice.quote") for url in urls_in(n)}
    assert Client().post(path_of(quote_link)).status_code == 302  # the customer confirms through the link
    assert fresh(job).quote_confirmed_via == "portal"
    fs.work_order_check_out(work_order=fresh(job), actor=tech)
    fs.acceptance_code_send(work_order=fresh(job), actor=tech)
    cancelled = new_job(handler=handler, measure=measure)
    walk_to(cancelled, "dispatched", boss=boss, tech=tech)
    fs.work_order_cancel(work_order=fresh(cancelled), actor=boss, reason=CANCELLATION)
    failed = new_job(handler=handler, measure=measure)
    walk_to(failed, "on_the_way", boss=boss, tech=tech)
    fs.work_order_fail(work_order=fresh(failed), actor=tech, reason=FAILURE)

    user_data = [CUSTOMER_NAME, DIAGNOSIS, MISSING, REFUSAL, REJECTION, FAILURE, CANCELLATION, RESCHEDULING, "补偿需审批"]
    user_data += [clause(text) for text in user_data]
    user_data += [str(user) for user in (handler, leader, assignee, boss, tech)]
    user_data += [t.title for t in Ticket.objects.all()] + [t.description for t in Ticket.objects.all()]
    return Walk(
        language=language,
        handler=handler,
        leader=leader,
        boss=boss,
        tech=tech,
        assignee=assignee,
        customer=customer,
        process=refreshed(process),
        field_ticket=refreshed(field_ticket),
        rejected=rejected,
        job=fresh(job),
        user_data=sorted(set(user_data), key=len, reverse=True),
    )
