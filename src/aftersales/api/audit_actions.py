"""Every audit action the API app records (its keys; the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class ApiKeyAudit(AuditAction):
    KEY_CREATED = "api.key_created"
    KEY_REVOKED = "api.key_revoked"
