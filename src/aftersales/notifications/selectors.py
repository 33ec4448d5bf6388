from __future__ import annotations

from django.db.models import QuerySet

from aftersales.accounts.models import User

from .models import Notification, NotificationChannel


def notifications_inbox(*, user: User, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    """The newest in-app notifications of ``user`` (only their own), with their tickets."""
    qs: QuerySet[Notification] = Notification.objects.filter(user=user, channel=NotificationChannel.IN_APP)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return list(qs.select_related("ticket").order_by("-created_at", "-id")[:limit])


def notifications_unread_count(*, user: User) -> int:
    if not user.is_authenticated or user.is_customer:
        return 0
    return Notification.objects.filter(user=user, channel=NotificationChannel.IN_APP, read_at__isnull=True).count()
