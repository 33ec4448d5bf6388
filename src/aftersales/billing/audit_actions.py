"""Every audit action of the billing app (receivables, their payments and invoices)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class BillingAudit(AuditAction):
    RECEIVABLE_CREATED = "billing.receivable_created"
    # The work order's charge was computed again (the customer's acceptance): the amount follows.
    RECEIVABLE_AMOUNT_CHANGED = "billing.receivable_amount_changed"
    RECEIVABLE_PAID = "billing.receivable_paid"
    RECEIVABLE_WAIVED = "billing.receivable_waived"
    PAYMENT_RECORDED = "billing.payment_recorded"
    # Cash a technician collected on site, recorded from his job page (pending).
    PAYMENT_COLLECTED = "billing.payment_collected"
    PAYMENT_CONFIRMED = "billing.payment_confirmed"
    PAYMENT_REJECTED = "billing.payment_rejected"
    INVOICE_RECORDED = "billing.invoice_recorded"
    INVOICE_CORRECTED = "billing.invoice_corrected"
