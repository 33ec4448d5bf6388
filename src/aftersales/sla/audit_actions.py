"""Every audit action the SLA engine records (stored values unchanged since they were strings)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class SlaAudit(AuditAction):
    STARTED = "sla.started"
    RESTARTED = "sla.restarted"  # reopened: the resolution clock starts again
    RETARGETED = "sla.retargeted"  # priority or customer tier changed: the new policy's targets
    WARNED = "sla.warned"
    BREACHED = "sla.breached"
    ESCALATED = "sla.escalated"
    PROMISE_OVERDUE = "sla.promise_overdue"  # a promised solution date passed unresolved: the assignee warned
    CALENDAR_YEAR_ENTERED = "sla.calendar_year_entered"  # a year's official schedule entered (notice or API)
    CALENDAR_DAY_SET = "sla.calendar_day_set"  # one day entered by hand (a company closure, a local holiday)
    CALENDAR_DAY_REMOVED = "sla.calendar_day_removed"
