"""An undelivered message that matters (delivery.delivery_failed): sent again once on the next
address the customer has (another number, WeChat → SMS → e-mail) unless the same send already
went there, the agent told in their inbox in their language, the ticket's timeline told through
the hook, an audit row; messages that do not matter set nothing off."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.core.i18n import rendered
from aftersales.customers.models import Customer
from aftersales.notifications.delivery import receipt_record
from aftersales.notifications.effects import NOTIFICATION_UNDELIVERED
from aftersales.notifications.models import DeliveryStatus, Notification, NotificationChannel
from aftersales.notifications.receipts import Receipt
from aftersales.notifications.services import notification_deliver, notify_ticket_customer, wechat_contact_bind
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db

ACCEPTING = "tests.notifications.test_receipts.AcceptingSender"
APPOINTMENT = {"work_order": "WO20261122-000001", "technician": "刘强", "window": "11月24日 09:00–12:00"}


@pytest.fixture(autouse=True)
def providers(settings):
    settings.NOTIFICATION_SENDERS = {"sms": ACCEPTING, "wechat": ACCEPTING}


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT, language="en")


@pytest.fixture
def ticket(agent):
    return make_ticket(actor=agent, phone="13812345678")


def send_appointment(ticket) -> list[Notification]:
    """The technician's appointment, as field service sends it, accepted by every provider."""
    rows = notify_ticket_customer(ticket=ticket, template="fieldservice.appointment", params=APPOINTMENT)
    return [notification_deliver(notification_id=row.pk) for row in rows]


def undelivered(row: Notification, code: str = "UNDELIV") -> Notification | None:
    channel = NotificationChannel(row.channel)
    return receipt_record(
        receipt=Receipt("test", channel, row.pk, row.provider_ref, False, code, "用户停机", None, row.recipient)
    )


def fallbacks() -> list[Notification]:
    return list(Notification.objects.filter(fallback_for__isnull=False).order_by("pk"))


def inbox_of(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, template="notification_undelivered").order_by("pk"))


def test_an_undelivered_appointment_sms_goes_again_to_the_customers_other_number_once(ticket):
    Customer.objects.filter(pk=ticket.customer_id).update(phone="+8613900001111")  # the ticket's contact was a relative's
    [sms] = [row for row in send_appointment(ticket) if row.channel == NotificationChannel.SMS]
    assert sms.recipient == "+8613812345678"

    undelivered(sms)

    [again] = fallbacks()
    assert (again.channel, again.recipient, again.fallback_for_id) == (NotificationChannel.SMS, "+8613900001111", sms.pk)
    assert (again.body, again.params, again.send_group) == (sms.body, sms.params, sms.send_group)
    # The same report pushed again, and the fallback itself undelivered: nothing more is sent.
    undelivered(sms)
    notification_deliver(notification_id=again.pk)
    again.refresh_from_db()
    undelivered(again, code="EXPIRED")
    assert fallbacks() == [again]


def test_an_undelivered_sms_goes_by_e_mail_when_the_send_did_not_reach_that_address(ticket):
    [sms] = [row for row in send_appointment(ticket) if row.channel == NotificationChannel.SMS]
    assert not Notification.objects.filter(send_group=sms.send_group, channel=NotificationChannel.EMAIL).exists()
    Customer.objects.filter(pk=ticket.customer_id).update(email="zhang.wei@example.com")  # the agent added it since

    undelivered(sms)

    [email] = fallbacks()
    assert (email.channel, email.recipient, email.fallback_for_id) == (NotificationChannel.EMAIL, "zhang.wei@example.com", sms.pk)
    assert "WO20261122-000001" in email.subject  # an e-mail of its own: subject, greeting, sign-off
    assert "刘强" in email.body and "11月24日 09:00–12:00" in email.body


def test_no_second_channel_where_the_send_already_went_and_the_agent_is_asked_to_call(ticket, agent):
    wechat_contact_bind(openid="oAbcdefg123", customer=ticket.customer)
    rows = send_appointment(ticket)
    [wechat] = [row for row in rows if row.channel == NotificationChannel.WECHAT]
    assert {row.channel for row in rows} == {NotificationChannel.SMS, NotificationChannel.WECHAT}

    undelivered(wechat, code="failed:user block")

    assert fallbacks() == []  # the same send's SMS went to the only number
    [notice] = inbox_of(agent)
    assert notice.ticket_id == ticket.pk
    assert notice.subject == f"WeChat to oAbc**** not delivered ({ticket.number})"
    assert notice.body.startswith(
        "WeChat to oAbc**** not delivered: the customer blocked the Official Account's messages. "
        f"The message “Visit appointment” of ticket {ticket.number} did not reach the customer this way; please call them."
    )


def test_the_agent_reads_the_notice_in_their_language_with_the_number_masked(ticket, agent):
    agent.language = "zh-hans"
    agent.save(update_fields=["language"])
    Customer.objects.filter(pk=ticket.customer_id).update(email="zhang.wei@example.com")
    [sms] = [row for row in send_appointment(ticket) if row.channel == NotificationChannel.SMS]

    undelivered(sms)

    [notice] = inbox_of(agent)
    assert "13812345678" not in notice.body and "138****5678" in notice.body
    assert notice.body.startswith("发往 138****5678 的短信（SMS）未送达：号码已停机。")
    page = Client()
    page.force_login(agent)
    response = page.get("/notifications/")
    assert "发往 138****5678 的短信（SMS）未送达：号码已停机" in response.content.decode()


def test_the_tickets_timeline_is_told_through_the_hook_in_each_readers_language(ticket):
    told: list[dict] = []
    [sms] = [row for row in send_appointment(ticket) if row.channel == NotificationChannel.SMS]
    with NOTIFICATION_UNDELIVERED.override(lambda **kwargs: told.append(kwargs)):
        undelivered(sms)
    [call] = told
    assert call["notification"].pk == sms.pk and call["fallback"] is None
    with translation.override("en"):
        assert rendered(call["text"]) == "SMS to 138****5678 not delivered: number out of service."
    with translation.override("zh-hans"):
        assert rendered(call["text"]) == "发往 138****5678 的短信（SMS）未送达：号码已停机。"


def test_the_timeline_names_the_fallback_and_the_audit_row_is_written(ticket):
    told: list[dict] = []
    Customer.objects.filter(pk=ticket.customer_id).update(email="zhang.wei@example.com")
    [sms] = [row for row in send_appointment(ticket) if row.channel == NotificationChannel.SMS]
    with NOTIFICATION_UNDELIVERED.override(lambda **kwargs: told.append(kwargs)):
        undelivered(sms, code="XY:0099")
    with translation.override("en"):
        assert rendered(told[0]["text"]) == (
            "SMS to 138****5678 not delivered: the provider's code XY:0099. Sent again by Email to z***@example.com."
        )
    [audit] = AuditEvent.objects.filter(action="notifications.delivery_failed")
    assert audit.object_id == str(sms.pk)
    assert audit.changes["code"] == "XY:0099" and audit.changes["fallback"] == ["email", "z***@example.com"]


def test_the_timeline_receiver_writes_the_entry_once_the_tickets_app_listens(ticket):
    """Runs once ``aftersales.tickets.receivers.notification_undelivered`` is listed on the hook
    (the lead's change: docs/notifications.md, "Delivery receipts")."""
    if not NOTIFICATION_UNDELIVERED.paths:
        pytest.skip("the tickets app does not listen to notification_undelivered yet")
    from aftersales.tickets.event_text import event_text
    from aftersales.tickets.models import TicketEvent

    [sms] = [row for row in send_appointment(ticket) if row.channel == NotificationChannel.SMS]
    undelivered(sms)
    entries = [e for e in TicketEvent.objects.filter(ticket=ticket).order_by("pk") if "138****5678" in e.body]
    assert len(entries) == 1
    with translation.override("en"):
        assert "SMS to 138****5678 not delivered: number out of service." in event_text(entries[0])


def test_a_message_that_does_not_matter_sets_nothing_off(ticket, agent):
    [received] = Notification.objects.filter(ticket=ticket, template="ticket_received", channel=NotificationChannel.SMS)
    notification_deliver(notification_id=received.pk)
    received.refresh_from_db()
    Customer.objects.filter(pk=ticket.customer_id).update(phone="+8613900001111")

    undelivered(received)

    received.refresh_from_db()
    assert received.delivery == DeliveryStatus.FAILED  # shown on the failed deliveries page
    assert fallbacks() == [] and inbox_of(agent) == []
    assert not AuditEvent.objects.filter(action="notifications.delivery_failed").exists()


def test_a_refusal_at_sending_of_an_appointment_falls_back_too(ticket, agent, settings):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.notifications.test_receipts.RefusingSender"}
    Customer.objects.filter(pk=ticket.customer_id).update(phone="+8613900001111")
    rows = notify_ticket_customer(ticket=ticket, template="fieldservice.appointment", params=APPOINTMENT)
    [sms] = [row for row in rows if row.channel == NotificationChannel.SMS]

    notification_deliver(notification_id=sms.pk)

    [again] = fallbacks()
    assert (again.recipient, again.fallback_for_id) == ("+8613900001111", sms.pk)
    [notice] = inbox_of(agent)
    assert "the number does not exist" in notice.body and "+8613900001111" not in notice.body
