"""Every audit action the revisits record (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class RevisitAudit(AuditAction):
    CREATED = "revisit.created"
    CALL_RECORDED = "revisit.call_recorded"
    NOT_REACHED = "revisit.not_reached"
    DONE = "revisit.done"
    ESCALATED = "revisit.escalated"
    CANCELLED = "revisit.cancelled"
    TICKET_RAISED = "revisit.ticket_raised"
    STAFF_COMPLAINT = "revisit.staff_complaint"
    # An open revisit handed to another agent, or put back unassigned (the staff handover).
    REASSIGNED = "revisit.reassigned"
