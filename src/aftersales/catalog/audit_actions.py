"""Every audit action the catalog records (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class CatalogAudit(AuditAction):
    UNIT_REGISTERED = "unit.registered"
    BATCH_INFERRED = "production_batch.inferred"
