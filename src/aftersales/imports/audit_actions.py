"""Every audit action the imports app records (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class ImportAudit(AuditAction):
    UPLOADED = "import.uploaded"
    COMMIT_REQUESTED = "import.commit_requested"
    COMPLETED = "import.completed"
    FAILED = "import.failed"
    RETRIED = "import.retried"
    DISCARDED = "import.discarded"
    FILE_PURGED = "import.file_purged"
