"""Notification templates edited by an administrator: the next message uses the active
version (outbox checked), versions and history, validation naming the field, the sandbox,
the preview with SMS length, the test send through the outbox, and who may edit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.notifications.models import Notification, NotificationChannel, NotificationTemplate
from aftersales.notifications.services import notify_ticket_received
from aftersales.notifications.template_events import EVENTS
from aftersales.notifications.template_services import (
    effective_texts,
    notification_template_preview,
    notification_template_reset,
    notification_template_save,
    notification_template_test_send,
    shipped_texts,
)
from aftersales.notifications.template_text import sms_length
from aftersales.tickets.models import Ticket
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db

SMS_URL = ("ticket_received", "sms", "zh-hans")


def administrator(**kwargs) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, **kwargs)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sms_of(ticket) -> Notification:  # type: ignore[no-untyped-def]
    return Notification.objects.get(ticket_id=ticket.pk, template="ticket_received", channel=NotificationChannel.SMS)


def test_an_administrator_changes_the_ticket_received_sms_and_the_next_intake_sends_it():
    before = make_ticket(phone="13900000101", email="a@example.cn")
    shipped_sms = sms_of(before).body
    admin = administrator()
    client = signed_in(admin)
    page = client.get(reverse("notifications:template_edit", args=SMS_URL))
    assert page.status_code == 200
    assert "我们已登记您的服务申请" in page.content.decode()  # the shipped text is what is edited first
    response = client.post(
        reverse("notifications:template_edit", args=SMS_URL),
        {"body": "您的报修已受理，工单号{工单号}，预计{预计完成时间}前处理完毕。", "expected_state": "0.0"},
    )
    assert response.status_code == 302

    ticket = make_ticket(phone="13900000102", email="b@example.cn", customer_name="赵敏")
    sms = sms_of(ticket)
    due = ticket.due_at.astimezone().strftime("%Y-%m-%d") if ticket.due_at else ""
    assert sms.body.startswith(f"尊敬的赵敏：您的报修已受理，工单号{ticket.number}，预计{due}")
    assert "前处理完毕。" in sms.body and "/portal/t/" in sms.body  # greeting and link still added
    assert sms.body != shipped_sms
    # Only the SMS changed: the e-mail still sends the shipped text.
    email = Notification.objects.get(ticket_id=ticket.pk, channel=NotificationChannel.EMAIL)
    assert "我们已登记您的服务申请" in email.body
    assert AuditEvent.objects.filter(action="notifications.template_saved").count() == 1


def test_an_english_template_is_used_for_english_customers_only():
    admin = administrator()
    notification_template_save(
        actor=admin, event="ticket_received", channel="sms", language="en", subject="", body="ticket {ticket_number} is in."
    )
    zh = make_ticket(phone="13900000103")
    assert "我们已登记" in sms_of(zh).body
    en = make_ticket(phone="13900000104", customer_name="Zhao Min")
    Customer.objects.filter(pk=en.customer_id).update(language="en")
    Notification.objects.filter(ticket_id=en.pk).delete()
    notify_ticket_received(ticket=Ticket.objects.select_related("customer").get(pk=en.pk))
    assert sms_of(en).body.startswith(f"Dear Zhao Min, ticket {en.number} is in.")


def test_every_save_is_a_version_and_an_old_one_or_the_shipped_text_can_be_used_again():
    admin = administrator()
    first = notification_template_save(
        actor=admin, event="survey", channel="sms", language="zh-hans", subject="", body="第一版 {工单号}"
    )
    second = notification_template_save(
        actor=admin, event="survey", channel="sms", language="zh-hans", subject="", body="第二版 {工单号}", expected_state="1.1"
    )
    assert (first.version, second.version) == (1, 2)
    assert list(NotificationTemplate.objects.filter(active=True).values_list("version", flat=True)) == [2]
    with pytest.raises(Conflict):
        notification_template_save(
            actor=admin, event="survey", channel="sms", language="zh-hans", subject="", body="过期", expected_state="1.1"
        )
    client = signed_in(admin)
    client.post(reverse("notifications:template_restore", args=["survey", "sms", "zh-hans", 1]), {"expected_state": "2.2"})
    assert effective_texts(actor=admin, event="survey", channel="sms", language="zh-hans")[1:] == ("第一版 {工单号}", 3)
    notification_template_reset(actor=admin, event="survey", channel="sms", language="zh-hans", expected_state="3.3")
    _subject, body, version = effective_texts(actor=admin, event="survey", channel="sms", language="zh-hans")
    assert version is None and body == shipped_texts(EVENTS["survey"], "zh-hans")[1] and "{工单号}" in body
    assert NotificationTemplate.objects.count() == 3  # the history stays


@pytest.mark.parametrize(
    ("channel", "subject", "body", "field"),
    [
        ("sms", "", "您好 {客户电话}", "body"),  # unknown placeholder
        ("sms", "", "   ", "body"),  # empty
        ("sms", "", "您好 {工单号", "body"),  # a brace not closed
        ("sms", "", "{{工单号}}", "body"),  # no template code
        ("sms", "", "{ticket.customer.user.password}", "body"),  # no attribute access
        ("email", "", "正文 {工单号}", "subject"),  # an e-mail needs a subject
        ("email", "{__class__}", "正文", "subject"),
    ],
)
def test_a_template_that_would_not_render_is_refused_naming_the_field(channel, subject, body, field):
    with pytest.raises(ValidationFailed) as refused:
        notification_template_save(
            actor=administrator(), event="ticket_received", channel=channel, language="zh-hans", subject=subject, body=body
        )
    assert field in refused.value.errors and refused.value.code == "template_invalid"
    assert not NotificationTemplate.objects.exists()


def test_the_page_shows_the_error_in_the_readers_language():
    client = signed_in(administrator())
    response = client.post(reverse("notifications:template_edit", args=SMS_URL), {"body": "{客户电话}"})
    assert response.status_code == 200
    assert "未知的占位符" in response.content.decode() and "{客户电话}" in response.content.decode()
    response = client.post(
        reverse("notifications:template_edit", args=SMS_URL),
        {"body": "{phone}"},
        HTTP_ACCEPT_LANGUAGE="en",
        headers={"Cookie": ""},
    )
    assert not NotificationTemplate.objects.exists()


def test_values_are_substituted_once_so_data_cannot_inject_placeholders():
    admin = administrator()
    notification_template_save(
        actor=admin, event="ticket_received", channel="sms", language="zh-hans", subject="", body="{客户姓名}好"
    )
    ticket = make_ticket(phone="13900000105", customer_name="{工单号}")
    assert sms_of(ticket).body.startswith("尊敬的{工单号}：{工单号}好")


def test_sms_length_and_parts():
    assert sms_length("好" * 70).segments == 1
    assert (sms_length("好" * 71).segments, sms_length("好" * 71).per_segment) == (2, 67)
    assert sms_length("好" * 134).segments == 2 and sms_length("好" * 135).segments == 3
    assert (sms_length("a" * 160).segments, sms_length("a" * 160).encoding) == (1, "GSM-7")
    assert sms_length("a" * 161).segments == 2 and sms_length("a" * 306).segments == 2 and sms_length("a" * 307).segments == 3
    assert sms_length("a" * 100 + "é").encoding == "UCS-2"


def test_the_preview_uses_a_sample_ticket_and_counts_the_sms():
    preview = notification_template_preview(
        event="ticket_received", channel="sms", language="zh-hans", subject="", body="工单{工单号}已受理，{客户姓名}请留意。"
    )
    assert preview.text.startswith("尊敬的赵敏：工单SH20261122-000001已受理，赵敏请留意。")
    assert preview.sms is not None and preview.sms.encoding == "UCS-2" and preview.sms.characters == len(preview.text)
    page = signed_in(administrator()).post(
        reverse("notifications:template_preview", args=SMS_URL), {"body": "工单{工单号}已受理"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-test-id="sms-length"' in page.content.decode() and "UCS-2" in page.content.decode()


def test_a_test_send_goes_to_the_administrator_through_the_outbox():
    admin = administrator(email="admin@example.cn")
    sent = notification_template_test_send(actor=admin, event="ticket_plan_offered", channel="email", language="zh-hans")
    assert (sent.recipient, sent.channel, sent.status) == ("admin@example.cn", "email", "pending")
    assert "SH20261122-000001" in sent.body and "排水管堵塞" in sent.body
    response = signed_in(admin).post(reverse("notifications:template_test", args=SMS_URL))
    assert response.status_code == 302
    assert not Notification.objects.filter(channel="sms").exists()  # no phone on the account: refused, nothing queued


def test_only_administrators_edit_notification_templates():
    agent = UserFactory(role=Role.AGENT)
    supervisor = UserFactory(role=Role.SUPERVISOR)
    assert signed_in(agent).get(reverse("notifications:template_edit", args=SMS_URL)).status_code == 403
    assert signed_in(agent).get(reverse("notifications:templates")).status_code == 403
    assert signed_in(supervisor).get(reverse("notifications:template_edit", args=SMS_URL)).status_code == 403
    assert signed_in(supervisor).get(reverse("notifications:templates")).status_code == 302  # to the reply library
    with pytest.raises(PermissionDenied):
        notification_template_save(
            actor=supervisor, event="ticket_received", channel="sms", language="zh-hans", subject="", body="x"
        )
    assert (
        signed_in(administrator()).get(reverse("notifications:template_edit", args=("nope", "sms", "zh-hans"))).status_code == 404
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_template_pages_render_in_both_languages(language):
    client = signed_in(administrator(language=language))
    client.cookies["django_language"] = language
    for url in (
        reverse("notifications:templates"),
        reverse("notifications:template_edit", args=("ticket_plan_offered", "email", language)),
        reverse("notifications:reply_list"),
        reverse("notifications:reply_new"),
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
