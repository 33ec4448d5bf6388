"""Every audit action the tickets app records (stored values unchanged since they were strings)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class TicketAudit(AuditAction):
    CREATED = "ticket.created"
    STATUS_CHANGED = "ticket.status_changed"
    ASSIGNED = "ticket.assigned"
    CLAIMED = "ticket.claimed"  # a handler took the ticket ("take it")
    AUTO_ASSIGNED = "ticket.auto_assigned"  # an assignment rule chose the assignee
    ATTACHMENT_ADDED = "ticket.attachment_added"
    # Timeline entries, by their kind (``EventKind``): ``TicketAudit(f"ticket.{kind}")``.
    NOTE = "ticket.note"
    MESSAGE_OUT = "ticket.message_out"
    MESSAGE_IN = "ticket.message_in"
    CALL = "ticket.call"
    # Process steps that change fields (``process.common.save_fields``).
    VERIFIED = "ticket.verified"
    INFORMATION_REQUESTED = "ticket.information_requested"
    INFORMATION_RECEIVED = "ticket.information_received"
    CLASSIFIED = "ticket.classified"
    RESPONSIBILITY_SET = "ticket.responsibility_set"
    MERGED = "ticket.merged"
    # Plans, measures, approvals, the customer's agreement.
    PLAN_PROPOSED = "ticket.plan_proposed"
    PLAN_STATUS_CHANGED = "ticket.plan_status_changed"
    MEASURE_UPDATED = "ticket.measure_updated"
    MEASURES_REOPENED = "ticket.measures_reopened"
    APPROVAL_REQUESTED = "ticket.approval_requested"
    APPROVAL_APPROVED = "ticket.approval_approved"
    APPROVAL_REFUSED = "ticket.approval_refused"
    PLAN_ACCEPTED = "ticket.plan_accepted"
    PLAN_DECLINED = "ticket.plan_declined"
    # The region filled in afterwards from the address (``manage.py assign_regions``).
    REGION_SET = "ticket.region_set"
    # What intake registered, corrected (``services.details``): field by field, before → after.
    DETAILS_CORRECTED = "ticket.details_corrected"
    SOLUTION_PROMISED = "ticket.solution_promised"


class SavedViewAudit(AuditAction):
    """The ticket list's saved views (``tickets.services.saved_views``)."""

    CREATED = "saved_view.created"
    UPDATED = "saved_view.updated"  # renamed, shared otherwise, its filters changed
    DELETED = "saved_view.deleted"
    REORDERED = "saved_view.reordered"
    START_SET = "saved_view.start_set"  # chosen (or no longer) as the owner's start view
