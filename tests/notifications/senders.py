"""Senders for tests, named in settings.NOTIFICATION_SENDERS."""

from __future__ import annotations

from aftersales.notifications.models import Notification


class SmsGatewayDown(Exception):
    pass


class FailingSender:
    """An SMS gateway that is down."""

    def send(self, notification: Notification) -> None:
        raise SmsGatewayDown(f"gateway timeout sending to {notification.recipient}")


class RecordingSender:
    sent: list[int] = []

    def send(self, notification: Notification) -> None:
        RecordingSender.sent.append(notification.pk)
