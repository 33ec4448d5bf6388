"""How a reply finds its ticket: never by the subject, only by what we signed.

Every email about a ticket that the product sends carries

* ``Reply-To: <local>+t<ticket id>-<signature>@<domain>`` (the mailbox's own address, plus-tagged),
* ``Message-ID: <as.n<notification id>.t<ticket id>.<signature>@<domain>>``,
* ``X-Aftersales-Ticket: <number>`` and ``Auto-Submitted: auto-generated`` (RFC 3834).

Every email the product sends (about a ticket or not) carries
``X-Aftersales-Notification: <notification id>.<signature>``; an email about no ticket has the
Message-ID ``<as.n<notification id>.<signature>@<domain>>``. A bounce names its notification by
these (``bounces``): only a verified signature counts, so a forged bounce with a guessed id moves
nothing.

A reply addressed to the tagged address, or quoting our Message-ID in In-Reply-To/References,
names the ticket; the signature (an HMAC with the SECRET_KEY through Django's signing
machinery, hex so that mail systems that lower-case addresses do not break it) proves that we
issued it. Who may then write to the ticket is decided separately (the sender check).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import getaddresses

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from aftersales.notifications.models import Notification

SALT = "aftersales.mailin.reply"
SIGNATURE_CHARS = 20
TOKEN_RE = re.compile(rf"^t(\d{{1,18}})-([0-9a-f]{{{SIGNATURE_CHARS}}})$", re.IGNORECASE)
MESSAGE_ID_RE = re.compile(rf"^<?as\.n(\d{{1,18}})\.t(\d{{1,18}})\.([0-9a-f]{{{SIGNATURE_CHARS}}})@([^>]+)>?$", re.IGNORECASE)
# The Message-ID of an email about no ticket, and the X-Aftersales-Notification header's value.
PLAIN_MESSAGE_ID_RE = re.compile(rf"^<?as\.n(\d{{1,18}})\.([0-9a-f]{{{SIGNATURE_CHARS}}})@([^>]+)>?$", re.IGNORECASE)
NOTIFICATION_HEADER_RE = re.compile(rf"^(\d{{1,18}})\.([0-9a-f]{{{SIGNATURE_CHARS}}})$", re.IGNORECASE)


def _signature(value: str) -> str:
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:SIGNATURE_CHARS]


def mailbox_address() -> tuple[str, str]:
    """(local part, domain) of the intake mailbox."""
    address = getaddresses([settings.MAILIN_ADDRESS])[0][1] or "support@localhost"
    local, _, domain = address.rpartition("@")
    return local, domain.lower()


def reply_address(ticket_id: int) -> str:
    local, domain = mailbox_address()
    value = f"t{ticket_id}"
    return f"{local}+{value}-{_signature(value)}@{domain}"


def message_id_for(notification_id: int, ticket_id: int) -> str:
    _, domain = mailbox_address()
    value = f"n{notification_id}.t{ticket_id}"
    return f"<as.{value}.{_signature(value)}@{domain}>"


def notification_signature(notification_id: int) -> str:
    """The signature of a notification's own id (its header, the Message-ID without a ticket)."""
    return _signature(f"n{notification_id}")


def notification_header_for(notification_id: int) -> str:
    """``X-Aftersales-Notification``'s value: ``<id>.<signature>``."""
    return f"{notification_id}.{notification_signature(notification_id)}"


def notification_from_header(value: str) -> int | None:
    """The notification a signed ``X-Aftersales-Notification`` value names; None for an unsigned
    (the old bare id) or forged one."""
    m = NOTIFICATION_HEADER_RE.match((value or "").strip())
    if m is None:
        return None
    pk = int(m.group(1))
    return pk if constant_time_compare(notification_signature(pk), m.group(2).lower()) else None


def notification_from_message_id(message_id: str) -> int | None:
    """The notification one of our signed Message-IDs names (about a ticket or not); None for
    another's, an unsigned or a forged one."""
    text = (message_id or "").strip()
    m = MESSAGE_ID_RE.match(text)
    if m is not None:
        pk = int(m.group(1))
        expected = _signature(f"n{pk}.t{int(m.group(2))}")
        return pk if constant_time_compare(expected, m.group(3).lower()) else None
    m = PLAIN_MESSAGE_ID_RE.match(text)
    if m is not None:
        pk = int(m.group(1))
        return pk if constant_time_compare(notification_signature(pk), m.group(2).lower()) else None
    return None


def outgoing_headers(notification: Notification) -> dict[str, str]:
    """Headers for an outgoing email (the hook ``NOTIFICATION_EMAIL_HEADERS`` names this)."""
    _, domain = mailbox_address()
    headers = {"Auto-Submitted": "auto-generated", "X-Aftersales-Notification": notification_header_for(notification.pk)}
    if notification.ticket_id is None:
        headers["Message-ID"] = f"<as.n{notification.pk}.{notification_signature(notification.pk)}@{domain}>"
        return headers
    headers["Message-ID"] = message_id_for(notification.pk, notification.ticket_id)
    headers["Reply-To"] = reply_address(notification.ticket_id)
    headers["X-Aftersales-Ticket"] = notification.ticket.number if notification.ticket else ""
    return headers


@dataclass(frozen=True)
class ThreadMatch:
    ticket_id: int | None
    how: str  # "token", "message_id", or "" with ``forged`` when a signature did not verify
    forged: bool = False


def _token_from_address(address: str) -> str | None:
    local_part = address.rpartition("@")[0]
    if "+" not in local_part:
        return None
    return local_part.split("+", 1)[1]


def match_thread(*, recipients: list[str], references: list[str]) -> ThreadMatch:
    """The ticket a message answers, from a signed reply address or one of our Message-IDs."""
    forged = False
    for address in recipients:
        token = _token_from_address(address)
        if token is None:
            continue
        m = TOKEN_RE.match(token)
        if m is None:
            continue
        value = f"t{int(m.group(1))}"
        if constant_time_compare(_signature(value), m.group(2).lower()):
            return ThreadMatch(int(m.group(1)), "token")
        forged = True
    for reference in references:
        m = MESSAGE_ID_RE.match(reference.strip())
        if m is None:
            continue
        value = f"n{int(m.group(1))}.t{int(m.group(2))}"
        if constant_time_compare(_signature(value), m.group(3).lower()):
            return ThreadMatch(int(m.group(2)), "message_id")
        forged = True
    return ThreadMatch(None, "", forged=forged)


def is_our_message_id(message_id: str) -> bool:
    """A Message-ID the product generated (a mail loop when it comes back in)."""
    _, domain = mailbox_address()
    text = message_id.strip().strip("<>").lower()
    return text.startswith("as.n") and text.endswith("@" + domain)
