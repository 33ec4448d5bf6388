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
    # One record written by an import (a unit, a part, a model, a policy, a month's shipments;
    # the customers have their own: ``customer.created`` / ``customer.updated``), with the import
    # and the row it came from, and the changed fields' values before and after.
    RECORD_CREATED = "import.record_created"
    RECORD_CHANGED = "import.record_changed"
