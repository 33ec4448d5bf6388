"""Every audit action the satisfaction surveys record (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class FeedbackAudit(AuditAction):
    SURVEY_SENT = "feedback.survey_sent"
    SURVEY_SUBMITTED = "feedback.survey_submitted"
