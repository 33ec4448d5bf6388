"""Every audit action the satisfaction surveys record (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class FeedbackAudit(AuditAction):
    SURVEY_SENT = "feedback.survey_sent"
    SURVEY_SUBMITTED = "feedback.survey_submitted"
    SURVEY_SCHEDULED = "feedback.survey_scheduled"
    SURVEY_REMINDED = "feedback.survey_reminded"
    SURVEY_EXPIRED = "feedback.survey_expired"
    SETTINGS_SAVED = "feedback.settings_saved"
