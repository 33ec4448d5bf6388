"""Every audit action the notification templates record (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class TemplateAudit(AuditAction):
    NOTIFICATION_TEMPLATE_SAVED = "notifications.template_saved"
    NOTIFICATION_TEMPLATE_RESET = "notifications.template_reset"
    NOTIFICATION_TEMPLATE_TEST_SENT = "notifications.template_test_sent"
    REPLY_TEMPLATE_CREATED = "notifications.reply_template_created"
    REPLY_TEMPLATE_UPDATED = "notifications.reply_template_updated"
    REPLY_TEMPLATE_ARCHIVED = "notifications.reply_template_archived"


class WeChatContactAudit(AuditAction):
    """The audit actions of a customer's WeChat binding (recorded on the customer)."""

    BOUND = "notifications.wechat_bound"
    UNBOUND = "notifications.wechat_unbound"


class DeliveryAudit(AuditAction):
    """A message to a customer that did not reach them (docs/notifications.md, "Delivery receipts")."""

    FAILED = "notifications.delivery_failed"
