"""The one write a case file makes: the audit row of the personal data it shows (SPEC §4)."""

from __future__ import annotations

from aftersales.audit.services import audit_record_view
from aftersales.customers.audit_actions import CustomerAudit

from .content import CaseFile

PERSONAL_FIELDS = ["name", "phone", "contact_name", "contact_phone", "contact_email", "address"]


def case_file_record_view(*, case: CaseFile, via: str) -> None:
    """Log that ``case.viewer`` saw the customer's personal data in a case file (``via``: "page"
    or "api"), like a view of the ticket page. Nothing for a masked copy or the customer's own."""
    if case.party.masked or case.viewer.is_customer:
        return
    audit_record_view(
        action=CustomerAudit.PERSONAL_DATA_VIEWED,
        obj=case.ticket.customer,
        actor=case.viewer,
        changes={"ticket": case.ticket.number, "case_file": via, "fields": PERSONAL_FIELDS},
    )
