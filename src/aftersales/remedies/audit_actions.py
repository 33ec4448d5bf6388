"""Every audit action the remedies app records."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class RemedyAudit(AuditAction):
    # The remedy chosen for a ticket, among those the engine allowed.
    DECIDED = "remedies.decided"
    # The remedy chosen for a ticket is not one the engine allowed: the reason is recorded.
    OVERRIDDEN = "remedies.overridden"
    # What the customer paid for a unit (its proof of purchase) recorded: the one record of the
    # price paid, read by the remedy decision and by every refund of the unit.
    PURCHASE_RECORDED = "remedies.purchase_recorded"
