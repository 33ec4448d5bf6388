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
    # The trip log (出差日志).
    TRIP_OPENED = "travel.trip_opened"
    TRIP_ENTRY_ADDED = "travel.trip_entry_added"
    TRIP_ENTRY_REMOVED = "travel.trip_entry_removed"
    TRIP_SUBMITTED = "travel.trip_submitted"
    TRIP_APPROVED = "travel.trip_approved"
    TRIP_RETURNED = "travel.trip_returned"
    TRIP_CANCELLED = "travel.trip_cancelled"
