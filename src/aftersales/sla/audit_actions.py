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
