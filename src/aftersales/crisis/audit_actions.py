"""Every audit action the crisis app records."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class CrisisAudit(AuditAction):
    # The detector's decisions on a ticket (the system is the actor).
    TICKET_MARKED_URGENT = "crisis.ticket_marked_urgent"
    # Alerts.
    ALERT_OPENED = "crisis.alert_opened"
    ALERT_MERGED = "crisis.alert_merged"
    ALERT_CONFIRMED = "crisis.alert_confirmed"
    ALERT_DISMISSED = "crisis.alert_dismissed"
    # Crises; a status change is ``CrisisAudit(f"crisis.{status}")``.
    OPENED = "crisis.opened"
    CONFIRMED = "crisis.confirmed"
    RESPONDING = "crisis.responding"
    CONTAINED = "crisis.contained"
    RECOVERED = "crisis.recovered"
    REVIEWED = "crisis.reviewed"
    LEVEL_CHANGED = "crisis.level_changed"
    TICKETS_LINKED = "crisis.tickets_linked"
    MEMBER_ADDED = "crisis.member_added"
    TASK_ADDED = "crisis.task_added"
    TASK_DONE = "crisis.task_done"
    COMMUNICATION_RECORDED = "crisis.communication_recorded"
    CUSTOMERS_NOTIFIED = "crisis.customers_notified"
    # Resources.
    PARTS_RESERVED = "crisis.parts_reserved"
    PARTS_RELEASED = "crisis.parts_released"
    TECHNICIAN_ASSIGNED = "crisis.technician_assigned"
    BUDGET_SET = "crisis.budget_set"
    EXPENSE_RECORDED = "crisis.expense_recorded"
    # The review.
    IMPROVEMENT_RAISED = "crisis.improvement_raised"
