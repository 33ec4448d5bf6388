"""Email intake: store every message first, then turn it into a ticket, a customer's message on
a ticket's timeline, or an entry in the held queue for an agent.

Order of guarantees: ``mailin_store`` commits the raw message (unique by Message-ID) before the
mailbox is told anything; ``mailin_process`` never raises (a message it cannot handle ends in the
held queue with the reason); tickets come from the same ``ticket_intake`` as the web pages, keyed
by the message so that processing twice creates one ticket; automatic mail (auto-replies,
bounces, our own mail coming back) is kept but answered by nobody.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.i18n import ACTOR_EMAIL, Deferred, deferred
from aftersales.core.masking import mask_email
from aftersales.customers.models import Contact
from aftersales.customers.selectors import customer_find_by_email
from aftersales.customers.services import customer_email_bounced
from aftersales.notifications.delivery import SETTLED, receipt_record
from aftersales.notifications.models import DeliveryStatus, Notification, NotificationChannel
from aftersales.notifications.receipts import Receipt
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import IntakeInput, ticket_add_attachment, ticket_add_customer_message, ticket_intake
from aftersales.tickets.states import FINAL_STATUSES, TicketStatus

from . import authres, bounces, config, parsing
from .models import InboundMessage, InboundOutcome, InboundSource, InboundStatus
from .threading import is_our_message_id, mailbox_address, match_thread

if TYPE_CHECKING:
    from .parsing import ParsedMail

logger = logging.getLogger("aftersales.mailin")
TICKET_NUMBER_RE = re.compile(r"\b[A-Z]{1,8}\d{8}-\d{4,}\b")


@dataclass(frozen=True)
class StoreResult:
    message: InboundMessage
    created: bool


def _enqueue_processing(message_id: int) -> None:
    from .tasks import process_inbound_message

    process_inbound_message.enqueue(message_id)


def mailin_store(*, raw: bytes, source: str) -> StoreResult:
    """Store ``raw`` durably (committed when this returns) and process it after commit.

    A Message-ID seen before returns the stored message with ``created=False`` and changes
    nothing. Parsing problems never prevent storing: only the Message-ID and a few headers are
    read here, defensively.
    """
    if source not in InboundSource.values:
        raise ValueError(f"unknown source {source!r}")
    message_id, digest = parsing.message_id_of(raw)
    existing = InboundMessage.objects.filter(message_id=message_id).first()
    if existing is not None:
        return StoreResult(existing, created=False)
    mail_from = mail_to = subject = sender = ""
    try:
        import email
        from email import policy

        headers = email.message_from_bytes(raw, policy=policy.compat32)
        mail_from = parsing.decode_header_text(str(headers.get("From", "")))[:320]
        mail_to = parsing.decode_header_text(str(headers.get("To", "")))[:2000]
        subject = parsing.decode_header_text(str(headers.get("Subject", "")))[:255]
        sender = parseaddr(mail_from)[1].strip().lower()[:320]
    except Exception:  # noqa: BLE001 - the headers are a convenience; the raw bytes are what counts
        logger.warning("could not read the headers of inbound message %s", message_id)
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                raw=raw,
                sha256=digest,
                message_id=message_id,
                mail_from=mail_from,
                sender=sender,
                mail_to=mail_to,
                subject=subject,
                source=source,
                received_at=clock.now(),
            )
            transaction.on_commit(lambda: _enqueue_processing(message.pk))
    except IntegrityError:
        # The same message arrived concurrently (IMAP and push at once): the other one won.
        return StoreResult(InboundMessage.objects.get(message_id=message_id), created=False)
    return StoreResult(message, created=True)


def _set_reason(message: InboundMessage, reason: Deferred | None) -> None:
    """The reason as a deferred text (shown in the reader's language) and in English."""
    message.reason_text = reason
    message.reason = parsing.english(reason)[:2000] if reason else ""


def _joined(first: Deferred | None, second: Deferred | None) -> Deferred | None:
    """Two reasons one after the other ("…; …")."""
    if first is None or second is None:
        return first or second
    return deferred(_("%(first)s; %(second)s"), first=first, second=second)


def _earlier_reason(message: InboundMessage) -> Deferred | None:
    """The message's reason so far as a deferred text (a row written before them: its text)."""
    if message.reason_text:
        return message.reason_text
    return deferred("%(reason)s", reason=message.reason) if message.reason else None


def _refused_reason(refused: list[Deferred]) -> Deferred | None:
    return deferred(_("Attachments refused: %(files)s"), files=refused) if refused else None


def _finish(
    message: InboundMessage, *, status: str, reason: Deferred | None = None, outcome: str = "", ticket: Ticket | None = None
) -> None:
    message.status = status
    _set_reason(message, reason)
    message.outcome = outcome
    if ticket is not None:
        message.ticket = ticket
    message.processed_at = clock.now()
    fields = ["status", "reason", "reason_text", "outcome", "ticket", "processed_at", "sender"]
    message.save(update_fields=[*fields, "body_text", "body_html", "attachment_names"])


def _sender_may_write(*, ticket: Ticket, address: str) -> bool:
    """The ticket's customer (their address or the ticket's contact address) or a verified contact."""
    address = address.lower()
    customer = ticket.customer
    if address in {(customer.email or "").lower(), (ticket.contact_email or "").lower()} - {""}:
        return True
    return Contact.objects.filter(customer=customer, verified=True, email__iexact=address).exists()


def _add_attachments(*, ticket: Ticket, mail: ParsedMail, actor: User | None) -> list[Deferred]:
    """Attach what the tickets' validation accepts; return notes on what it refused."""
    refused = []
    for attachment in mail.attachments:
        try:
            ticket_add_attachment(ticket=ticket, actor=actor, fileobj=io.BytesIO(attachment.data), filename=attachment.filename)
        except ValidationFailed as exc:
            refused.append(deferred("%(file)s: %(error)s", file=attachment.filename, error=exc.message))
    return refused


def _add_customer_message(
    *, ticket: Ticket, mail: ParsedMail, message: InboundMessage, released_by: User | None = None
) -> TicketEvent:
    """The customer's email as a "message from customer" on the timeline (public), audited."""
    customer_user = ticket.customer.user if ticket.customer.user_id else None
    body = parsing.strip_quoted(mail.text) or mail.subject or "—"
    return ticket_add_customer_message(
        ticket=ticket,
        body=body[: parsing.MAX_TEXT_CHARS],
        actor=customer_user,
        actor_label=f"{mail.from_name or mail.from_address} <{mail.from_address}>"[:128],
        data={
            "channel": Channel.EMAIL,
            "inbound_message": message.pk,
            "subject": mail.subject,
            **({"released_by": released_by.pk} if released_by else {}),
        },
        audit_actor=released_by,
    )


def _authenticated(*, mail: ParsedMail, ticket: Ticket) -> Deferred | None:
    """Why the reply may not count as written by its From address: the receiving server's
    ``Authentication-Results`` (from a trusted authserv-id) do not vouch for it. ``None`` when
    they do, or when no trusted server is configured (``MAILIN_TRUSTED_AUTHSERV_IDS``)."""
    trusted = config.trusted_authserv_ids()
    if not trusted:
        return None
    found = authres.verdict(headers=mail.authentication_results, trusted_ids=trusted, from_address=mail.from_address)
    if found.passed:
        return None
    if not found.found:
        return deferred(
            _(
                "Reply to %(ticket)s from %(sender)s without authentication results from our mail server (%(servers)s): "
                "not added as the customer's message until an agent checks it."
            ),
            ticket=ticket.number,
            sender=mail.from_address,
            servers=", ".join(sorted(trusted)),
        )
    return deferred(
        _(
            "Reply to %(ticket)s from %(sender)s failed the sender checks of our mail server (%(results)s): "
            "not added as the customer's message until an agent checks it."
        ),
        ticket=ticket.number,
        sender=mail.from_address,
        results=found.summary,
    )


def _known_sender_unauthenticated(mail: ParsedMail) -> Deferred | None:
    """Why a new mail (not a reply) may not be filed under the customer whose address its From
    names: the address is a customer's or a verified contact's, and the receiving server's
    ``Authentication-Results`` (from a trusted authserv-id) do not vouch for it — filed as theirs,
    a forged From would put a stranger's words (and a reply with their data) on their account.
    ``None`` for an unknown address, a passing check, or no trusted server configured."""
    trusted = config.trusted_authserv_ids()
    address = mail.from_address.lower()
    if not trusted or not address:
        return None
    known = (
        customer_find_by_email(email=address) is not None or Contact.objects.filter(verified=True, email__iexact=address).exists()
    )
    if not known:
        return None
    found = authres.verdict(headers=mail.authentication_results, trusted_ids=trusted, from_address=mail.from_address)
    if found.passed:
        return None
    checks = found.summary if found.found else ", ".join(sorted(trusted))
    return deferred(
        _(
            "New mail from %(sender)s, the address of a known customer, without passing sender checks of our mail "
            "server (%(results)s): not filed under that customer until an agent checks it."
        ),
        sender=mail.from_address,
        results=checks,
    )


def _sender_flood(message: InboundMessage, mail: ParsedMail) -> Deferred | None:
    """The per-sender loop break: why this mail is held when its sender sent ``MAILIN_SENDER_LIMIT``
    mails or more within the window before it (another helpdesk answering our answers, an
    auto-responder without the usual headers, a flood)."""
    limit = config.sender_limit()
    sender = mail.from_address.lower()
    if not limit or not sender:
        return None
    minutes = config.sender_window_minutes()
    since = message.received_at - dt.timedelta(minutes=minutes)
    earlier = InboundMessage.objects.filter(sender=sender, received_at__gte=since, pk__lt=message.pk).count()
    if earlier < limit:
        return None
    return deferred(
        _(
            "%(count)d earlier mails from %(sender)s within %(minutes)d minutes: held to break a possible mail loop "
            "(no ticket, no acknowledgement)."
        ),
        count=earlier,
        sender=sender,
        minutes=minutes,
    )


def _record_bounce(message: InboundMessage) -> Deferred | None:
    """A bounce of one of our e-mails applied to its notification (``bounces``, docs/email-intake.md
    "Bounces"), inside the caller's transaction. A permanent failure marks the notification
    undelivered through the delivery receipts' one door (``delivery.receipt_record``: its fallback
    on another channel, the agent's notice, the ticket's timeline, the audit row; the first receipt
    wins, so the same bounce again changes nothing); a delay, or a bounce whose outcome cannot be
    read, is recorded on the message only. The message is related to the notification's ticket.
    Returns the reason to keep, or None when the bounce names no e-mail of ours to that address
    (it stays an ignored bounce)."""
    try:
        bounce = bounces.read_bounce(bytes(message.raw))
    except Exception:  # an unreadable bounce stays an ignored bounce
        logger.warning("bounce %s could not be read", message.message_id, exc_info=True)
        return None
    ids = bounce.notification_ids
    rows = Notification.objects.filter(pk__in=ids, channel=NotificationChannel.EMAIL).only(
        "pk", "recipient", "ticket", "delivery"
    )
    by_id = {row.pk: row for row in rows}
    # Named by its id and sent to an address the bounce names: a forged id alone moves nothing.
    row = next((by_id[pk] for pk in ids if pk in by_id and bounce.names(by_id[pk].recipient)), None)
    if row is None:
        return None
    if row.ticket_id is not None:
        message.ticket_id = row.ticket_id
    values = {"recipient": mask_email(row.recipient), "notification": row.pk}
    outcome = bounce.outcome_for(row.recipient)
    if outcome is None:
        return deferred(
            _("Bounce of the e-mail to %(recipient)s (notification %(notification)s) naming other recipients: nothing changed."),
            **values,
        )
    code = outcome.code or "—"
    if outcome.kind == bounces.DELAYED:
        return deferred(
            _(
                "Bounce: the e-mail to %(recipient)s (notification %(notification)s) is delayed (%(code)s), "
                "the mail servers are still trying: nothing changed."
            ),
            code=code,
            **values,
        )
    if outcome.kind != bounces.FAILED:
        return deferred(
            _(
                "Bounce of the e-mail to %(recipient)s (notification %(notification)s) without a readable outcome: nothing changed."
            ),
            **values,
        )
    if row.delivery in SETTLED:
        return deferred(
            _(
                "Bounce: the e-mail to %(recipient)s (notification %(notification)s) was already marked %(delivery)s: nothing changed."
            ),
            delivery=DeliveryStatus(row.delivery).label,
            **values,
        )
    receipt = Receipt(
        provider="email",
        channel=NotificationChannel.EMAIL,
        notification_id=row.pk,
        provider_ref="",
        delivered=False,
        code=outcome.code,
        detail=outcome.detail,
        at=message.received_at,
        address=row.recipient,
    )
    receipt_record(receipt=receipt)
    _customer_address_bounced(row, code=outcome.code, detail=outcome.detail, at=message.received_at)
    return deferred(
        _(
            "Bounce: the e-mail to %(recipient)s (notification %(notification)s) was not delivered (%(code)s): marked undelivered."
        ),
        code=code,
        **values,
    )


def _customer_address_bounced(row: Notification, *, code: str, detail: str, at: dt.datetime | None) -> None:
    """The bounced e-mail went to the ticket's customer's own address: the address is marked
    bouncing on the customer (``customer_email_bounced``; a ticket's other contact address is not
    the customer's and marks nothing)."""
    if row.ticket_id is None:
        return
    customer_id = Ticket.objects.filter(pk=row.ticket_id).values_list("customer_id", flat=True).first()
    if customer_id is not None:
        reason = " ".join(part for part in (code, detail) if part)
        customer_email_bounced(customer_id=customer_id, address=row.recipient, reason=reason, at=at)


def _intake_input(mail: ParsedMail) -> IntakeInput:
    text = mail.text or mail.subject
    return IntakeInput(
        channel=Channel.EMAIL,
        customer_name=(mail.from_name or mail.from_address.partition("@")[0])[:128],
        description=text[: parsing.MAX_TEXT_CHARS],
        title=mail.subject[:200],
        email=mail.from_address,
    )


def _create_ticket(*, mail: ParsedMail, message: InboundMessage, actor: User | None) -> Ticket:
    # Keyed by the stored message: processing it again returns the same ticket.
    result = ticket_intake(
        data=_intake_input(mail),
        actor=actor,
        actor_label="" if actor else ACTOR_EMAIL,  # a code: said in the reader's language
        idempotency_key=f"mailin:{message.sha256}",
    )
    return result.ticket


def _classify(message: InboundMessage, mail: ParsedMail) -> None:
    """Decide and do, inside the caller's transaction (the message row is locked)."""
    message.sender = mail.from_address.lower()[:320]
    _local, domain = mailbox_address()
    ours = {f"{_local}@{domain}".lower(), parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    if (
        is_our_message_id(mail.message_id)
        or "x-aftersales-notification" in mail.headers
        or "x-aftersales-ticket" in mail.headers
        or mail.from_address in ours
        or (mail.from_address.partition("@")[0].startswith(f"{_local}+") and mail.from_address.endswith("@" + domain))
    ):
        _finish(message, status=InboundStatus.IGNORED, reason=deferred(_("Mail loop: our own message came back.")))
        return
    automatic = parsing.automatic_reason_text(mail)
    if automatic:
        bounced = _record_bounce(message) if parsing.is_bounce(mail) else None
        _finish(message, status=InboundStatus.IGNORED, reason=bounced or automatic)
        return
    if mail.from_count != 1:
        _finish(message, status=InboundStatus.HELD, reason=deferred(_("More than one From address.")))
        return
    flood = _sender_flood(message, mail)
    if flood is not None:
        _finish(message, status=InboundStatus.HELD, reason=flood)
        return
    thread = match_thread(recipients=mail.recipients, references=mail.references)
    if thread.ticket_id is not None:
        ticket = Ticket.objects.select_related("customer").filter(pk=thread.ticket_id).first()
        if ticket is None:
            _finish(message, status=InboundStatus.HELD, reason=deferred(_("Reply to a ticket that no longer exists.")))
            return
        if not _sender_may_write(ticket=ticket, address=mail.from_address):
            reason = deferred(
                _("Reply to %(ticket)s from %(sender)s, who is not the ticket's customer or a verified contact."),
                ticket=ticket.number,
                sender=mail.from_address,
            )
            _finish(message, status=InboundStatus.HELD, reason=reason, ticket=ticket)
            return
        unauthenticated = _authenticated(mail=mail, ticket=ticket)
        if unauthenticated is not None:
            # The From address may be forged (anyone who saw one of our mails has the reply tag).
            _finish(message, status=InboundStatus.HELD, reason=unauthenticated, ticket=ticket)
            return
        if ticket.status in FINAL_STATUSES:
            # An archived ticket is read-only: an agent reopens it or registers a new ticket.
            reason = deferred(
                _("Reply to %(ticket)s, which is archived (%(status)s): reopen it or make a new ticket."),
                ticket=ticket.number,
                status=TicketStatus(ticket.status).label,
            )
            _finish(message, status=InboundStatus.HELD, reason=reason, ticket=ticket)
            return
        _add_customer_message(ticket=ticket, mail=mail, message=message)
        refused = _add_attachments(ticket=ticket, mail=mail, actor=None)
        _finish(
            message,
            status=InboundStatus.PROCESSED,
            outcome=InboundOutcome.REPLY_ADDED,
            ticket=ticket,
            reason=_refused_reason(refused),
        )
        return
    if thread.forged:
        _finish(message, status=InboundStatus.HELD, reason=deferred(_("Reply address or Message-ID with an invalid signature.")))
        return
    named = [n for n in TICKET_NUMBER_RE.findall(mail.subject) if Ticket.objects.filter(number=n).exists()]
    if named:
        # Matching by the subject alone would let anyone write into any ticket: an agent decides.
        reason = deferred(_("The subject names ticket %(ticket)s, but the message is not a reply to our mail."), ticket=named[0])
        # Related to that ticket: only staff who may see it read the mail (``may_read``).
        _finish(message, status=InboundStatus.HELD, reason=reason, ticket=Ticket.objects.get(number=named[0]))
        return
    unverified = _known_sender_unauthenticated(mail)
    if unverified is not None:
        _finish(message, status=InboundStatus.HELD, reason=unverified)
        return
    try:
        with transaction.atomic():
            ticket = _create_ticket(mail=mail, message=message, actor=None)
            refused = _add_attachments(ticket=ticket, mail=mail, actor=None)
    except DomainError as exc:
        _finish(
            message, status=InboundStatus.HELD, reason=deferred(_("Could not register a ticket: %(error)s"), error=exc.message)
        )
        return
    _finish(
        message,
        status=InboundStatus.PROCESSED,
        outcome=InboundOutcome.TICKET_CREATED,
        ticket=ticket,
        reason=_refused_reason(refused),
    )


def mailin_process(*, message_id: int) -> InboundMessage | None:
    """Process one stored message once. Never raises for a bad message: it is held instead."""
    try:
        with transaction.atomic():
            message = InboundMessage.objects.select_for_update().filter(pk=message_id).first()
            if message is None or message.status != InboundStatus.NEW:
                return message
            try:
                mail = parsing.parse(bytes(message.raw))
            except Exception as exc:  # noqa: BLE001 - malformed mail is held with the reason, never lost
                why = exc.text if isinstance(exc, parsing.MailFormatError) else str(exc)[:500]
                _finish(message, status=InboundStatus.HELD, reason=deferred(_("Malformed message: %(error)s"), error=why))
                return message
            message.body_text = mail.text[: parsing.MAX_TEXT_CHARS]
            message.body_html = mail.html[:200000]
            message.attachment_names = [a.filename for a in mail.attachments]
            _classify(message, mail)
            return message
    except Exception as exc:
        logger.exception("inbound message %s could not be processed", message_id)
        with transaction.atomic():
            message = InboundMessage.objects.select_for_update().filter(pk=message_id, status=InboundStatus.NEW).first()
            if message is not None:
                message.status = InboundStatus.HELD
                _set_reason(message, deferred(_("Processing failed: %(error)s"), error=f"{type(exc).__name__}: {exc}"[:1000]))
                message.processed_at = clock.now()
                message.save(update_fields=["status", "reason", "reason_text", "processed_at"])
        return message


def mailin_stale_new(*, older_than_minutes: int = 5) -> list[int]:
    """Stored messages still new after a while (their processing job was lost)."""
    import datetime as dt

    cutoff = clock.now() - dt.timedelta(minutes=older_than_minutes)
    return list(
        InboundMessage.objects.filter(Q(status=InboundStatus.NEW) & Q(received_at__lt=cutoff)).values_list("pk", flat=True)[:500]
    )
