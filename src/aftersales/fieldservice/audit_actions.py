"""Every audit action the field-service app records (stored values unchanged since they were
strings). The timeline entry of the same change carries the value without its ``fieldservice.``
prefix as ``data["action"]``."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class WorkOrderAudit(AuditAction):
    CREATED = "fieldservice.created"
    PERMIT_ADDED = "fieldservice.permit_added"
    # A new window for a job not yet dispatched (no status move).
    RESCHEDULED = "fieldservice.rescheduled"
    WORK_RECORDED = "fieldservice.work_recorded"
    # Photos, by their kind: ``WorkOrderAudit(f"fieldservice.photo_{kind}")``.
    PHOTO_BEFORE = "fieldservice.photo_before"
    PHOTO_AFTER = "fieldservice.photo_after"
    QUOTE_SENT = "fieldservice.quote_sent"
    QUOTE_CONFIRMED = "fieldservice.quote_confirmed"
    ACCEPTANCE_CODE_SENT = "fieldservice.acceptance_code_sent"
    # Expense claims: submitted, then ``WorkOrderAudit(f"fieldservice.expense_{status}")``.
    EXPENSE_SUBMITTED = "fieldservice.expense_submitted"
    EXPENSE_APPROVED = "fieldservice.expense_approved"
    EXPENSE_REJECTED = "fieldservice.expense_rejected"
    # Status moves, by the status moved to: ``WorkOrderAudit(f"fieldservice.status.{to}")``
    # (every target of ``states.TRANSITIONS``; back to "to dispatch" only when the technician
    # leaves the company).
    STATUS_TO_DISPATCH = "fieldservice.status.to_dispatch"
    STATUS_DISPATCHED = "fieldservice.status.dispatched"
    STATUS_ACCEPTED = "fieldservice.status.accepted"
    STATUS_ON_THE_WAY = "fieldservice.status.on_the_way"
    STATUS_ON_SITE = "fieldservice.status.on_site"
    STATUS_DONE = "fieldservice.status.done"
    STATUS_CUSTOMER_ACCEPTED = "fieldservice.status.customer_accepted"
    STATUS_RESCHEDULED = "fieldservice.status.rescheduled"
    STATUS_CANCELLED = "fieldservice.status.cancelled"
    STATUS_FAILED = "fieldservice.status.failed"
    # The customer's "no" to the quote (on site, by the link or in the app), a new quote's too:
    # ``services.quote.work_order_decline_quote`` (changes: via, reason, quote_total).
    STATUS_QUOTE_DECLINED = "fieldservice.status.quote_declined"

    @property
    def event(self) -> str:
        """The name the ticket's timeline entry carries (``"status.done"``, ``"created"``)."""
        return self.value.removeprefix("fieldservice.")
