"""Every notification is an editable template (issue 16 part 3): staff messages, WeChat and the
customer messages of field service, returns, compensation, appraisal and crisis. The shipped
default of each event renders exactly the text sent before templates existed (zh-Hans and
English), an administrator's edit changes the next message sent (outbox checked), validation
names the field, and a test send goes to the administrator."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role, User
from aftersales.compensation import services as compensation
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.fieldservice import services as fieldservice
from aftersales.notifications.models import Notification, NotificationChannel, WeChatContact
from aftersales.notifications.services import wechat_contact_bind
from aftersales.notifications.template_events import EVENTS, template_languages
from aftersales.notifications.template_services import (
    notification_template_preview,
    notification_template_save,
    notification_template_test_send,
    shipped_texts,
)
from aftersales.notifications.template_text import fill, prepared, template_errors
from aftersales.notifications.text import compose_customer, has_cjk, render
from aftersales.sla.models import SlaClock, SlaMetric
from aftersales.sla.services import sla_check_clock
from aftersales.tickets.services import ticket_assign
from tests.compensation.helpers import agent as compensation_agent
from tests.compensation.helpers import finance, ticket_with
from tests.factories import UserFactory, make_ticket
from tests.fieldservice.helpers import agent, dispatcher, fresh, in_progress_ticket, new_job, technician, window

pytestmark = pytest.mark.django_db

NEW_EVENTS = (
    "fieldservice.job.quote_declined",
    "fieldservice.job.quote_confirmed_again",
    "fieldservice.rescheduled",
    "fieldservice.cancelled",
    "fieldservice.quote",
    "fieldservice.acceptance_code",
    "returns.authorised",
    "returns.received",
    "returns.inspection_failed",
    "returns.inspected",
    "returns.replacement_shipped",
    "returns.completed",
    "returns.cancelled",
    "refund_paid",
    "compensation_cash_issued",
    "compensation_coupon_issued",
    "compensation_free_service_issued",
    "compensation_points_issued",
    "compensation_gift_issued",
    "appraisal.result",
    "crisis.customer_notice",
    "ticket_assigned",
    "ticket_reassigned",
    "ticket_unassigned",
    "plan_approval_requested",
    "plan_approval_refused",
    "sla_warning",
    "sla_breached",
    "sla_escalated",
    "fieldservice.job.new",
    "fieldservice.job.reassigned",
    "fieldservice.job.rescheduled",
    "fieldservice.job.cancelled",
    "fieldservice.job.quote_confirmed",
    "fieldservice.failed",
    "returns.inspection_failed.staff",
    "refund_awaiting_approval",
    "compensation_awaiting_approval",
    "refund_approved",
    "compensation_approved",
    "refund_refused",
    "compensation_refused",
    "parts_low_stock",
    "revisit_escalated",
    "revisit_escalated.wrong_number",
    "crisis.level",
    "crisis.member",
    "crisis.technician",
    "crisis.alert_opened",
)
INTEGER = re.compile(r"%\((\w+)\)d")


def administrator(**kwargs) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, **kwargs)


def shipped_with_samples(text, samples: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    """The old way: the gettext message formatted with the values (integers where it says %d)."""
    numbers = set(INTEGER.findall(str(text)))
    return render(text, {k: int(v) if k in numbers else v for k, v in samples.items()})


def test_every_event_is_registered_once_with_a_label_and_its_channels():
    assert set(NEW_EVENTS) <= set(EVENTS)
    for key in NEW_EVENTS:
        event = EVENTS[key]
        expected = (NotificationChannel.IN_APP,) if event.for_staff else None
        if expected:
            assert event.channels == expected, key
        else:
            assert NotificationChannel.WECHAT in event.channels and NotificationChannel.SMS in event.channels, key
    assert NotificationChannel.WECHAT in EVENTS["ticket_received"].channels


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("key", sorted(EVENTS))
def test_the_default_template_renders_the_old_text_exactly(key: str, language: str):
    """The editor opens on the shipped text written with placeholders; filled with the values it
    gives, character for character, what the gettext message gave (subject and body)."""
    event = EVENTS[key]
    subject, body = shipped_texts(event, language)
    assert template_errors(body, event.all_placeholders) == [], (key, body)
    assert template_errors(subject, event.all_placeholders) == [], (key, subject)
    with translation.override(language):
        samples = event.samples(language)
        values = prepared(samples)
        assert fill(body, values, event.all_placeholders) == shipped_with_samples(event.body, samples)
        assert fill(subject, values, event.all_placeholders) == shipped_with_samples(event.subject, samples)
        if language == "zh-hans" and str(event.body) not in {"%(title)s", "%(reason)s"}:
            assert has_cjk(str(event.body)) and has_cjk(str(event.subject)), key  # translated, no English
            assert has_cjk(str(event.label)), key
        if language == "en":
            assert not has_cjk(str(event.subject) + str(event.body) + str(event.label)), key


def test_a_preview_of_a_staff_message_has_its_link_and_no_greeting():
    preview = notification_template_preview(
        event="sla_breached", channel="in_app", language="zh-hans", subject="超时：{工单号}", body="{工单号}已超时"
    )
    assert not preview.errors
    assert preview.subject == "超时：SH20261122-000001"
    assert preview.text.startswith("SH20261122-000001已超时。\n查看工单：http") and "尊敬的" not in preview.text


def test_validation_names_the_field_for_staff_and_wechat_templates():
    admin = administrator()
    # A staff message has no customer: {客户姓名} is unknown there.
    with pytest.raises(ValidationFailed) as caught:
        notification_template_save(
            actor=admin, event="sla_breached", channel="in_app", language="zh-hans", subject="超时", body="{客户姓名}的工单"
        )
    assert set(caught.value.errors) == {"body"} and "{客户姓名}" in str(caught.value.errors["body"][0])
    with pytest.raises(ValidationFailed) as caught:
        notification_template_save(
            actor=admin, event="sla_breached", channel="in_app", language="en", subject="{ticket.customer}", body="ok"
        )
    assert set(caught.value.errors) == {"subject"}
    with pytest.raises(ValidationFailed) as caught:
        notification_template_save(actor=admin, event="refund_paid", channel="wechat", language="zh-hans", subject="", body=" ")
    assert set(caught.value.errors) == {"body"}
    with pytest.raises(ValidationFailed) as caught:
        notification_template_save(
            actor=admin, event="fieldservice.rescheduled", channel="sms", language="zh-hans", subject="", body="改约到{预约时间"
        )
    assert set(caught.value.errors) == {"body"}


def test_an_edited_sla_breach_message_is_the_next_one_sent():
    admin = administrator()
    handler = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, language="zh-hans")
    ticket = make_ticket()
    ticket = ticket_assign(ticket=ticket, assignee=handler, actor=admin)
    first = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE)
    notification_template_save(
        actor=admin,
        event="sla_breached",
        channel="in_app",
        language="zh-hans",
        subject="【超时】{工单号}",
        body="工单{工单号}的{时限项目}已于{到期时间}到期，请立即处理",
    )
    assert sla_check_clock(clock_id=first.pk, now=first.due_at + dt.timedelta(minutes=30)) == ["breached"]
    sent = Notification.objects.get(template="sla_breached", user=handler)
    assert sent.subject == f"【超时】{ticket.number}"
    assert sent.body.startswith(f"工单{ticket.number}的首次响应") or sent.body.startswith(f"工单{ticket.number}的")
    assert "已于" in sent.body and "到期，请立即处理。" in sent.body
    assert f"/tickets/{ticket.number}/" in sent.body  # the link is still added


def _dispatched(language: str = "zh-hans"):  # type: ignore[no-untyped-def]
    handler, boss, tech = agent(), dispatcher(), technician()
    _ticket, measure = in_progress_ticket(actor=handler)
    job = new_job(handler=handler, measure=measure)
    start, end = window(days=1)
    fieldservice.work_order_dispatch(work_order=job, actor=boss, technician=tech, appointment_start=start, appointment_end=end)
    customer = job.ticket.customer
    customer.language = language
    customer.save(update_fields=["language"])
    return fresh(job), boss, tech


def _reschedule(job, boss):  # type: ignore[no-untyped-def]
    start, end = window(days=2, hour=14)
    fieldservice.work_order_reschedule(
        work_order=fresh(job), actor=boss, appointment_start=start, appointment_end=end, reason="客户改约"
    )


def test_a_visit_reschedule_sms_is_the_old_text_until_an_administrator_edits_it():
    job, boss, tech = _dispatched()
    _reschedule(job, boss)
    default = Notification.objects.get(ticket=job.ticket, template="fieldservice.rescheduled", channel="sms")
    job = fresh(job)
    customer = job.ticket.customer
    name = job.ticket.contact_name or customer.name
    with translation.override("zh-hans"):
        old = compose_customer(
            language="zh-hans",
            name=name,
            body=str(_old_reschedule_text()) % {"number": job.ticket.number, "window": fieldservice_window(job)},
        )
    assert default.body == old  # the shipped default is today's text
    notification_template_save(
        actor=administrator(),
        event="fieldservice.rescheduled",
        channel="sms",
        language="zh-hans",
        subject="",
        body="您的上门服务（{派工单号}）已改到{预约时间}，如有疑问请致电客服",
    )
    _reschedule(job, boss)
    latest = Notification.objects.filter(ticket=job.ticket, template="fieldservice.rescheduled", channel="sms").latest("pk")
    assert (
        latest.body == f"尊敬的{name}：您的上门服务（{job.number}）已改到{fieldservice_window(fresh(job))}，如有疑问请致电客服。"
    )
    # The technician's job message (staff) is unchanged: its own template.
    told = Notification.objects.filter(user=tech, template="fieldservice.job").latest("pk")
    assert told.body.startswith("新的预约时段为") and "请重新接单。" in told.body


def _old_reschedule_text():  # type: ignore[no-untyped-def]
    from django.utils.translation import gettext_lazy as _

    return _("the visit for request %(number)s is now on %(window)s.")


def fieldservice_window(job) -> str:  # type: ignore[no-untyped-def]
    from aftersales.fieldservice.services.common import window_text

    return str(window_text(job))


def _paid_refund():  # type: ignore[no-untyped-def]
    handler = compensation_agent()
    ticket, measure = ticket_with(actor=handler, phone="13900000555")
    refund = compensation.refund_request(
        measure=measure, actor=handler, method="original", price_paid="3000", daily_rate="0.001", fees="50"
    )
    compensation.refund_pay(refund=refund, actor=finance(), payment_reference=f"BANK-{refund.pk}")
    return ticket, refund


def test_an_edited_refund_paid_message_is_the_next_one_sent_and_the_others_keep_the_old_text():
    _ticket, _refund = _paid_refund()
    old = Notification.objects.filter(template="refund_paid", channel="sms").latest("pk")
    refund = _refund
    with translation.override("zh-hans"):
        shipped = render(
            EVENTS["refund_paid"].body,
            {"number": _ticket.number, "amount": f"{refund.amount:.2f}", "method": str(refund.get_method_display())},
        )
    assert old.body.startswith("尊敬的") and shipped in old.body  # the default is today's text
    notification_template_save(
        actor=administrator(),
        event="refund_paid",
        channel="sms",
        language="zh-hans",
        subject="",
        body="退款{金额}元（{单号}）已通过{退款方式}支付，工单{工单号}",
    )
    ticket, refund = _paid_refund()
    sms = Notification.objects.get(ticket_id=ticket.pk, template="refund_paid", channel="sms")
    assert f"退款{refund.amount:.2f}元（{refund.number}）已通过" in sms.body and f"工单{ticket.number}。" in sms.body
    assert sms.body.startswith("尊敬的")
    # Other channels keep the shipped text (only the SMS was edited).
    others = Notification.objects.filter(ticket_id=ticket.pk, template="refund_paid").exclude(channel="sms")
    assert all("已通过" not in n.body for n in others)


def test_a_bound_wechat_account_gets_the_message_and_an_edited_wechat_template():
    job, boss, _tech = _dispatched()
    customer = job.ticket.customer
    wechat_contact_bind(customer=customer, openid="oWx-123456")
    _reschedule(job, boss)
    wechat = Notification.objects.get(ticket=job.ticket, template="fieldservice.rescheduled", channel="wechat")
    sms = Notification.objects.get(ticket=job.ticket, template="fieldservice.rescheduled", channel="sms")
    assert wechat.recipient == "oWx-123456" and wechat.body == sms.body  # the default: the same text as the SMS
    notification_template_save(
        actor=administrator(),
        event="fieldservice.rescheduled",
        channel="wechat",
        language="zh-hans",
        subject="",
        body="【微信提醒】工单{工单号}改约至{预约时间}",
    )
    _reschedule(job, boss)
    latest = Notification.objects.filter(ticket=job.ticket, template="fieldservice.rescheduled", channel="wechat").latest("pk")
    assert f"【微信提醒】工单{job.ticket.number}改约至" in latest.body
    latest_sms = Notification.objects.filter(ticket=job.ticket, template="fieldservice.rescheduled", channel="sms").latest("pk")
    assert "微信提醒" not in latest_sms.body
    # Without consent to be contacted, no WeChat message either.
    customer.consent_contact = False
    customer.save(update_fields=["consent_contact"])
    before = Notification.objects.filter(channel="wechat").count()
    _reschedule(job, boss)
    assert Notification.objects.filter(channel="wechat").count() == before


def test_binding_a_wechat_account_is_validated_and_moves_an_openid():
    customer = make_ticket(phone="13900000777").customer
    with pytest.raises(ValidationFailed) as caught:
        wechat_contact_bind(customer=customer, openid=" ")
    assert caught.value.field == "openid"
    admin = administrator()
    wechat_contact_bind(user=admin, openid="oWx-admin")
    wechat_contact_bind(customer=customer, openid="oWx-admin")  # the account now belongs to the customer
    assert WeChatContact.objects.get(openid="oWx-admin").customer == customer


def test_test_sends_of_staff_and_wechat_templates_go_to_the_administrator():
    admin = administrator(language="zh-hans")
    notification_template_save(
        actor=admin, event="sla_breached", channel="in_app", language="zh-hans", subject="超时{工单号}", body="请处理{工单号}"
    )
    sent = notification_template_test_send(actor=admin, event="sla_breached", channel="in_app", language="zh-hans")
    assert sent.user == admin and sent.recipient == str(admin.pk)
    assert sent.body.startswith("请处理SH20261122-000001。") and "超时SH20261122-000001" in sent.subject
    with pytest.raises(DomainError) as caught:
        notification_template_test_send(actor=admin, event="refund_paid", channel="wechat", language="zh-hans")
    assert caught.value.field == "channel"
    wechat_contact_bind(user=admin, openid="oWx-admin-2")
    sent = notification_template_test_send(actor=admin, event="refund_paid", channel="wechat", language="en")
    assert sent.channel == "wechat" and sent.recipient == "oWx-admin-2"
    assert sent.body.startswith("Dear Zhao Min, we have paid your refund of 199.00 yuan")


def test_the_template_pages_list_staff_and_wechat_templates_and_edit_one():
    admin = administrator()
    client = Client()
    client.force_login(admin)
    with translation.override("zh-hans"):
        page = client.get(reverse("notifications:templates"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("sla_breached", "refund_paid", "fieldservice.rescheduled", "ticket_assigned"):
        assert key in html or str(EVENTS[key].label) in html
    url = reverse("notifications:template_edit", args=("ticket_assigned", "in_app", "zh-hans"))
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"subject": "新工单{工单号}", "body": "{工单标题}，请在{首次响应期限}前联系客户", "expected_state": "0.0"}
    )
    assert response.status_code == 302
    assignee = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, language="zh-hans")
    ticket = make_ticket()
    ticket_assign(ticket=ticket, assignee=assignee, actor=admin)
    told = Notification.objects.get(template="ticket_assigned", user=assignee)
    assert told.subject == f"新工单{ticket.number}"
    assert told.body.startswith(f"{ticket.title}，请在") and "前联系客户。" in told.body
    url = reverse("notifications:template_edit", args=("refund_paid", "wechat", "en"))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("language", template_languages())
def test_the_default_of_every_customer_event_is_composed_like_the_sms(language: str):
    """WeChat, like SMS, is one paragraph: greeting, text, link."""
    for key, event in EVENTS.items():
        if event.for_staff or NotificationChannel.WECHAT not in event.channels:
            continue
        sms = notification_template_preview(
            event=key, channel="sms", language=language, subject="", body=shipped_texts(event, language)[1]
        )
        wechat = notification_template_preview(
            event=key, channel="wechat", language=language, subject="", body=shipped_texts(event, language)[1]
        )
        assert not sms.errors and sms.text == wechat.text, key


def test_intake_tells_a_known_customer_with_a_bound_wechat_account_their_number_by_wechat():
    first = make_ticket(phone="13900000888")
    assert not Notification.objects.filter(ticket_id=first.pk, channel="wechat").exists()  # nothing bound yet
    wechat_contact_bind(customer=first.customer, openid="oWx-known")
    notification_template_save(
        actor=administrator(),
        event="ticket_received",
        channel="wechat",
        language="zh-hans",
        subject="",
        body="已收到您的报修，工单号{工单号}",
    )
    second = make_ticket(phone="13900000888")
    assert second.customer_id == first.customer_id
    wechat = Notification.objects.get(ticket_id=second.pk, channel="wechat")
    assert wechat.recipient == "oWx-known" and f"已收到您的报修，工单号{second.number}。" in wechat.body
