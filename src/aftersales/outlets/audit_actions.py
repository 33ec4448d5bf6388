"""Every audit action of the outlets app (the outlet record itself and its statements)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class OutletAudit(AuditAction):
    OUTLET_CREATED = "outlets.outlet_created"
    OUTLET_CHANGED = "outlets.outlet_changed"
    SETTLEMENT_DRAFTED = "outlets.settlement_drafted"
    SETTLEMENT_RECALCULATED = "outlets.settlement_recalculated"
    SETTLEMENT_LINE_ADJUSTED = "outlets.settlement_line_adjusted"
    SETTLEMENT_CONFIRMED = "outlets.settlement_confirmed"
    SETTLEMENT_DISPUTED = "outlets.settlement_disputed"
    SETTLEMENT_DRAFT = "outlets.settlement_draft"  # reopened after a dispute
    SETTLEMENT_APPROVED = "outlets.settlement_approved"
    SETTLEMENT_PAID = "outlets.settlement_paid"
    SETTLEMENT_CANCELLED = "outlets.settlement_cancelled"
