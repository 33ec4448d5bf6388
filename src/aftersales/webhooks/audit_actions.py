"""Every audit action the webhooks app records (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class WebhookAudit(AuditAction):
    SUBSCRIPTION_CREATED = "webhook.subscription_created"
    SUBSCRIPTION_UPDATED = "webhook.subscription_updated"
    SECRET_ROTATED = "webhook.secret_rotated"  # noqa: S105 - an action name, not a secret
    TEST_SENT = "webhook.test_sent"
