"""Additions to a ticket's timeline: notes, messages, calls, attachments.

An archived ticket (a final status: closed, rejected, cancelled, merged) is read-only: its case
file is complete, so nothing is added to it any more — not a note, a message, a call record or a
file. A closed ticket that needs more work is reopened first (the one move it still accepts);
``archived_refusal`` is the refusal every service gives for it (code ``ticket_final``)."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.notifications.services import notify_staff
from aftersales.notifications.text import Verbatim

from ..attachments import attachment_stage, kind_for_type, sniff_upload
from ..audit_actions import TicketAudit
from ..choices import EventKind, EvidenceKind
from ..locking import lock_ticket
from ..models import Attachment, Ticket, TicketEvent
from ..selectors.recipients import CUSTOMER_MESSAGE, staff_to_tell_customer_wrote
from ..states import FINAL_STATUSES, TicketStatus
from .first_response import FirstResponseVia, ticket_record_first_response


def archived_refusal(status: TicketStatus | str) -> DomainError:
    """The refusal of any change to an archived ticket, saying what the user can still do."""
    if status == TicketStatus.CLOSED:
        return DomainError(
            _("This ticket is closed and archived: it is read-only. Reopen it to continue working on it."),
            code="ticket_final",
            field="status",
        )
    return DomainError(
        _("This ticket is archived (%(status)s): it is read-only.") % {"status": TicketStatus(status).label},
        code="ticket_final",
        field="status",
    )


def _refuse_if_archived(ticket: Ticket) -> None:
    """Lock the ticket and refuse when it is archived: decided by the locked row, so an entry
    cannot slip in next to a concurrent close."""
    locked = lock_ticket(ticket.pk)
    if locked.status in FINAL_STATUSES:
        raise archived_refusal(locked.status)


@transaction.atomic
def ticket_add_note(*, ticket: Ticket, actor: User, body: str, public: bool = False, kind: str = EventKind.NOTE) -> TicketEvent:
    """Add a timeline entry (internal note, message to the customer, call record).

    Refused on an archived ticket (``ticket_final``).
    """
    _refuse_if_archived(ticket)
    text = (body or "").strip()
    if not text:
        raise ValidationFailed({"body": [_("Write something first.")]}, code="note_empty")
    if len(text) > 20000:
        raise ValidationFailed({"body": [_("The text is too long (at most 20,000 characters).")]}, code="note_too_long")
    if kind not in {EventKind.NOTE, EventKind.MESSAGE_OUT, EventKind.MESSAGE_IN, EventKind.CALL}:
        raise ValidationFailed({"kind": [_("Choose a valid entry type.")]}, code="note_kind")
    now = clock.now()
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_label=str(actor),
        public=public or kind in {EventKind.MESSAGE_OUT, EventKind.MESSAGE_IN},
        body=text,
        created_at=now,
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    # A message or a call by staff is customer-facing: the first one is the first response.
    if kind in {EventKind.MESSAGE_OUT, EventKind.CALL}:
        via = FirstResponseVia.MESSAGE if kind == EventKind.MESSAGE_OUT else FirstResponseVia.CALL
        ticket_record_first_response(ticket=ticket, actor=actor, via=via, event=event)
    audit_record(action=TicketAudit(f"ticket.{kind}"), obj=ticket, actor=actor)
    return event


@transaction.atomic
def ticket_add_customer_message(
    *,
    ticket: Ticket,
    body: str,
    actor: User | None = None,
    actor_label: str = "",
    data: dict[str, Any] | None = None,
    audit_actor: User | None = None,
) -> TicketEvent:
    """A message from the customer on the timeline (public), from any channel — also from a
    customer without a portal account (``actor=None``, named by ``actor_label``, e.g. the sender
    of an email). ``audit_actor`` is the staff member who released a held message, if any.
    Counts as contact from the customer (auto-close waits for the customer's silence), and the
    staff handling the ticket are told (``_tell_staff_customer_wrote``).
    Refused on an archived ticket (``ticket_final``): the caller keeps the message elsewhere
    (email intake holds it for an agent)."""
    _refuse_if_archived(ticket)
    text = (body or "").strip()
    if not text:
        raise ValidationFailed({"body": [_("Write something first.")]}, code="note_empty")
    now = clock.now()
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.MESSAGE_IN,
        actor=actor,
        actor_label=(actor_label or (str(actor) if actor is not None else ""))[:128],
        public=True,
        body=text[:20000],
        data=data or {},
        created_at=now,
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now, last_customer_contact_at=now)
    audit_record(
        action=TicketAudit.MESSAGE_IN,
        obj=ticket,
        actor=audit_actor or actor,
        actor_label="" if audit_actor or actor else (actor_label or "customer")[:128],
        changes={"event": event.pk, **(data or {})},
    )
    _tell_staff_customer_wrote(ticket=ticket, event=event, acting=[audit_actor, actor])
    return event


# How much of a customer's message the staff notice quotes.
EXCERPT_CHARS = 120


def _excerpt(text: str) -> str:
    """The message on one line, cut at ``EXCERPT_CHARS`` with "…"."""
    line = " ".join(text.split())
    return line if len(line) <= EXCERPT_CHARS else line[: EXCERPT_CHARS - 1].rstrip() + "…"


def _tell_staff_customer_wrote(*, ticket: Ticket, event: TicketEvent, acting: list[User | None]) -> None:
    """The editable "customer_message" notice (``notifications.template_staff_events``), in the
    inbox of the ticket's assignee, else of the supervisors an unassigned ticket's alerts go to
    (``selectors.recipients``): never of a staff member in ``acting`` (who released a held
    e-mail), and once per ticket until the recipient has read it. Read under the ticket's lock
    (``_refuse_if_archived``): two messages at once cannot both notify; the notification is
    delivered after commit (``notifications.services.notification_queue``)."""
    assignee_id = Ticket.objects.filter(pk=ticket.pk).values_list("assignee_id", flat=True).get()
    not_to = {user.pk for user in acting if user is not None and not user.is_customer}
    users = staff_to_tell_customer_wrote(ticket=ticket, assignee_id=assignee_id, not_to=not_to)
    if not users:
        return
    notify_staff(
        users=users,
        template=CUSTOMER_MESSAGE,
        ticket=ticket,
        params={
            "number": ticket.number,
            "customer": Verbatim(event.actor_label or ticket.contact_name or ticket.customer.name),
            "excerpt": Verbatim(_excerpt(event.body)),
        },
    )


@transaction.atomic
def ticket_add_attachment(
    *, ticket: Ticket, actor: User | None, fileobj: IO[bytes], filename: str, public: bool = True, kind: str | None = None
) -> Attachment:
    """Store an uploaded file under a generated name after checking its real type and size.

    ``kind`` (an ``EvidenceKind``) says what the file is; ``None``: from its type, a photo or
    video is a photo, anything else another file (``attachments.kind_for_type``); it is kept on
    the attachment (the audit row names the attachment). Refused on an archived ticket
    (``ticket_final``); an unknown kind: ``attachment_kind_invalid`` on ``kind``."""
    _refuse_if_archived(ticket)
    if kind is not None and kind not in EvidenceKind.values:
        raise ValidationFailed({"kind": [_("Say what the file is.")]}, code="attachment_kind_invalid")
    sniffed = sniff_upload(fileobj)
    kind = kind or kind_for_type(sniffed.content_type)
    now = clock.now()
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.ATTACHMENT,
        actor=actor,
        actor_label=str(actor) if actor else "system",
        public=public,
        body=(filename or "")[:200],
        data={"content_type": sniffed.content_type, "size": sniffed.size},
        created_at=now,
    )
    attachment = attachment_stage(
        ticket_id=ticket.pk,
        fileobj=fileobj,
        sniffed=sniffed,
        filename=filename,
        public=public,
        actor_id=actor.pk if actor is not None else None,
        kind=kind,
    )
    attachment.event = event
    attachment.save()
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    audit_record(action=TicketAudit.ATTACHMENT_ADDED, obj=ticket, actor=actor, changes={"attachment": attachment.pk})
    return attachment
