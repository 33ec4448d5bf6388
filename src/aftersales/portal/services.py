"""The customer's own writes in the portal, composed of the services every channel uses."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import PermissionDenied
from aftersales.tickets.services import IntakeInput, IntakeResult, ticket_add_attachment, ticket_intake


@transaction.atomic
def portal_submit_request(
    *, actor: User, data: IntakeInput, files: Sequence[UploadedFile] = (), idempotency_key: str | None = None
) -> IntakeResult:
    """A signed-in customer's request: the ticket through the one intake door (numbered, on the
    timeline, audited, the customer told), with the photos the customer chose, all in one
    transaction — a request is stored with all its files or not at all. The same idempotency key
    (the form's hidden token) answers a double submit with the first ticket and stores nothing."""
    if not actor.is_customer:
        raise PermissionDenied(_("Only customers submit requests in the portal."), code="not_a_customer")
    result = ticket_intake(data=data, actor=actor, idempotency_key=idempotency_key)
    if result.created:
        for upload in files:
            ticket_add_attachment(ticket=result.ticket, actor=actor, fileobj=upload, filename=upload.name or "", public=True)
    return result
