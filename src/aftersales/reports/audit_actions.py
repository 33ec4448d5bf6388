"""Every audit action the scheduled reports app records (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class ReportAudit(AuditAction):
    SUBSCRIPTION_CREATED = "report.subscription_created"
    SUBSCRIPTION_UPDATED = "report.subscription_updated"
    SUBSCRIPTION_PAUSED = "report.subscription_paused"
    SUBSCRIPTION_RESUMED = "report.subscription_resumed"
    SUBSCRIPTION_DELETED = "report.subscription_deleted"
    SENT = "report.sent"
    SEND_FAILED = "report.send_failed"
    TEST_SENT = "report.test_sent"
