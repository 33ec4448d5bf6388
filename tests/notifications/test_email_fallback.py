"""A bounced e-mail that matters falls back to the phone (delivery.delivery_failed,
docs/notifications.md "A message that matters"): e-mail is last in the fallback order, so a bounce
goes to the customer's other address, then SMS, then WeChat — a channel only where the same
message of the ticket did not already go out on it; and no fallback ever goes to an e-mail
address marked bouncing."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.customers.models import Customer
from aftersales.customers.services import customer_email_bounced
from aftersales.notifications.delivery import receipt_record
from aftersales.notifications.models import DeliveryStatus, Notification, NotificationChannel
from aftersales.notifications.receipts import Receipt
from aftersales.notifications.services import notification_deliver, notify_ticket_customer, wechat_contact_bind
from aftersales.tickets.models import Ticket
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

ACCEPTING = "tests.notifications.test_receipts.AcceptingSender"
OWN = "zhang.wei@example.com"
APPOINTMENT = {"work_order": "WO20261122-000001", "technician": "刘强", "window": "11月24日 09:00–12:00"}


@pytest.fixture(autouse=True)
def providers(settings):  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_SENDERS = {"sms": ACCEPTING, "wechat": ACCEPTING}


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("customer").get(pk=ticket.pk)


def send(ticket: Ticket, template: str = "fieldservice.appointment") -> dict[str, Notification]:
    rows = notify_ticket_customer(ticket=fresh(ticket), template=template, params=APPOINTMENT)
    delivered = [notification_deliver(notification_id=row.pk) for row in rows]
    return {row.channel: row for row in delivered if row is not None}


def bounced(row: Notification) -> Notification | None:
    """The e-mail intake read a permanent bounce of ``row`` (mailin hands it over like this)."""
    return receipt_record(
        receipt=Receipt("email", NotificationChannel.EMAIL, row.pk, "", False, "5.1.1", "User unknown", None, row.recipient)
    )


def fallbacks() -> list[Notification]:
    return list(Notification.objects.filter(fallback_for__isnull=False).order_by("pk"))


def test_a_bounced_appointment_goes_by_sms_first_to_a_number_it_did_not_reach():
    ticket = make_ticket(email=OWN, phone="13812345678")
    sent = send(ticket)
    sms = sent[NotificationChannel.SMS]
    # The number on the ticket is out of service: no other number nor address to try yet.
    receipt_record(
        receipt=Receipt("test", NotificationChannel.SMS, sms.pk, sms.provider_ref, False, "MK:0001", "", None, sms.recipient)
    )
    assert fallbacks() == []
    # Since, the customer gave a new number and bound their WeChat account.
    Customer.objects.filter(pk=ticket.customer_id).update(phone="+8613900001111")
    wechat_contact_bind(openid="oWx-zhang-wei", customer=ticket.customer)

    bounced(sent[NotificationChannel.EMAIL])

    [again] = fallbacks()
    assert (again.channel, again.recipient) == (NotificationChannel.SMS, "+8613900001111")
    assert again.fallback_for_id == sent[NotificationChannel.EMAIL].pk
    assert again.params["technician"] == "刘强" and again.params["number"] == ticket.number


def test_a_bounced_appointment_goes_by_wechat_when_the_sms_already_went_out():
    ticket = make_ticket(email=OWN, phone="13812345678")
    sent = send(ticket)
    assert set(sent) == {NotificationChannel.EMAIL, NotificationChannel.SMS}
    wechat_contact_bind(openid="oWx-zhang-wei", customer=ticket.customer)  # bound after the message went out

    bounced(sent[NotificationChannel.EMAIL])

    [again] = fallbacks()
    assert (again.channel, again.recipient) == (NotificationChannel.WECHAT, "oWx-zhang-wei")
    assert again.params["window"] == APPOINTMENT["window"]  # composed from the SMS's values


def test_nothing_goes_again_where_the_same_message_already_went_out():
    ticket = make_ticket(email=OWN, phone="13812345678")
    wechat_contact_bind(openid="oWx-zhang-wei", customer=ticket.customer)
    sent = send(ticket)
    assert set(sent) == {NotificationChannel.EMAIL, NotificationChannel.SMS, NotificationChannel.WECHAT}

    failed = bounced(sent[NotificationChannel.EMAIL])

    assert failed is not None and failed.delivery == DeliveryStatus.FAILED
    assert fallbacks() == []


def test_the_same_message_sent_before_by_sms_counts_as_gone_out():
    """An earlier send of the same message (template and ticket) reached the phone: a later
    e-mail-only send that bounces is not repeated there."""
    ticket = make_ticket(email=OWN, phone="13812345678")
    send(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(contact_phone="")
    Customer.objects.filter(pk=ticket.customer_id).update(phone="")
    later = send(ticket)
    assert set(later) == {NotificationChannel.EMAIL}
    Customer.objects.filter(pk=ticket.customer_id).update(phone="+8613900001111")  # a new number since

    bounced(later[NotificationChannel.EMAIL])

    assert fallbacks() == []


def test_a_message_that_does_not_matter_does_not_fall_back():
    ticket = make_ticket(email=OWN, phone="13812345678")
    sent = send(ticket, template="ticket_received")
    wechat_contact_bind(openid="oWx-zhang-wei", customer=ticket.customer)

    bounced(sent[NotificationChannel.EMAIL])

    assert fallbacks() == []


def test_a_failed_sms_does_not_fall_back_to_an_address_marked_bouncing():
    ticket = make_ticket(email="daughter@example.com", phone="13812345678")
    Customer.objects.filter(pk=ticket.customer_id).update(email=OWN)
    assert customer_email_bounced(
        customer_id=ticket.customer_id, address=OWN, reason="5.1.1", at=dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    )
    sent = send(ticket)
    assert sent[NotificationChannel.EMAIL].recipient == "daughter@example.com"
    sms = sent[NotificationChannel.SMS]

    receipt_record(
        receipt=Receipt("test", NotificationChannel.SMS, sms.pk, sms.provider_ref, False, "UNDELIV", "", None, sms.recipient)
    )

    assert fallbacks() == []  # without the mark: e-mailed again to zhang.wei@example.com
