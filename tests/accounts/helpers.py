"""An SMS provider for the tests: it keeps what it was given (what the phone would receive)."""

from __future__ import annotations

from aftersales.notifications.models import Notification


class RecordingSms:
    """``NOTIFICATION_SENDERS["sms"]`` in a test: records the message as the provider got it."""

    received: list[str] = []

    def send(self, notification: Notification) -> None:
        RecordingSms.received.append(notification.body)


class FailingSms:
    """A provider that refuses every message and echoes it in its error (as some gateways do)."""

    def send(self, notification: Notification) -> None:
        raise RuntimeError(f"gateway refused: {notification.body}")
