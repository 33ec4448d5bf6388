"""Every audit action of the travel app (cash advances and reimbursements)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class TravelAudit(AuditAction):
    ADVANCE_REQUESTED = "travel.advance_requested"
    ADVANCE_APPROVED = "travel.advance_approved"
    ADVANCE_REJECTED = "travel.advance_rejected"
    ADVANCE_PAID = "travel.advance_paid"
    ADVANCE_SETTLED = "travel.advance_settled"
    ADVANCE_CANCELLED = "travel.advance_cancelled"
    # A paid advance overdue for settlement: the technician and finance reminded (the daily job).
    ADVANCE_OVERDUE_REMINDED = "travel.advance_overdue_reminded"
    REIMBURSEMENT_DRAFTED = "travel.reimbursement_drafted"
    REIMBURSEMENT_POSTED = "travel.reimbursement_posted"
    REIMBURSEMENT_CLOSED = "travel.reimbursement_closed"
    REIMBURSEMENT_CANCELLED = "travel.reimbursement_cancelled"
