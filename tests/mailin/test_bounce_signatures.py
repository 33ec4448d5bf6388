"""A bounce names our e-mail only by what we signed (docs/email-intake.md, "Bounces"): the
``X-Aftersales-Notification`` header is ``<id>.<signature>`` like the Message-ID; a forged
bounce that names a guessed notification id — bare or with a wrong signature — marks neither the
notification undelivered nor the customer's address bouncing. Mail sent before the header was
signed (a bare id) is still matched while its signed Message-ID names the same notification."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage, Message

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.customers.audit_actions import CustomerAudit
from aftersales.customers.models import Customer
from aftersales.mailin import bounces
from aftersales.mailin.threading import (
    NOTIFICATION_HEADER_RE,
    notification_from_header,
    notification_from_message_id,
    notification_header_for,
    outgoing_headers,
)
from aftersales.notifications.models import DeliveryStatus, Notification
from aftersales.tickets.models import Ticket
from tests.factories import make_ticket

from .corpus import SUPPORT
from .test_bounces import CUSTOMER, netease_quoted, rfc3464, sent_appointment

pytestmark = pytest.mark.django_db

DOMAIN = SUPPORT.rpartition("@")[2]


@pytest.fixture(autouse=True)
def providers(settings):  # type: ignore[no-untyped-def]
    settings.NOTIFICATION_SENDERS = {
        "sms": "tests.notifications.test_receipts.AcceptingSender",
        "wechat": "tests.notifications.test_receipts.AcceptingSender",
    }


@pytest.fixture
def ticket() -> Ticket:
    return make_ticket(email=CUSTOMER)


def _with(sent: Message, **headers: str | None) -> Message:
    """A copy of the mail as sent, some headers replaced (None: removed)."""
    copy = email.message_from_bytes(sent.as_bytes(), policy=policy.default)
    for name, value in headers.items():
        name = name.replace("_", "-")
        del copy[name]
        if value is not None:
            copy[name] = value
    return copy


def forged(pk: int, *, header: str | None = None) -> bytes:
    """What a stranger can write: a Postfix-style bounce for the customer's address whose quoted
    original names notification ``pk`` by the header only, with another's Message-ID."""
    original = EmailMessage()
    original["From"] = f"售后服务 <{SUPPORT}>"
    original["To"] = CUSTOMER
    original["Subject"] = "您的上门预约"
    original["Message-ID"] = "<20261124093000.1@mx.attacker.example>"
    original["X-Aftersales-Notification"] = header if header is not None else str(pk)
    original.set_content("您好")
    return rfc3464(original)


def _untouched(row: Notification, ticket: Ticket) -> None:
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.SENT
    assert Customer.objects.get(pk=ticket.customer_id).email_bounced_at is None
    assert not AuditEvent.objects.filter(action=CustomerAudit.EMAIL_BOUNCED).exists()


def test_the_header_we_send_is_signed_and_only_its_signature_verifies(ticket):
    row, sent = sent_appointment(ticket)
    value = str(sent["X-Aftersales-Notification"])
    assert NOTIFICATION_HEADER_RE.match(value) and value.startswith(f"{row.pk}.")
    assert value == notification_header_for(row.pk)
    assert notification_from_header(value) == row.pk
    assert notification_from_header(value.upper()) == row.pk  # a mail system that changed the case
    assert notification_from_header(str(row.pk)) is None  # the old bare id proves nothing
    assert notification_from_header(f"{row.pk + 1}.{value.split('.')[1]}") is None  # another id, our signature
    assert notification_from_message_id(str(sent["Message-ID"])) == row.pk


def test_a_forged_bounce_with_a_guessed_id_marks_nothing(ticket, ingest):
    row, _sent = sent_appointment(ticket)
    for header in (str(row.pk), f"{row.pk}.0123456789abcdef0123"):
        raw = forged(row.pk, header=header)
        assert bounces.read_bounce(raw).notification_ids == []
        message = ingest(raw)
        assert message.ticket_id is None and message.reason == "Bounce (delivery status notification)."
    _untouched(row, ticket)


def test_the_signed_header_alone_finds_the_email(ticket, ingest):
    """A bounce that quotes the header but not our Message-ID (a mail system that rewrote it)."""
    row, sent = sent_appointment(ticket)
    raw = forged(row.pk, header=str(sent["X-Aftersales-Notification"]))
    assert bounces.read_bounce(raw).signed == [row.pk]
    ingest(raw)
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.FAILED
    assert Customer.objects.get(pk=ticket.customer_id).email_bounced_at is not None


def test_mail_sent_before_the_signature_counts_while_its_message_id_is_signed(ticket, ingest):
    row, sent = sent_appointment(ticket)
    old = _with(sent, X_Aftersales_Notification=str(row.pk))  # the header as it was: the bare id
    bounce = bounces.read_bounce(netease_quoted(old))
    assert (bounce.signed, bounce.claimed, bounce.notification_ids) == ([row.pk], [], [row.pk])
    # The bare id beside a Message-ID whose signature fails: nothing.
    wrong = re.sub(r"\.[0-9a-f]{20}@", ".0123456789abcdef0123@", str(sent["Message-ID"]))
    assert bounces.read_bounce(rfc3464(_with(old, Message_ID=wrong))).notification_ids == []
    ingest(rfc3464(_with(old, Message_ID=wrong)))
    _untouched(row, ticket)
    ingest(rfc3464(old))
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.FAILED


def test_an_email_about_no_ticket_has_a_signed_message_id_too(ticket):
    row, _sent = sent_appointment(ticket)
    Notification.objects.filter(pk=row.pk).update(ticket=None)
    row.refresh_from_db()
    headers = outgoing_headers(row)
    assert headers["Message-ID"] == f"<as.n{row.pk}.{headers['X-Aftersales-Notification'].split('.')[1]}@{DOMAIN}>"
    assert "Reply-To" not in headers
    assert notification_from_message_id(headers["Message-ID"]) == row.pk
    # Its old unsigned form is claimed, never taken; with the signed header it is.
    quoting = f"<as.n{row.pk}@{DOMAIN}>"
    old = forged(row.pk, header="")
    old = old.replace(b"<20261124093000.1@mx.attacker.example>", quoting.encode())
    bounce = bounces.read_bounce(old)
    assert (bounce.claimed, bounce.notification_ids) == ([row.pk], [])
    new = forged(row.pk, header=headers["X-Aftersales-Notification"]).replace(
        b"<20261124093000.1@mx.attacker.example>", headers["Message-ID"].encode()
    )
    assert bounces.read_bounce(new).notification_ids == [row.pk]
