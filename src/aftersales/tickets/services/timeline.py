"""Additions to a ticket's timeline: notes, messages, calls, attachments. Allowed on every
ticket, closed ones included: later additions to an archived ticket are new events, never edits."""

from __future__ import annotations

from typing import IO, Any

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed

from ..attachments import sniff_upload
from ..audit_actions import TicketAudit
from ..choices import EventKind
from ..effects import TICKET_FIRST_RESPONSE
from ..models import Attachment, Ticket, TicketEvent


@transaction.atomic
def ticket_add_note(*, ticket: Ticket, actor: User, body: str, public: bool = False, kind: str = EventKind.NOTE) -> TicketEvent:
    """Add a timeline entry (internal note, message to the customer, call record).

    Allowed on every ticket, closed ones included: later additions to an archived ticket are
    new timeline events, never edits.
    """
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
    # Decided by the row, not by the caller's copy, which may be stale: set once, never moved.
    if (
        kind in {EventKind.MESSAGE_OUT, EventKind.CALL}
        and not actor.is_customer
        and Ticket.objects.filter(pk=ticket.pk, first_responded_at__isnull=True).update(first_responded_at=now)
    ):
        TICKET_FIRST_RESPONSE.send(ticket=ticket, at=now)
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
    Counts as contact from the customer (auto-close waits for the customer's silence)."""
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
    return event


@transaction.atomic
def ticket_add_attachment(
    *, ticket: Ticket, actor: User | None, fileobj: IO[bytes], filename: str, public: bool = True
) -> Attachment:
    """Store an uploaded file under a generated name after checking its real type and size."""
    sniffed = sniff_upload(fileobj)
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
    attachment = Attachment(
        ticket=ticket,
        event=event,
        original_name=(filename or "file")[:200],
        content_type=sniffed.content_type,
        size=sniffed.size,
        sha256=sniffed.sha256,
        public=public,
        uploaded_by=actor,
    )
    attachment.file.save(f"upload{sniffed.extension}", File(fileobj), save=False)
    attachment.save()
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
    audit_record(action=TicketAudit.ATTACHMENT_ADDED, obj=ticket, actor=actor, changes={"attachment": attachment.pk})
    return attachment
