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

import pytest
from django.core import checks, mail
from django.test import Client
from django.urls import reverse, set_script_prefix
from django.utils import translation

from aftersales.core import links
from aftersales.core.links import absolute_url, check_site_url
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.services import notification_deliver
from aftersales.notifications.templatetags.notification_text import linkify
from aftersales.notifications.text import clause, compose_customer, compose_staff, greeting, has_cjk, sentence, tidy
from aftersales.tickets.models import PlanMeasure
from aftersales.tickets.process import (
    ticket_record_agreement,
    ticket_start_verification,
    ticket_submit_plan,
)
from tests.factories import make_ticket
from tests.fieldservice.helpers import (
    dispatcher,
    new_job,
    technician,
    unit_in_warranty,
    walk_to,
)
from tests.notifications.process_walk import (
    CUSTOMER_NAME,
    DIAGNOSIS,
    SITE,
    URL,
    Walk,
    analyse_after_information,
    assert_absolute,
    logged_in,
    path_of,
    propose,
    sent,
    tampered,
    the_link,
    urls_in,
    walk_the_process,
)
from tests.tickets.process_helpers import agent, refreshed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):  # type: ignore[no-untyped-def]
    settings.AFTERSALES_SITE_URL = SITE


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
    ticket = analyse_after_information(ticket, handler)
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
    # His inbox links the message to his job only: no link to the ticket page, which he may not open.
    inbox = logged_in(walk.tech).get(reverse("notifications:inbox")).content.decode()
    assert f'href="{job_link}"' in inbox and f"/tickets/{walk.field_ticket.number}/" not in inbox
    assert logged_in(walk.tech).get(f"/tickets/{walk.field_ticket.number}/").status_code == 404


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
    ticket = analyse_after_information(ticket_start_verification(ticket=ticket, actor=handler), handler)
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
