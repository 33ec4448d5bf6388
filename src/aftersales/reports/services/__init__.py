"""Report subscriptions and sending the due reports: ``subscriptions`` checks and keeps what a user
subscribed to; ``sending`` is the scheduler's one door (exactly once per period, see its
docstring)."""

from .sending import SendResult, period_label, report_send_test, send_due_reports
from .subscriptions import (
    MAX_RECIPIENTS,
    SubscriptionInput,
    clean_filters,
    clean_recipients,
    report_subscription_create,
    report_subscription_delete,
    report_subscription_set_active,
    report_subscription_update,
    schedule_of,
)

__all__ = [
    "MAX_RECIPIENTS",
    "SendResult",
    "SubscriptionInput",
    "clean_filters",
    "clean_recipients",
    "period_label",
    "report_send_test",
    "report_subscription_create",
    "report_subscription_delete",
    "report_subscription_set_active",
    "report_subscription_update",
    "schedule_of",
    "send_due_reports",
]
