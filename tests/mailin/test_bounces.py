"""E-mail bounces (退信) mark the notification that bounced undelivered, through the same door as
the SMS and WeChat receipts (``delivery.receipt_record``): the fallback, the agent's notice, the
ticket's timeline and the audit row follow; a delay is recorded and changes nothing; a bounce
that names no e-mail of ours (or another address) stays an ignored bounce. Fixtures are built
the way the mail systems write them: Postfix's RFC 3464 report with the original attached,
Gmail's delay report, Exchange's report with the original's headers, 网易163's 系统退信 with the
original's headers quoted in the text, QQ邮箱's 退信 with the original attached and no report."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage, Message
from email.utils import make_msgid

import pytest
from django.core import mail as django_mail
from django.utils import translation

from aftersales.audit.models import AuditEvent
from aftersales.customers.models import Customer
from aftersales.mailin import bounces
from aftersales.mailin.models import InboundMessage, InboundStatus
from aftersales.mailin.services import mailin_store
from aftersales.notifications.effects import NOTIFICATION_UNDELIVERED
from aftersales.notifications.models import DeliveryStatus, Notification, NotificationChannel
from aftersales.notifications.services import notification_deliver, notify_ticket_customer
from aftersales.tickets.models import Ticket
from tests.factories import make_ticket

from . import corpus
from .corpus import DATE, SUPPORT

pytestmark = pytest.mark.django_db

CUSTOMER = "zhang.wei@example.com"
APPOINTMENT = {"work_order": "WO20261122-000001", "technician": "刘强", "window": "11月24日 09:00–12:00"}


@pytest.fixture(autouse=True)
def providers(settings):  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_SENDERS = {
        "sms": "tests.notifications.test_receipts.AcceptingSender",
        "wechat": "tests.notifications.test_receipts.AcceptingSender",
    }


@pytest.fixture
def ticket() -> Ticket:
    return make_ticket(email=CUSTOMER)


def sent_appointment(ticket: Ticket) -> tuple[Notification, Message]:
    """The technician's appointment e-mailed to the customer: the outbox row and the mail as sent."""
    rows = notify_ticket_customer(ticket=ticket, template="fieldservice.appointment", params=APPOINTMENT)
    [row] = [r for r in rows if r.channel == NotificationChannel.EMAIL]
    before = len(django_mail.outbox)
    delivered = notification_deliver(notification_id=row.pk)
    assert delivered is not None and delivered.delivery == DeliveryStatus.SENT
    assert len(django_mail.outbox) == before + 1
    return delivered, email.message_from_bytes(django_mail.outbox[-1].message().as_bytes(), policy=policy.default)


def _envelope(msg: EmailMessage, *, sender: str, subject: str) -> EmailMessage:
    msg["Return-Path"] = "<>"
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Date"] = DATE
    msg["Message-ID"] = make_msgid(domain="mx.example.com")
    msg["Auto-Submitted"] = "auto-replied"
    return msg


def _status_part(recipient: str, *, action: str, status: str, diagnostic: str) -> EmailMessage:
    report = (
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.example.com\nArrival-Date: Tue, 24 Nov 2026 09:30:00 +0000\n\n"
        f"Final-Recipient: rfc822; {recipient}\nOriginal-Recipient: rfc822;{recipient}\n"
        f"Action: {action}\nStatus: {status}\nRemote-MTA: dns; mx.example.com\nDiagnostic-Code: smtp; {diagnostic}\n"
    )
    part = email.message_from_string(report, policy=policy.default)
    assert isinstance(part, EmailMessage)
    return part


def rfc3464(original: Message, *, action: str = "failed", status: str = "5.1.1", recipient: str = CUSTOMER) -> bytes:
    """Postfix's "Undelivered Mail Returned to Sender": a report with the original attached."""
    msg = _envelope(
        EmailMessage(),
        sender="MAILER-DAEMON@mx.example.com (Mail Delivery System)",
        subject="Undelivered Mail Returned to Sender",
    )
    msg.set_content(
        "This is the mail system at host mx.example.com.\n\nI'm sorry to have to inform you that your message could not be delivered."
    )
    msg.make_mixed()
    msg.set_type("multipart/report")
    msg.set_param("report-type", "delivery-status")
    diagnostic = f"550 {status} <{recipient}>: Recipient address rejected: User unknown in virtual mailbox table"
    msg.attach(_status_part(recipient, action=action, status=status, diagnostic=diagnostic))
    msg.add_attachment(original)  # message/rfc822
    return msg.as_bytes()


def gmail_delay(original: Message) -> bytes:
    """Gmail's "Delivery Status Notification (Delay)": a report with the original's headers only."""
    msg = _envelope(
        EmailMessage(),
        sender="Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        subject="Delivery Status Notification (Delay)",
    )
    msg.set_content(
        f"Delivery incomplete\n\nThere was a temporary problem delivering your message to {CUSTOMER}. Gmail will retry for 45 more hours."
    )
    msg.make_mixed()
    msg.set_type("multipart/report")
    msg.set_param("report-type", "delivery-status")
    msg.attach(_status_part(CUSTOMER, action="delayed", status="4.4.1", diagnostic="421 4.4.1 Connection timed out"))
    headers = EmailMessage()
    headers.set_content(_header_lines(original), subtype="rfc822-headers")
    msg.attach(headers)
    return msg.as_bytes()


def _header_lines(original: Message) -> str:
    names = ("From", "To", "Subject", "Message-ID", "X-Aftersales-Notification", "X-Aftersales-Ticket")
    return "".join(f"{name}: {original[name]}\n" for name in names if original[name] is not None)


def netease_quoted(original: Message, *, recipient: str = CUSTOMER, subject: str = "系统退信") -> bytes:
    """网易163's 系统退信: plain text, the reason in Chinese, the original's headers quoted."""
    msg = _envelope(EmailMessage(), sender="postmaster@163.com", subject=subject)
    msg.set_content(
        "很抱歉您发送的邮件被退回，以下是该邮件的相关信息：\n"
        f"    收件人：{recipient}\n"
        "    退信原因：收件人邮箱地址不存在\n"
        "    退信代码：550 User not found or disabled: MI:SFQ 1764000000 http://mail.163.com/help\n"
        "\n------------------ 原始邮件 ------------------\n"
        + "".join(f"> {line}\n" for line in _header_lines(original).splitlines())
        + "> \n> 您好，您的上门预约已确认。\n"
    )
    return msg.as_bytes()


def qq_attached(original: Message) -> bytes:
    """QQ邮箱's 退信: no report, the reason in the text, the original attached."""
    msg = _envelope(EmailMessage(), sender="QQ邮箱 <MAILER-DAEMON@qq.com>", subject="退信：您的邮件未能送达")
    msg.set_content(f"您的邮件未能送达以下收件人：\n{CUSTOMER}\n\n原因：550 Mailbox not found or access denied\n")
    msg.add_attachment(original)
    return msg.as_bytes()


def exchange_ndr(original: Message) -> bytes:
    """Exchange's "Undeliverable:" report from MicrosoftExchange<hex>, the original's headers only."""
    msg = _envelope(
        EmailMessage(),
        sender="Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@example.com>",
        subject=f"Undeliverable: {original['Subject']}",
    )
    del msg["Return-Path"]
    msg.set_content(f"Delivery has failed to these recipients or groups:\n\n{CUSTOMER}\nThe email address couldn't be found.")
    msg.make_mixed()
    msg.set_type("multipart/report")
    msg.set_param("report-type", "delivery-status")
    msg.attach(_status_part(CUSTOMER, action="failed", status="5.1.10", diagnostic="550 5.1.10 RESOLVER.ADR.RecipientNotFound"))
    headers = EmailMessage()
    headers.set_content(_header_lines(original), subtype="rfc822-headers")
    msg.attach(headers)
    return msg.as_bytes()


def reason_in(message: InboundMessage, language: str) -> str:
    with translation.override(language):
        return message.shown_reason


def fallbacks() -> list[Notification]:
    return list(Notification.objects.filter(fallback_for__isnull=False).order_by("pk"))


# --- Reading ---------------------------------------------------------------------------------------


def test_each_form_is_read_for_its_notification_address_and_outcome(ticket):
    row, sent = sent_appointment(ticket)
    cases = {
        "rfc3464": (rfc3464(sent), bounces.FAILED, "5.1.1"),
        "gmail delay": (gmail_delay(sent), bounces.DELAYED, "4.4.1"),
        "exchange": (exchange_ndr(sent), bounces.FAILED, "5.1.10"),
        "163 quoted": (netease_quoted(sent), bounces.FAILED, "550"),
        "qq attached": (qq_attached(sent), bounces.FAILED, "550"),
    }
    for name, (raw, kind, code) in cases.items():
        bounce = bounces.read_bounce(raw)
        assert bounce.notification_ids == [row.pk], name
        assert bounce.names(CUSTOMER), name
        outcome = bounce.outcome_for(CUSTOMER)
        assert outcome is not None and (outcome.kind, outcome.code) == (kind, code), name
    assert row.pk in bounces.read_bounce(rfc3464(sent)).signed  # its Message-ID's signature checked
    assert "Recipient address rejected" in bounces.read_bounce(rfc3464(sent)).outcome_for(CUSTOMER).detail  # type: ignore[union-attr]
    assert "MI:SFQ" in bounces.read_bounce(netease_quoted(sent)).text_outcome.detail


def test_a_forged_signature_and_a_stranger_are_not_taken_for_ours(ticket):
    _row, sent = sent_appointment(ticket)
    forged = re.sub(r"\.[0-9a-f]{20}@", ".0123456789abcdef0123@", sent["Message-ID"])
    assert forged != sent["Message-ID"]
    del sent["Message-ID"], sent["X-Aftersales-Notification"]
    sent["Message-ID"] = forged
    assert bounces.read_bounce(rfc3464(sent)).notification_ids == []
    # A delay quoting an IP address and a version number is no failure: no code is read from them.
    outcome = bounces._text_outcome("Delivery delayed", "Host 5.6.7.8 (Postfix 3.7.2) will retry.")
    assert (outcome.kind, outcome.code) == (bounces.DELAYED, "")


# --- Applying ------------------------------------------------------------------------------------


def test_a_permanent_failure_marks_the_email_undelivered_and_sets_off_the_fallback_and_the_timeline(ticket, ingest):
    Customer.objects.filter(pk=ticket.customer_id).update(email="zhang.wei@work.example.com")  # a second address
    row, sent = sent_appointment(ticket)
    told: list[dict] = []

    with NOTIFICATION_UNDELIVERED.override(lambda **kwargs: told.append(kwargs)):
        message = ingest(rfc3464(sent))
    row.refresh_from_db()

    assert (row.delivery, row.delivery_code) == (DeliveryStatus.FAILED, "5.1.1")
    assert "User unknown" in row.delivery_detail
    [again] = fallbacks()
    assert (again.channel, again.recipient, again.fallback_for_id) == (
        NotificationChannel.EMAIL,
        "zhang.wei@work.example.com",
        row.pk,
    )
    [call] = told
    assert call["notification"].pk == row.pk and call["fallback"].pk == again.pk
    audit = AuditEvent.objects.get(action="notifications.delivery_failed")
    assert audit.changes["code"] == "5.1.1"
    # The bounce stays answered by nobody, related to the ticket, with what it did in each language.
    assert (message.status, message.ticket_id) == (InboundStatus.IGNORED, ticket.pk)
    english = reason_in(message, "en")
    assert english == message.reason
    assert (
        english
        == f"Bounce: the e-mail to z***@example.com (notification {row.pk}) was not delivered (5.1.1): marked undelivered."
    )
    assert reason_in(message, "zh-hans") != english and "z***@example.com" in reason_in(message, "zh-hans")


def test_the_same_bounce_twice_and_a_second_bounce_change_nothing_more(ticket, ingest):
    row, sent = sent_appointment(ticket)
    raw = netease_quoted(sent)
    first = ingest(raw)
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.FAILED and first.ticket_id == ticket.pk
    audits = AuditEvent.objects.count()
    notifications = Notification.objects.count()

    assert mailin_store(raw=raw, source="http").created is False  # fetched again: the same message
    second = ingest(qq_attached(sent))  # the other mail system's bounce of the same e-mail

    assert (AuditEvent.objects.count(), Notification.objects.count()) == (audits, notifications)
    assert second.status == InboundStatus.IGNORED
    assert reason_in(second, "en") == (
        f"Bounce: the e-mail to z***@example.com (notification {row.pk}) was already marked Not delivered: nothing changed."
    )


def test_a_delay_is_recorded_and_changes_nothing(ticket, ingest):
    row, sent = sent_appointment(ticket)
    message = ingest(gmail_delay(sent))
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT and fallbacks() == []
    assert not AuditEvent.objects.filter(action="notifications.delivery_failed").exists()
    assert (message.status, message.ticket_id) == (InboundStatus.IGNORED, ticket.pk)
    assert "is delayed (4.4.1)" in message.reason
    # The failure that follows the delay still counts.
    ingest(exchange_ndr(sent))
    row.refresh_from_db()
    assert (row.delivery, row.delivery_code) == (DeliveryStatus.FAILED, "5.1.10")


def test_a_bounce_naming_no_email_of_ours_or_another_address_stays_as_today(ticket, ingest):
    row, sent = sent_appointment(ticket)
    plain = ingest(corpus.bounce())  # a Message-ID of our form whose signature does not verify
    forwarded = email.message_from_bytes(sent.as_bytes(), policy=policy.default)  # our id, another address
    forwarded.replace_header("To", "somebody@163.com")
    other = ingest(netease_quoted(forwarded, recipient="somebody@163.com"))
    for message in (plain, other):
        assert message.status == InboundStatus.IGNORED and message.ticket_id is None
        assert message.reason == "Bounce (delivery status notification)."
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT


def test_a_report_for_another_recipient_is_recorded_but_changes_nothing(ticket, ingest):
    row, sent = sent_appointment(ticket)
    message = ingest(rfc3464(sent, recipient="forwarded@elsewhere.example.com"))
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT
    assert "naming other recipients: nothing changed" in message.reason


def test_an_acknowledgement_that_bounces_is_marked_undelivered_without_a_fallback(ingest):
    ticket = make_ticket(email=CUSTOMER, phone="")
    row = Notification.objects.get(ticket=ticket, channel=NotificationChannel.EMAIL)
    notification_deliver(notification_id=row.pk)
    sent = email.message_from_bytes(django_mail.outbox[-1].message().as_bytes(), policy=policy.default)

    ingest(rfc3464(sent))

    row.refresh_from_db()
    assert (row.delivery, row.delivery_code) == (DeliveryStatus.FAILED, "5.1.1")
    assert fallbacks() == [] and not AuditEvent.objects.filter(action="notifications.delivery_failed").exists()
