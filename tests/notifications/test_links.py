"""Links and text of every message the process sends (docs/notifications.md).

A walk drives each step that tells a customer or a staff member something — intake, assignment,
a request for information, an approval refused and a plan sent, the agreement, the resolution's
survey, a rejection, and a field job from dispatch to the quote confirmed through its link and
the acceptance code — and every queued message is checked: each URL absolute under
AFTERSALES_SITE_URL, each signed link opening the right page (a tampered one: 404), the text in
the recipient's one language with Chinese punctuation right.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import checks, mail
from django.test import Client
from django.urls import reverse, set_script_prefix
from django.utils import translation

from aftersales.core import links
from aftersales.core.links import absolute_url, check_site_url
from aftersales.customers.models import Customer
from aftersales.fieldservice import services as fs
from aftersales.fieldservice.models import WorkOrder
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.services import notification_deliver
from aftersales.notifications.templatetags.notification_text import linkify
from aftersales.notifications.text import clause, compose_customer, compose_staff, greeting, has_cjk, sentence, tidy
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

pytestmark = pytest.mark.django_db

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


@pytest.fixture(autouse=True)
def site(settings):  # type: ignore[no-untyped-def]
    settings.AFTERSALES_SITE_URL = SITE


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


def _analyse_after_information(ticket: Ticket, actor: Any) -> Ticket:
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
    ticket = _analyse_after_information(ticket, handler)
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
    field_ticket = _analyse_after_information(field_ticket, handler)
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


@pytest.fixture
def walk() -> Walk:
    return walk_the_process("zh-hans")


CUSTOMER_TEMPLATES = {
    "ticket_received",
    "ticket_information_requested",
    "ticket_plan_offered",
    "survey",
    "ticket_rejected",
    "fieldservice.appointment",
    "fieldservice.rescheduled",
    "fieldservice.on_the_way",
    "fieldservice.quote",
    "fieldservice.acceptance_code",
    "fieldservice.cancelled",
}
STAFF_TEMPLATES = {
    "ticket_assigned",
    "plan_approval_requested",
    "plan_approval_refused",
    "fieldservice.job",
    "fieldservice.failed",
}
# The messages that ask the customer to act, and the page their link opens.
CUSTOMER_ACTIONS = {
    "ticket_received": "/portal/t/",
    "ticket_information_requested": "/portal/t/",
    "ticket_plan_offered": "/portal/t/",
    "survey": "/feedback/",
    "fieldservice.quote": "/fieldservice/quote/",
}


# --- Every message: absolute links --------------------------------------------------------------


def test_the_walk_sends_every_kind_of_message_and_every_url_in_them_is_absolute_under_the_site_url(walk):
    messages = walk.messages()
    assert {n.template for n in messages} >= CUSTOMER_TEMPLATES | STAFF_TEMPLATES
    assert_absolute(messages)
    for template, page in CUSTOMER_ACTIONS.items():
        for n in (n for n in messages if n.template == template):
            (url,) = urls_in(n)
            assert url.startswith(SITE + page), (template, n.channel, url)
            assert n.body.rstrip().endswith(url) or n.channel == NotificationChannel.EMAIL, n.body  # the link ends the SMS
    # Staff messages link to the ticket page, the technician's to the job.
    for n in (n for n in messages if n.template in STAFF_TEMPLATES):
        (url,) = urls_in(n)
        expected = f"{SITE}/fieldservice/wo/" if n.template == "fieldservice.job" else f"{SITE}/tickets/{n.ticket.number}/"
        assert url.startswith(expected), (n.template, url)


def test_each_customer_action_message_goes_by_sms_email_and_the_portal_inbox_with_the_same_link(walk):
    for template, ticket in (
        ("ticket_received", walk.process),
        ("ticket_information_requested", walk.process),
        ("ticket_plan_offered", walk.process),
        ("survey", walk.process),
        ("fieldservice.quote", walk.field_ticket),
    ):
        notifications = sent(ticket, template)
        channels = {n.channel for n in notifications}
        assert channels == {NotificationChannel.SMS, NotificationChannel.EMAIL} | (
            set() if template == "ticket_received" else {NotificationChannel.IN_APP}
        ), template
        the_link(notifications)


# --- Signed links open the right page -----------------------------------------------------------


def test_the_customers_ticket_links_open_their_ticket_and_a_tampered_one_is_not_found(walk):
    client = Client()
    for template in ("ticket_received", "ticket_information_requested", "ticket_plan_offered"):
        link = the_link(sent(walk.process, template))
        page = client.get(path_of(link))
        assert page.status_code == 200, template
        html = page.content.decode()
        assert f'data-test-id="ticket-number">{walk.process.number}<' in html
        assert walk.field_ticket.number not in html
        assert client.get(tampered(link)).status_code == 404


def test_the_plan_message_opens_the_plan_with_accept_and_decline():
    handler = agent()
    ticket = make_ticket(actor=handler, serial_number=unit_in_warranty().serial_number)
    ticket = ticket_start_verification(ticket=ticket, actor=handler)
    ticket = _analyse_after_information(ticket, handler)
    propose(ticket, handler)
    ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    notifications = sent(ticket, "ticket_plan_offered")
    link = the_link(notifications)
    sms = next(n for n in notifications if n.channel == NotificationChannel.SMS)
    assert "查看并确认处理方案：" + link in sms.body
    html = Client().get(path_of(link)).content.decode()
    assert 'data-test-id="portal-plan-form"' in html and "排水管堵塞" in html


def test_the_survey_link_opens_the_survey_of_that_ticket_and_a_tampered_one_is_not_found(walk):
    link = the_link(sent(walk.process, "survey"))
    client = Client()
    page = client.get(path_of(link))
    assert page.status_code == 200
    assert walk.process.number in page.content.decode()
    assert client.get(tampered(link)).status_code == 404


def test_the_quote_link_opened_the_quote_and_the_technician_was_told_with_a_link_to_the_job(walk):
    link = the_link(sent(walk.field_ticket, "fieldservice.quote"))
    client = Client()
    page = client.get(path_of(link))
    assert page.status_code == 200 and walk.job.number in page.content.decode()
    assert client.get(tampered(link)).status_code == 404
    told = [n for n in sent(walk.field_ticket, "fieldservice.job") if "报价" in n.subject]
    assert [n.user_id for n in told] == [walk.tech.pk]
    (job_link,) = urls_in(told[0])
    assert job_link == f"{SITE}/fieldservice/wo/{walk.job.number}/"
    assert logged_in(walk.tech).get(path_of(job_link)).status_code == 200


def test_staff_links_open_the_ticket_page_for_the_one_who_was_told(walk):
    for template, user in (
        ("ticket_assigned", walk.assignee),
        ("plan_approval_requested", walk.leader),
        ("plan_approval_refused", walk.handler),
    ):
        (n,) = [n for n in sent(walk.process, template) if n.user_id == user.pk]
        (url,) = urls_in(n)
        assert url == f"{SITE}/tickets/{walk.process.number}/"
        client = logged_in(user)
        assert client.get(path_of(url)).status_code == 200, template
        # In the inbox the link is clickable.
        assert f'<a href="{url}"' in client.get(reverse("notifications:inbox")).content.decode()


def test_links_follow_the_site_url_including_a_sub_path(settings):
    settings.AFTERSALES_SITE_URL = "https://example.com/aftersales/"
    assert absolute_url("/portal/t/abc/") == "https://example.com/aftersales/portal/t/abc/"
    # Inside a request under that sub-path reverse() puts the script prefix first: not twice.
    set_script_prefix("/aftersales/")
    try:
        assert absolute_url("/aftersales/portal/t/abc/") == "https://example.com/aftersales/portal/t/abc/"
    finally:
        set_script_prefix("/")
    assert absolute_url("https://other.example/x") == "https://other.example/x"


# --- Text: one language, Chinese punctuation ------------------------------------------------------


def test_chinese_messages_greet_without_a_space_and_never_double_their_full_stops(walk):
    messages = walk.messages()
    for n in messages:
        text = n.subject + n.body
        assert "。。" not in text and "尊敬的 " not in text and "，。" not in text, (n.template, n.body)
        assert not re.search(r"[ \u3000][，。：；！？]", URL.sub("", n.body)), (n.template, n.body)
    for n in (n for n in messages if n.template in CUSTOMER_TEMPLATES):
        assert n.body.startswith(f"尊敬的{CUSTOMER_NAME}："), n.body
        assert "Dear" not in n.body
    offered = next(n for n in sent(walk.process, "ticket_plan_offered") if n.channel == NotificationChannel.SMS)
    # The diagnosis ends with its own "。": the sentence does not add a second one.
    assert f"{clause(DIAGNOSIS)}。请查看方案" in offered.body
    emails = [n for n in messages if n.channel == NotificationChannel.EMAIL]
    assert emails and all(n.body.endswith("售后服务团队") for n in emails)


def test_english_messages_hold_no_chinese_but_the_users_own_words():
    walk = walk_the_process("en")
    messages = walk.messages()
    assert {n.template for n in messages} >= CUSTOMER_TEMPLATES | STAFF_TEMPLATES
    for n in messages:
        assert n.language == "en"
        text = n.subject + "\n" + n.body
        for value in walk.user_data:
            text = text.replace(value, "")
        assert not has_cjk(text), (n.template, n.subject, n.body)
    for n in (n for n in messages if n.template in CUSTOMER_TEMPLATES):
        assert n.body.startswith(f"Dear {CUSTOMER_NAME},"), n.body
    plan_sms = next(n for n in sent(walk.process, "ticket_plan_offered") if n.channel == NotificationChannel.SMS)
    assert plan_sms.body.startswith(f"Dear {CUSTOMER_NAME}, our proposal for request {walk.process.number}: ")
    assert "Review and accept the plan here: " + SITE in plan_sms.body


def test_a_staff_member_reads_the_message_in_their_language_whoever_acted():
    """A Chinese dispatcher dispatches to an English-speaking technician."""
    handler, boss, tech = agent(), dispatcher(language="zh-hans"), technician(language="en")
    ticket = make_ticket(actor=handler, serial_number=unit_in_warranty().serial_number)
    ticket = _analyse_after_information(ticket_start_verification(ticket=ticket, actor=handler), handler)
    propose(ticket, handler)
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    ticket_record_agreement(ticket=ticket, actor=handler, accepted=True, method="phone", agreed_at=ticket.updated_at)
    job = new_job(handler=handler, measure=PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True))
    with translation.override("zh-hans"):  # the dispatcher's page runs in Chinese
        walk_to(job, "dispatched", boss=boss, tech=tech)
    (n,) = Notification.objects.filter(user=tech, template="fieldservice.job")
    assert n.subject == f"New job {job.number}" and n.body.startswith(f"Work order {job.number}, appointment ")
    assert "Open the job: " + SITE in n.body
    assert not has_cjk(n.subject + n.body)


# --- E-mail: text and HTML ----------------------------------------------------------------------


def test_the_plan_email_carries_the_link_in_its_text_and_its_html(walk):
    email = next(n for n in sent(walk.process, "ticket_plan_offered") if n.channel == NotificationChannel.EMAIL)
    link = the_link([email])
    notification_deliver(notification_id=email.pk)
    message = mail.outbox[-1]
    assert message.body == email.body
    assert message.body.startswith(f"尊敬的{CUSTOMER_NAME}：\n\n关于您的服务申请 {walk.process.number}")
    assert f"查看并确认处理方案：\n{link}\n\n售后服务团队" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'<a href="{link}"' in html and '<html lang="zh-hans">' in html


# --- The helpers ----------------------------------------------------------------------------------


def test_greeting_joins_without_a_space_in_chinese_and_with_one_in_english():
    assert greeting("赵敏", language="zh-hans") == "尊敬的赵敏："
    assert greeting("  赵敏 ", language="zh-hans") == "尊敬的赵敏："
    assert greeting("Zhao Min", language="en") == "Dear Zhao Min,"
    assert greeting("", language="zh-hans") == "尊敬的客户："
    assert greeting("", language="en") == "Dear customer,"


def test_sentences_end_with_one_mark_and_user_data_loses_its_own():
    assert clause("排水管堵塞，需上门清理。 ") == "排水管堵塞，需上门清理"
    assert clause("Blocked drain.") == "Blocked drain"
    assert sentence("工单已登记", language="zh-hans") == "工单已登记。"
    assert sentence("工单已登记。", language="zh-hans") == "工单已登记。"
    assert sentence("Registered", language="en") == "Registered."
    assert sentence("Visit failed: 客户不在家", language="en") == "Visit failed: 客户不在家。"
    assert tidy("尊敬的 赵敏：方案如下：清理。。请确认 。", language="zh-hans") == "尊敬的赵敏：方案如下：清理。请确认。"
    assert tidy("Done.. Wait... 1.5.", language="en") == "Done. Wait... 1.5."
    assert tidy("保修期内，。", language="zh-hans") == "保修期内。"


def test_compose_puts_greeting_body_and_link_in_the_right_order_per_language_and_channel():
    link = f"{SITE}/portal/t/abc/"
    assert (
        compose_customer(language="zh-hans", name="赵敏", body="您的方案：清理。。", link=link, link_text="查看并确认处理方案：")
        == f"尊敬的赵敏：您的方案：清理。查看并确认处理方案：{link}"
    )
    assert (
        compose_customer(language="en", name="Zhao Min", body="your plan is ready", link=link, link_text="Review it here:")
        == f"Dear Zhao Min, your plan is ready. Review it here: {link}"
    )
    assert compose_customer(
        language="en", name="Zhao Min", body="your plan is ready", link=link, link_text="Review it here:", email=True
    ) == (f"Dear Zhao Min,\n\nYour plan is ready.\n\nReview it here:\n{link}\n\nYour after-sales service team")
    assert (
        compose_staff(language="zh-hans", body="工单需要审批", link=link, link_text="查看工单：")
        == f"工单需要审批。\n查看工单：{link}"
    )


def test_linkify_makes_urls_after_a_full_width_colon_clickable_and_escapes_the_rest():
    html = str(linkify("查看：https://service.example.cn/portal/t/a:b/。<b>"))
    assert html == (
        '查看：<a href="https://service.example.cn/portal/t/a:b/" rel="noopener noreferrer">'
        "https://service.example.cn/portal/t/a:b/</a>。&lt;b&gt;"
    )


# --- The deploy check -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ["aftersales.E001"]),
        ("service.example.cn", ["aftersales.E002"]),
        ("https://service.example.cn/?x=1", ["aftersales.E002"]),
        ("http://service.example.cn", ["aftersales.W001"]),
        ("https://service.example.cn", []),
        ("https://example.com/aftersales/", []),
    ],
)
def test_check_deploy_refuses_a_missing_or_malformed_site_url_and_warns_about_http(settings, value, expected):
    settings.AFTERSALES_SITE_URL = value
    assert [m.id for m in check_site_url()] == expected
    found = [m.id for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("aftersales.")]
    assert found == expected
    assert [m.id for m in checks.run_checks(include_deployment_checks=False) if m.id.startswith("aftersales.")] == []


def test_without_a_site_url_a_message_keeps_its_path_and_the_gap_is_logged(settings, caplog):
    settings.AFTERSALES_SITE_URL = ""
    links._missing_logged.clear()
    with caplog.at_level("ERROR", logger="aftersales.core.links"):
        assert absolute_url("/portal/t/abc/") == "/portal/t/abc/"
        assert absolute_url("/feedback/xyz/") == "/feedback/xyz/"
    assert [r.getMessage() for r in caplog.records] == [
        "AFTERSALES_SITE_URL is not set: messages carry relative links such as /portal/t/abc/"
    ]


def test_the_development_default_is_the_local_server():
    from aftersales import settings as product_settings

    if os.environ.get("AFTERSALES_SITE_URL"):
        pytest.skip("AFTERSALES_SITE_URL is set in this environment")
    configured, port = product_settings.AFTERSALES_SITE_URL, os.environ.get("PORT") or "8000"
    assert configured == f"http://127.0.0.1:{port}"
