"""What a notification's fate sets off in the apps built on notifications (``core.hooks``): the
explicit, ordered lists of receivers, by dotted path (docs/architecture.md, "Direction of imports").
"""

from __future__ import annotations

from aftersales.core.hooks import hook

# A message that matters (``delivery.IMPORTANT_KINDS``: the appointment, the quote, the plan, the
# survey …) did not reach the customer: refused at sending or reported undelivered by the carrier
# or WeChat (docs/notifications.md, "Delivery receipts"). Inside the transaction that records the
# failure, after its fallback was queued. kwargs: notification (the failed row; ``ticket_id``
# set), fallback (the message queued on another channel, or None), text (``core.i18n.deferred``:
# "SMS to 138****0000 not delivered: number out of service." and, with a fallback, where it went).
# The tickets app's receiver writes the timeline entry; the webhooks' sends notification.failed.
NOTIFICATION_UNDELIVERED = hook(
    "notification_undelivered",
    "aftersales.tickets.receivers.notification_undelivered",
    "aftersales.webhooks.receivers.notification_undelivered",  # notification.failed
)
