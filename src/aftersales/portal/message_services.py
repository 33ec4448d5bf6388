"""The customer writes to us from their ticket page: a message, photos or files, or both.

Composed of the services every channel uses: the message is the customer's message on the
timeline (``ticket_add_customer_message``: public, audited, counts as contact from the customer),
each file an attachment (``ticket_add_attachment``: type read from the bytes, size limit, virus
scan, metadata stripped; public: the customer sees what they sent). One transaction: a message
is stored with all its files or not at all. The form's hidden key makes a double submit send it
once (core's idempotency store, as the API's ``Idempotency-Key`` and the request form): the same
key and content answer with the first message, the same key with other content is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import idempotency
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from aftersales.tickets.services import ticket_add_attachment, ticket_add_customer_message

OWNER = "portal_message"  # the idempotency keys' namespace
KEY_FIELD = "idempotency_key"


@dataclass(frozen=True)
class PortalMessage:
    """What was stored: the message (none when only files were sent) and the files; ``replayed``:
    an earlier submit with the same key stored them."""

    ticket_id: int
    event_id: int | None
    attachment_ids: tuple[int, ...]
    replayed: bool = False


def _fingerprint(ticket: Ticket, body: str, files: Sequence[UploadedFile]) -> str:
    digests = []
    for upload in files:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        digests.append([upload.name or "", digest.hexdigest()])
    payload = json.dumps([ticket.pk, body, digests], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _check_customer(ticket: Ticket, actor: User | None) -> None:
    """Only the ticket's own customer writes here (``None``: the holder of the signed link)."""
    if actor is not None and (not actor.is_customer or ticket.customer.user_id != actor.pk):
        raise PermissionDenied(_("Only the customer of this request writes to us here."), code="not_the_customer")


def _replayed(event_id: int | None, ticket: Ticket) -> PortalMessage:
    """The answer to a repeated submit: the message the first one stored (if it had text)."""
    found = TicketEvent.objects.filter(pk=event_id, ticket=ticket).values_list("pk", flat=True).first() if event_id else None
    return PortalMessage(ticket_id=ticket.pk, event_id=found, attachment_ids=(), replayed=True)


@transaction.atomic
def _store(
    *, ticket: Ticket, actor: User | None, body: str, files: Sequence[UploadedFile], key: str | None, fingerprint: str
) -> PortalMessage:
    record = None
    if key is not None:
        earlier = idempotency.find(owner=OWNER, key=key, fingerprint=fingerprint, field=KEY_FIELD)
        if earlier is not None:
            return _replayed(earlier.object_id, ticket)
        record = idempotency.remember(owner=OWNER, key=key, fingerprint=fingerprint, status=201)
    event = None
    if body:
        label = "" if actor is not None else ticket.customer.name
        event = ticket_add_customer_message(ticket=ticket, body=body, actor=actor, actor_label=label, data={"via": "portal"})
    stored: list[Attachment] = [
        ticket_add_attachment(ticket=ticket, actor=actor, fileobj=upload, filename=upload.name or "", public=True)
        for upload in files
    ]
    if record is not None and event is not None:
        record.object_id = event.pk
        record.save(update_fields=["object_id"])
    return PortalMessage(ticket_id=ticket.pk, event_id=event.pk if event else None, attachment_ids=tuple(a.pk for a in stored))


def portal_send_message(
    *,
    ticket: Ticket,
    actor: User | None,
    body: str,
    files: Sequence[UploadedFile] = (),
    idempotency_key: str | None = None,
) -> PortalMessage:
    """The customer's message and files on their ticket (``actor``: their portal account;
    ``None``: through the signed link, named by the customer's name). Refused: empty
    (``message_empty`` on ``body``), an archived ticket (``ticket_final``), a refused file (on
    ``attachment``), a key used for another message (``idempotency_key_reused``)."""
    _check_customer(ticket, actor)
    text = (body or "").strip()
    if not text and not files:
        raise ValidationFailed({"body": [_("Write a message or add a photo or file.")]}, code="message_empty")
    key = idempotency.clean_key(idempotency_key, field=KEY_FIELD)
    fingerprint = _fingerprint(ticket, text, files) if key is not None else ""
    try:
        return _store(ticket=ticket, actor=actor, body=text, files=files, key=key, fingerprint=fingerprint)
    except IntegrityError:
        # The same key sent twice at once: the other request stored it first; answer as it did.
        if key is None:
            raise
        earlier = idempotency.find(owner=OWNER, key=key, fingerprint=fingerprint, field=KEY_FIELD)
        if earlier is None:
            raise
        return _replayed(earlier.object_id, ticket)
