"""Background jobs for webhooks (django-tasks). Jobs take ids and call services.

``deliver_webhook`` makes one attempt; when it fails it re-enqueues itself for
``next_attempt_at`` (exponential backoff) on a backend that can defer. ``retry_due_webhooks``
is the periodic safety net (and the only retry mechanism on a backend that cannot defer).
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from aftersales.core import clock

from .models import Delivery, DeliveryStatus
from .services import webhook_deliver


@task(queue_name="default")
def deliver_webhook(delivery_id: int) -> str:
    delivery = webhook_deliver(delivery_id=delivery_id)
    if delivery is None:
        return "missing"
    if delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at and deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery_id)
        return "retry"
    return str(delivery.status)


@task(queue_name="default")
def retry_due_webhooks() -> int:
    """Re-enqueue pending deliveries overdue by five minutes (their deferred job was lost)."""
    cutoff = clock.now() - dt.timedelta(minutes=5)
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    for delivery_id in ids:
        deliver_webhook.enqueue(delivery_id)
    return len(ids)
