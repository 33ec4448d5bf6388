"""The one write of opening a signed agreement: the audit row of the personal data it shows."""

from __future__ import annotations

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record_view
from aftersales.customers.audit_actions import CustomerAudit

from ..selectors.agreements import AgreementDocument


def agreement_document_record_view(*, document: AgreementDocument, viewer: User, inline: bool) -> None:
    """Log that ``viewer`` opened the customer's signed agreement of ``document`` (``inline``: the
    small signature on the ticket page; else downloaded), like every view of personal data
    (SPEC §4). Nothing for the customer opening their own (as with their case file)."""
    if viewer.is_customer:
        return
    audit_record_view(
        action=CustomerAudit.PERSONAL_DATA_VIEWED,
        obj=document.ticket.customer,
        actor=viewer,
        changes={
            "ticket": document.ticket.number,
            "agreement": document.agreement.pk,
            "fields": ["signed_agreement"],
            "shown": "inline" if inline else "download",
        },
    )
