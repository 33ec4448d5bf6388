"""Background jobs for notifications (django-tasks). Jobs take ids and call services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from aftersales.core.outage import DATABASE_DOWN

from .delivery import receipts_poll
from .models import Notification, NotificationStatus
from .services import MAX_ATTEMPTS, notification_deliver
from .short_links import short_links_purge


@task(queue_name="notifications")
def deliver_notification(notification_id: int) -> str:
    """Deliver one notification; on a sender error re-enqueue with backoff until MAX_ATTEMPTS."""
    try:
        result = notification_deliver(notification_id=notification_id)
    except DATABASE_DOWN:
        # The database went away: nothing could be stored, and scheduling a retry needs the
        # database too. The notification stays pending; retry_pending_notifications (every five
        # minutes, on a scheduler that reconnects) sends it once the database is back.
        return "retry"
    except Exception:  # noqa: BLE001 - the error is stored on the notification; schedule a retry
        attempts = Notification.objects.filter(pk=notification_id).values_list("attempts", flat=True).first() or 1
        # A backend that cannot defer (the immediate one, in development) would fail the job on
        # run_after; there the periodic sweeper (retry_pending_notifications) retries instead.
        if attempts < MAX_ATTEMPTS and deliver_notification.get_backend().supports_defer:
            delay = dt.timedelta(seconds=30 * 2 ** (attempts - 1))
            deliver_notification.using(run_after=timezone.now() + delay).enqueue(notification_id)
        return "retry"
    return result.status if result is not None else "missing"


@task(queue_name="notifications")
def retry_pending_notifications() -> int:
    """Periodic safety net: re-enqueue pending notifications older than five minutes."""
    cutoff = timezone.now() - dt.timedelta(minutes=5)
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING, created_at__lt=cutoff).values_list("pk", flat=True)[:1000]
    )
    for notification_id in ids:
        deliver_notification.enqueue(notification_id)
    return len(ids)


@task()
def purge_expired_short_links() -> int:
    """Periodic (daily): delete the short links expired for longer than ``short_links.PURGE_GRACE``."""
    return short_links_purge()


@task(queue_name="notifications")
def poll_delivery_receipts() -> int:
    """Periodic (every ten minutes): the SMS receipts fetched from the provider when
    ``SMS_RECEIPT_POLL`` is on (its push cannot reach this site); nothing otherwise."""
    return receipts_poll()
