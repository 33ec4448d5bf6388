"""The customer's own writes in the portal, composed of the services every channel uses."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import PermissionDenied
from aftersales.tickets.services import IntakeInput, IntakeResult, ticket_add_attachment, ticket_intake
from aftersales.tickets.services.intake import IntakeFile


@transaction.atomic
def portal_submit_request(
    *,
    actor: User,
    data: IntakeInput,
    files: Sequence[IntakeFile | UploadedFile] = (),
    idempotency_key: str | None = None,
) -> IntakeResult:
    """A signed-in customer's request: the ticket through the one intake door (numbered, on the
    timeline, audited, the customer told), with the files the customer chose, all in one
    transaction — a request is stored with all its files or not at all. The same idempotency key
    (the form's hidden token) answers a double submit with the first ticket and stores nothing.

    Each file keeps its kind (``IntakeFile``: the request form's ``evidence``; a bare file: from
    its type, ``tickets.attachments.kind_for_type``) and is visible to the customer who sent it,
    whatever its kind (a receipt the customer sent is theirs to see)."""
    if not actor.is_customer:
        raise PermissionDenied(_("Only customers submit requests in the portal."), code="not_a_customer")
    result = ticket_intake(data=data, actor=actor, idempotency_key=idempotency_key)
    if result.created:
        for item in files:
            if isinstance(item, IntakeFile):
                fileobj, name, kind = item.file, item.name, item.kind or None
            else:
                fileobj, name, kind = item, item.name or "", None
            ticket_add_attachment(ticket=result.ticket, actor=actor, fileobj=fileobj, filename=name, public=True, kind=kind)
    return result
