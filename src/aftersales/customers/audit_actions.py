"""Every audit action the customers app records (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class CustomerAudit(AuditAction):
    CREATED = "customer.created"
    TIER_CHANGED = "customer.tier_changed"
    EXTERNAL_CODE_CHANGED = "customer.external_code_changed"
    ADDRESS_ADDED = "customer.address_added"
    CONSENTS_CHANGED = "customer.consents_changed"
    # A page showed the customer's personal data (SPEC §4: every view is logged).
    PERSONAL_DATA_VIEWED = "customer.personal_data_viewed"
