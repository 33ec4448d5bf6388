from __future__ import annotations

from functools import lru_cache

from django.db import connection
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
    """The header badge of every staff page. One fixed statement, written out once: the ORM
    would compile the same count for every page (a third of a millisecond, more than the count
    itself on its index)."""
    if not user.is_authenticated or user.is_customer:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_unread_count_sql(), [user.pk, NotificationChannel.IN_APP.value])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@lru_cache(maxsize=1)
def _unread_count_sql() -> str:
    # Equivalent to Notification.objects.filter(user=…, channel=…, read_at__isnull=True).count()
    # (tests/notifications pin that both agree).
    qn = connection.ops.quote_name
    meta = Notification._meta
    return (
        f"SELECT COUNT(*) FROM {qn(meta.db_table)} WHERE {qn(meta.get_field('user').column)} = %s "  # noqa: S608
        f"AND {qn(meta.get_field('channel').column)} = %s AND {qn(meta.get_field('read_at').column)} IS NULL"
    )
