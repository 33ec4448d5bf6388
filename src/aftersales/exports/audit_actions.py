"""Every audit action the exports app records (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class ExportAudit(AuditAction):
    REQUESTED = "export.requested"
    COMPLETED = "export.completed"
    FAILED = "export.failed"
    DOWNLOADED = "export.downloaded"
    PURGED = "export.purged"
