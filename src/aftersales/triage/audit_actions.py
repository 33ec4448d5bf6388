"""Every audit action the triage app records."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class TriageAudit(AuditAction):
    # The system's decision: a safety suggestion of high confidence made the ticket urgent.
    TICKET_MARKED_URGENT = "triage.ticket_marked_urgent"
    # A person accepted or corrected a suggested field (the ticket's own change is audited by tickets).
    SUGGESTION_ACCEPTED = "triage.suggestion_accepted"
    SUGGESTION_CORRECTED = "triage.suggestion_corrected"
    # A supervisor reversed the system's urgent decision.
    ESCALATION_REVERSED = "triage.escalation_reversed"
    # Triage run again on request.
    RERUN = "triage.rerun"
