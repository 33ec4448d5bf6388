"""Every audit action of the compensation app: ``CompensationAudit(f"{what}.{to}")`` for status
moves, where ``what`` is ``refund`` or ``compensation``."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class CompensationAudit(AuditAction):
    # Older rows only: the purchase record moved to the remedies app (``remedies.purchase_recorded``).
    PURCHASE_RECORDED = "compensation.purchase_recorded"
    REFUND_REQUESTED = "refund.requested"
    REFUND_AWAITING_APPROVAL = "refund.awaiting_approval"
    REFUND_APPROVED = "refund.approved"
    REFUND_REFUSED = "refund.refused"
    REFUND_PAID = "refund.paid"
    REFUND_DONE = "refund.done"
    REFUND_CANCELLED = "refund.cancelled"
    COMPENSATION_REQUESTED = "compensation.requested"
    COMPENSATION_AWAITING_APPROVAL = "compensation.awaiting_approval"
    COMPENSATION_APPROVED = "compensation.approved"
    COMPENSATION_REFUSED = "compensation.refused"
    COMPENSATION_PAID = "compensation.paid"
    COMPENSATION_DONE = "compensation.done"
    COMPENSATION_CANCELLED = "compensation.cancelled"
