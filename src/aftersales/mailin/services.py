"""Email intake: store every message first, then turn it into a ticket, a customer's message on
a ticket's timeline, or an entry in the held queue for an agent.

Order of guarantees: ``mailin_store`` commits the raw message (unique by Message-ID) before the
mailbox is told anything; ``mailin_process`` never raises (a message it cannot handle ends in the
held queue with the reason); tickets come from the same ``ticket_intake`` as the web pages, keyed
by the message so that processing twice creates one ticket; automatic mail (auto-replies,
bounces, our own mail coming back) is kept but answered by nobody.
"""

from __future__ import annotations

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
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.i18n import ACTOR_EMAIL
from aftersales.customers.models import Contact
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.selectors import ticket_get_for_user
from aftersales.tickets.services import IntakeInput, ticket_add_attachment, ticket_add_customer_message, ticket_intake
from aftersales.tickets.states import FINAL_STATUSES

from . import parsing
from .audit_actions import MailinAudit
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
    mail_from = mail_to = subject = ""
    try:
        import email
        from email import policy

        headers = email.message_from_bytes(raw, policy=policy.compat32)
        mail_from = parsing.decode_header_text(str(headers.get("From", "")))[:320]
        mail_to = parsing.decode_header_text(str(headers.get("To", "")))[:2000]
        subject = parsing.decode_header_text(str(headers.get("Subject", "")))[:255]
    except Exception:  # noqa: BLE001 - the headers are a convenience; the raw bytes are what counts
        logger.warning("could not read the headers of inbound message %s", message_id)
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                raw=raw,
                sha256=digest,
                message_id=message_id,
                mail_from=mail_from,
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


def _finish(message: InboundMessage, *, status: str, reason: str = "", outcome: str = "", ticket: Ticket | None = None) -> None:
    message.status = status
    message.reason = reason[:2000]
    message.outcome = outcome
    if ticket is not None:
        message.ticket = ticket
    message.processed_at = clock.now()
    message.save(
        update_fields=["status", "reason", "outcome", "ticket", "processed_at", "body_text", "body_html", "attachment_names"]
    )


def _sender_may_write(*, ticket: Ticket, address: str) -> bool:
    """The ticket's customer (their address or the ticket's contact address) or a verified contact."""
    address = address.lower()
    customer = ticket.customer
    if address in {(customer.email or "").lower(), (ticket.contact_email or "").lower()} - {""}:
        return True
    return Contact.objects.filter(customer=customer, verified=True, email__iexact=address).exists()


def _add_attachments(*, ticket: Ticket, mail: ParsedMail, actor: User | None) -> list[str]:
    """Attach what the tickets' validation accepts; return notes on what it refused."""
    refused = []
    for attachment in mail.attachments:
        try:
            ticket_add_attachment(ticket=ticket, actor=actor, fileobj=io.BytesIO(attachment.data), filename=attachment.filename)
        except ValidationFailed as exc:
            refused.append(f"{attachment.filename}: {exc}")
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
    _local, domain = mailbox_address()
    ours = {f"{_local}@{domain}".lower(), parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    if (
        is_our_message_id(mail.message_id)
        or "x-aftersales-notification" in mail.headers
        or "x-aftersales-ticket" in mail.headers
        or mail.from_address in ours
        or (mail.from_address.partition("@")[0].startswith(f"{_local}+") and mail.from_address.endswith("@" + domain))
    ):
        _finish(message, status=InboundStatus.IGNORED, reason="mail loop: our own message came back")
        return
    automatic = parsing.automatic_reason(mail)
    if automatic:
        _finish(message, status=InboundStatus.IGNORED, reason=automatic)
        return
    if mail.from_count != 1:
        _finish(message, status=InboundStatus.HELD, reason="more than one From address")
        return
    thread = match_thread(recipients=mail.recipients, references=mail.references)
    if thread.ticket_id is not None:
        ticket = Ticket.objects.select_related("customer").filter(pk=thread.ticket_id).first()
        if ticket is None:
            _finish(message, status=InboundStatus.HELD, reason="reply to a ticket that no longer exists")
            return
        if not _sender_may_write(ticket=ticket, address=mail.from_address):
            _finish(
                message,
                status=InboundStatus.HELD,
                reason=f"reply to {ticket.number} from {mail.from_address}, who is not the ticket's customer or a verified contact",
                ticket=ticket,
            )
            return
        if ticket.status in FINAL_STATUSES:
            # An archived ticket is read-only: an agent reopens it or registers a new ticket.
            _finish(
                message,
                status=InboundStatus.HELD,
                reason=f"reply to {ticket.number}, which is archived ({ticket.status}): reopen it or make a new ticket",
                ticket=ticket,
            )
            return
        _add_customer_message(ticket=ticket, mail=mail, message=message)
        refused = _add_attachments(ticket=ticket, mail=mail, actor=None)
        _finish(
            message,
            status=InboundStatus.PROCESSED,
            outcome=InboundOutcome.REPLY_ADDED,
            ticket=ticket,
            reason="; ".join(["attachments refused: " + ", ".join(refused)] if refused else []),
        )
        return
    if thread.forged:
        _finish(message, status=InboundStatus.HELD, reason="reply address or Message-ID with an invalid signature")
        return
    named = [n for n in TICKET_NUMBER_RE.findall(mail.subject) if Ticket.objects.filter(number=n).exists()]
    if named:
        # Matching by the subject alone would let anyone write into any ticket: an agent decides.
        _finish(
            message,
            status=InboundStatus.HELD,
            reason=f"the subject names ticket {named[0]}, but the message is not a reply to our mail",
        )
        return
    try:
        with transaction.atomic():
            ticket = _create_ticket(mail=mail, message=message, actor=None)
            refused = _add_attachments(ticket=ticket, mail=mail, actor=None)
    except DomainError as exc:
        _finish(message, status=InboundStatus.HELD, reason=f"could not register a ticket: {exc}")
        return
    _finish(
        message,
        status=InboundStatus.PROCESSED,
        outcome=InboundOutcome.TICKET_CREATED,
        ticket=ticket,
        reason="; ".join(["attachments refused: " + ", ".join(refused)] if refused else []),
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
                _finish(message, status=InboundStatus.HELD, reason=f"malformed message: {exc}"[:500])
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
                message.reason = f"processing failed: {type(exc).__name__}: {exc}"[:2000]
                message.processed_at = clock.now()
                message.save(update_fields=["status", "reason", "processed_at"])
        return message


# --- The held queue: what agents do -----------------------------------------------------------

HELD_QUEUE_ROLES = {"agent", "supervisor", "quality_manager", "administrator"}


def _check_agent(actor: User) -> None:
    if not (actor.is_superuser or (actor.role in HELD_QUEUE_ROLES and actor.is_active)):
        raise PermissionDenied(_("Only agents handle held emails."), code="mailin_agents_only")


def _lock_held(message: InboundMessage, *, include_ignored: bool = True) -> InboundMessage:
    statuses = [InboundStatus.HELD, InboundStatus.IGNORED] if include_ignored else [InboundStatus.HELD]
    locked = InboundMessage.objects.select_for_update().filter(pk=message.pk).first()
    if locked is None:
        raise NotFound(_("This email no longer exists."), code="mailin_not_found")
    if locked.status not in statuses or locked.outcome:
        raise DomainError(_("This email was already handled."), code="mailin_already_handled")
    return locked


def _parsed_or_refuse(message: InboundMessage) -> ParsedMail:
    try:
        return parsing.parse(bytes(message.raw))
    except Exception as exc:  # noqa: BLE001 - shown to the agent
        raise DomainError(
            _("This email cannot be read (%(reason)s); discard it or forward it as a new email.") % {"reason": exc},
            code="mailin_unreadable",
        ) from None


@transaction.atomic
def mailin_release_to_ticket(*, actor: User, message: InboundMessage, ticket_number: str) -> TicketEvent:
    """An agent decides the held email belongs on a ticket (one the agent can see)."""
    _check_agent(actor)
    locked = _lock_held(message)
    ticket = ticket_get_for_user(user=actor, number=(ticket_number or "").strip())
    mail = _parsed_or_refuse(locked)
    event = _add_customer_message(ticket=ticket, mail=mail, message=locked, released_by=actor)
    refused = _add_attachments(ticket=ticket, mail=mail, actor=actor)
    locked.handled_by = actor
    locked.save(update_fields=["handled_by"])
    _finish(
        locked,
        status=InboundStatus.PROCESSED,
        outcome=InboundOutcome.RELEASED,
        ticket=ticket,
        reason=locked.reason + ("; attachments refused: " + ", ".join(refused) if refused else ""),
    )
    audit_record(action=MailinAudit.RELEASED, obj=locked, actor=actor, changes={"ticket": ticket.number})
    return event


@transaction.atomic
def mailin_make_ticket(*, actor: User, message: InboundMessage) -> Ticket:
    """An agent registers the held email as a new ticket (the customer is told its number)."""
    _check_agent(actor)
    locked = _lock_held(message)
    mail = _parsed_or_refuse(locked)
    ticket = _create_ticket(mail=mail, message=locked, actor=actor)
    refused = _add_attachments(ticket=ticket, mail=mail, actor=actor)
    locked.handled_by = actor
    locked.save(update_fields=["handled_by"])
    _finish(
        locked,
        status=InboundStatus.PROCESSED,
        outcome=InboundOutcome.TICKET_CREATED,
        ticket=ticket,
        reason=locked.reason + ("; attachments refused: " + ", ".join(refused) if refused else ""),
    )
    audit_record(action=MailinAudit.TICKET_CREATED, obj=locked, actor=actor, changes={"ticket": ticket.number})
    return ticket


@transaction.atomic
def mailin_discard(*, actor: User, message: InboundMessage, note: str = "") -> InboundMessage:
    """An agent discards a held email; the raw message stays stored."""
    _check_agent(actor)
    locked = _lock_held(message, include_ignored=False)
    locked.status = InboundStatus.IGNORED
    locked.outcome = InboundOutcome.DISCARDED
    locked.handled_by = actor
    locked.reason = f"{locked.reason}; discarded by {actor}{': ' + note.strip() if note.strip() else ''}"[:2000]
    locked.processed_at = clock.now()
    locked.save(update_fields=["status", "outcome", "handled_by", "reason", "processed_at"])
    audit_record(action=MailinAudit.DISCARDED, obj=locked, actor=actor, changes={"note": note.strip()[:500]})
    return locked


def mailin_stale_new(*, older_than_minutes: int = 5) -> list[int]:
    """Stored messages still new after a while (their processing job was lost)."""
    import datetime as dt

    cutoff = clock.now() - dt.timedelta(minutes=older_than_minutes)
    return list(
        InboundMessage.objects.filter(Q(status=InboundStatus.NEW) & Q(received_at__lt=cutoff)).values_list("pk", flat=True)[:500]
    )
