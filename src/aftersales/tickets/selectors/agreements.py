"""The customer's signed agreement (``CustomerAgreement.document``): the file drawn in the portal
(a PNG of the signature) or the scan a handler uploaded, found through the viewer's scope.

Staff open it from the ticket page, the customer from their portal page; the audit row of the
opening is ``tickets.services.agreements``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound

from ..attachments import ALLOWED_CONTENT_TYPES
from ..models import CustomerAgreement, Ticket
from .scope import ticket_get_for_user

# The stored name's extension was chosen from the sniffed bytes when the file was stored
# (``ticket_record_agreement``: ``agreement.<ext>``), so it names the real type.
CONTENT_TYPE_BY_EXTENSION: dict[str, str] = {}
for _content_type, _extension in ALLOWED_CONTENT_TYPES.items():
    CONTENT_TYPE_BY_EXTENSION.setdefault(_extension, _content_type)
# Shown in the page as an image; any other type is only downloaded.
INLINE_CONTENT_TYPES = frozenset({"image/png", "image/jpeg"})


@dataclass(frozen=True)
class AgreementDocument:
    agreement: CustomerAgreement
    ticket: Ticket
    content_type: str

    @property
    def filename(self) -> str:
        """The name the browser saves it under: the ticket's number and the plan's."""
        suffix = PurePosixPath(self.agreement.document.name).suffix.lower()
        return f"{self.ticket.number}-plan-{self.agreement.plan.number}-agreement{suffix}"

    @property
    def inline(self) -> bool:
        return self.content_type in INLINE_CONTENT_TYPES


def agreement_document_type(agreement: CustomerAgreement) -> str:
    suffix = PurePosixPath(agreement.document.name).suffix.lower()
    return CONTENT_TYPE_BY_EXTENSION.get(suffix, "application/octet-stream")


def agreement_document_get_for_user(*, user: User, number: str, agreement_id: int) -> AgreementDocument:
    """The signed agreement ``agreement_id`` of ticket ``number``, if ``user`` may see the ticket
    (staff by their data scope, a customer their own) and a file is on record; ``NotFound``
    otherwise (no existence leak)."""
    ticket = ticket_get_for_user(user=user, number=number)
    agreement = (
        CustomerAgreement.objects.select_related("plan").filter(pk=agreement_id, plan__ticket=ticket).exclude(document="").first()
    )
    if agreement is None:
        raise NotFound("agreement document not found")
    return AgreementDocument(agreement=agreement, ticket=ticket, content_type=agreement_document_type(agreement))
