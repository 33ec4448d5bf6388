"""An e-mail to the customer keeps the message's values (``Notification.params``) as the SMS and
WeChat rows do: a bounced e-mail whose send had no SMS or WeChat row is composed again from them
for SMS (docs/notifications.md, "A message that matters"). Once erased, the values go with the
customer's other personal data."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail

from aftersales.customers.models import Customer
from aftersales.notifications.delivery import receipt_record
from aftersales.notifications.models import DeliveryStatus, Notification, NotificationChannel
from aftersales.notifications.receipts import Receipt
from aftersales.notifications.services import notification_deliver, notify_ticket_customer
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

CUSTOMER = "zhang.wei@example.com"
PHONE = "+8613800138000"
APPOINTMENT = {"work_order": "WO20261122-000001", "technician": "刘强", "window": "11月24日 09:00–12:00"}


@pytest.fixture(autouse=True)
def providers(settings):  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_SENDERS = {
        "sms": "tests.notifications.test_receipts.AcceptingSender",
        "wechat": "tests.notifications.test_receipts.AcceptingSender",
    }


def _bounced(row: Notification) -> None:
    receipt_record(
        receipt=Receipt("email", NotificationChannel.EMAIL, row.pk, "", False, "5.1.1", "User unknown", None, row.recipient)
    )


def test_the_email_row_keeps_the_same_values_as_the_sms_row():
    ticket = make_ticket(email=CUSTOMER, phone=PHONE)
    rows = notify_ticket_customer(ticket=ticket, template="fieldservice.appointment", params=APPOINTMENT)
    by_channel = {row.channel: row for row in rows}
    email, sms = by_channel[NotificationChannel.EMAIL], by_channel[NotificationChannel.SMS]
    assert email.params == sms.params
    assert {key: email.params[key] for key in APPOINTMENT} == APPOINTMENT
    assert email.params["number"] == ticket.number
    assert Notification.objects.get(pk=email.pk).params == sms.params  # stored, not only on the instance


def test_a_bounced_email_alone_in_its_send_is_composed_again_for_sms_from_its_own_values():
    ticket = make_ticket(email=CUSTOMER, phone="")
    [row] = [
        r
        for r in notify_ticket_customer(ticket=ticket, template="fieldservice.appointment", params=APPOINTMENT)
        if r.channel == NotificationChannel.EMAIL
    ]
    assert not Notification.objects.filter(ticket=ticket, channel=NotificationChannel.SMS).exists()
    notification_deliver(notification_id=row.pk)
    assert django_mail.outbox
    # The customer gave a phone number since (an agent called them): the e-mail bounces.
    Customer.objects.filter(pk=ticket.customer_id).update(phone=PHONE)

    _bounced(row)

    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.FAILED
    [again] = Notification.objects.filter(fallback_for=row)
    assert (again.channel, again.recipient, again.template) == (NotificationChannel.SMS, PHONE, "fieldservice.appointment")
    assert {key: again.params[key] for key in APPOINTMENT} == APPOINTMENT
    assert "刘强" in again.body and APPOINTMENT["window"] in again.body and ticket.number in again.body


def test_an_email_stored_without_values_still_falls_back_on_an_earlier_sms_of_the_same_message():
    """Rows written before e-mails kept their values: the same message's earlier SMS stands in."""
    ticket = make_ticket(email=CUSTOMER, phone=PHONE)
    first = notify_ticket_customer(ticket=ticket, template="fieldservice.appointment", params=APPOINTMENT)
    [sms] = [r for r in first if r.channel == NotificationChannel.SMS]
    Notification.objects.filter(pk=sms.pk).update(delivery=DeliveryStatus.FAILED)  # it did not go out
    Customer.objects.filter(pk=ticket.customer_id).update(phone="+8613900139000")
    rows = notify_ticket_customer(
        ticket=ticket, template="fieldservice.appointment", params=APPOINTMENT, targets=[(NotificationChannel.EMAIL, CUSTOMER)]
    )
    [email] = rows
    Notification.objects.filter(pk=email.pk).update(params={})
    notification_deliver(notification_id=email.pk)

    _bounced(email)

    [again] = Notification.objects.filter(fallback_for=email)
    assert again.channel == NotificationChannel.SMS and again.params["work_order"] == APPOINTMENT["work_order"]
