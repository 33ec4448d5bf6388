"""Webhook subscriptions, emitting events and delivering them.

``webhook_emit`` is the one door for other apps: call it inside the business transaction; the
event and its deliveries are written in that transaction and the delivery jobs are enqueued only
after it commits, so a rolled-back change sends nothing. Each delivery is retried with
exponential backoff until one attempt succeeds (never a second) or ``MAX_ATTEMPTS`` is reached.

Signature: ``X-Aftersales-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.tickets.models import Ticket

from .audit_actions import WebhookAudit
from .models import SUBSCRIBABLE_EVENTS, Attempt, Delivery, DeliveryStatus, Event, EventType, Subscription
from .net import post_json, validate_target_url
from .subscription_cache import active_subscription_hints

MAX_ATTEMPTS = 8
BASE_BACKOFF_SECONDS = 30
USER_AGENT = "Aftersales-Webhooks/1"


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min … capped at 6 hours."""
    return dt.timedelta(seconds=min(BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600))


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(*, secret: str, header: str, body: bytes, tolerance_seconds: int = 300, now: float | None = None) -> bool:
    """What a receiver does (documented in docs/webhooks.md): check the HMAC and the timestamp."""
    try:
        fields = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret=secret, timestamp=timestamp, body=body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def _check_admin(actor: User) -> None:
    if not (actor.is_superuser or actor.role == Role.ADMINISTRATOR):
        raise PermissionDenied(_("Only administrators manage webhooks."), code="webhooks_admin_only")


def _clean_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(e) for e in event_types))
    allowed = {str(e) for e in SUBSCRIBABLE_EVENTS}
    if not chosen or any(e not in allowed for e in chosen):
        raise ValidationFailed({"event_types": [_("Choose one or more event types.")]}, code="webhook_event_types")
    return chosen


@transaction.atomic
def webhook_subscription_create(
    *, actor: User, name: str, target_url: str, event_types: Iterable[str], region: Region | None = None
) -> Subscription:
    """Create an active subscription with a new random signing secret."""
    _check_admin(actor)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed({"name": [_("Enter a name of at most 100 characters.")]}, code="webhook_name")
    url = validate_target_url(target_url)
    if len(url) > 500:
        raise ValidationFailed({"target_url": [_("At most %(limit)d characters.") % {"limit": 500}]})
    subscription = Subscription.objects.create(
        name=name,
        target_url=url,
        secret=f"whsec_{secrets.token_urlsafe(32)}",
        event_types=_clean_event_types(event_types),
        region=region,
        owner=actor,
    )
    audit_record(
        action=WebhookAudit.SUBSCRIPTION_CREATED,
        obj=subscription,
        actor=actor,
        changes={"target_url": url, "event_types": subscription.event_types},
    )
    return subscription


@transaction.atomic
def webhook_subscription_set_active(*, actor: User, subscription: Subscription, active: bool) -> Subscription:
    _check_admin(actor)
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.active != active:
        audit_record(
            action=WebhookAudit.SUBSCRIPTION_UPDATED, obj=locked, actor=actor, changes={"active": [locked.active, active]}
        )
        locked.active = active
        locked.save(update_fields=["active"])
    return locked


@transaction.atomic
def webhook_subscription_rotate_secret(*, actor: User, subscription: Subscription) -> Subscription:
    _check_admin(actor)
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    locked.secret = f"whsec_{secrets.token_urlsafe(32)}"
    locked.save(update_fields=["secret"])
    audit_record(action=WebhookAudit.SECRET_ROTATED, obj=locked, actor=actor)
    return locked


def _enqueue(delivery_ids: list[int]) -> None:
    from .tasks import deliver_webhook

    for delivery_id in delivery_ids:
        deliver_webhook.enqueue(delivery_id)


def _create_event(*, event: str, payload: Mapping[str, Any], region: Region | None, subscriptions: list[Subscription]) -> Event:
    now = clock.now()
    row = Event(event_type=event, occurred_at=now, region=region, payload={})
    # The JSON every subscriber receives, fixed once: same id, same time, same data.
    row.payload = json.loads(
        json.dumps(
            {"id": str(row.event_id), "type": event, "occurred_at": now.isoformat(), "data": dict(payload)},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
        )
    )
    row.save()
    deliveries = Delivery.objects.bulk_create([Delivery(event=row, subscription=s, next_attempt_at=now) for s in subscriptions])
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: _enqueue(ids))
    return row


def webhook_subscriptions_for(event: str) -> list[Subscription]:
    """The active subscriptions to ``event``, whatever their region: no query when the cached
    hint (``subscription_cache``) says nobody wants it, the usual case; else read (one query)."""
    if event not in {str(e) for e in SUBSCRIBABLE_EVENTS}:
        raise ValueError(f"unknown webhook event type: {event!r}")
    if not any(event in hint.event_types for hint in active_subscription_hints()):
        return []
    # Read, not taken from the hint: a subscription paused or deleted meanwhile gets nothing.
    # event_types is a small JSON list; filtering in Python works the same on SQLite and PostgreSQL.
    return [s for s in Subscription.objects.filter(active=True) if event in s.event_types]


def webhook_emit(
    *,
    event: str,
    payload: Mapping[str, Any],
    region: Region | None = None,
    subscriptions: list[Subscription] | None = None,
) -> Event | None:
    """Record ``event`` for every active subscription to it and deliver after commit.

    ``payload`` becomes the ``data`` member: ids, numbers and statuses, no more personal data
    than a receiver needs. ``region``: the event's region; subscriptions limited to another
    region do not receive it. ``subscriptions``: ``webhook_subscriptions_for(event)`` when the
    caller already has it. Returns ``None`` when nobody subscribes (nothing is stored).
    """
    candidates = webhook_subscriptions_for(event) if subscriptions is None else subscriptions
    region_id = region.pk if region is not None else None
    receiving = [s for s in candidates if s.region_id is None or (region_id is not None and s.region_id == region_id)]
    if not receiving:
        return None
    with transaction.atomic():
        return _create_event(event=event, payload=payload, region=region, subscriptions=receiving)


@transaction.atomic
def webhook_send_test(*, actor: User, subscription: Subscription) -> Delivery:
    """Send a ``webhook.test`` event to this one subscription (even when it is paused)."""
    _check_admin(actor)
    row = _create_event(
        event=EventType.TEST,
        payload={"message": "Test event from Aftersales", "subscription": subscription.pk},
        region=None,
        subscriptions=[subscription],
    )
    audit_record(action=WebhookAudit.TEST_SENT, obj=subscription, actor=actor, changes={"event_id": str(row.event_id)})
    return row.deliveries.get()


def ticket_payload(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    """The ticket fields a webhook carries: identifiers and state, no names, phones or addresses."""
    return {
        "ticket": {
            "number": ticket.number,
            "status": ticket.status,
            "request_type": ticket.request_type,
            "channel": ticket.channel,
            "priority": ticket.priority,
            "region": ticket.region.code if ticket.region is not None else None,
            "created_at": ticket.created_at,
            "updated_at": ticket.updated_at,
        },
        **extra,
    }


def webhook_emit_for_ticket(
    *, event: str, ticket_id: int | None, build: Callable[[], Mapping[str, Any]] | None = None, **extra: Any
) -> Event | None:
    """``event`` about a ticket: the ticket's members (``ticket_payload``), ``extra`` and the
    members ``build()`` returns, to the subscriptions of the ticket's region. Asks for the
    subscriptions first: with none (the usual case) neither the ticket is read nor ``build``
    called. The one helper of every ticket-related emitter (``receivers``, the apps above)."""
    subscriptions = webhook_subscriptions_for(event)
    if not subscriptions or ticket_id is None:
        return None
    ticket = Ticket.objects.select_related("region").filter(pk=ticket_id).first()
    if ticket is None:
        return None
    payload = ticket_payload(ticket, **extra, **(build() if build is not None else {}))
    return webhook_emit(event=event, payload=payload, region=ticket.region, subscriptions=subscriptions)


def webhook_deliver(*, delivery_id: int) -> Delivery | None:
    """Make one attempt for a pending delivery; log it; never deliver a succeeded one again.

    Returns the delivery (its ``status`` tells the caller whether to retry: still pending means
    the attempt failed and ``next_attempt_at`` says when to try again).
    """
    with transaction.atomic():
        # The row lock keeps a second worker with the same job from sending it at the same time.
        delivery = Delivery.objects.select_for_update().select_related("event", "subscription").filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery
        subscription, event = delivery.subscription, delivery.event
        if not subscription.active and event.event_type != EventType.TEST:
            delivery.status = DeliveryStatus.FAILED
            delivery.save(update_fields=["status"])
            Attempt.objects.create(
                delivery=delivery,
                number=delivery.attempts + 1,
                started_at=clock.now(),
                error="subscription paused: not sent",
            )
            return delivery
        body = json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Aftersales-Event": event.event_type,
            "X-Aftersales-Event-Id": str(event.event_id),
            "X-Aftersales-Delivery": str(delivery.pk),
            "X-Aftersales-Signature": sign(secret=subscription.secret, timestamp=timestamp, body=body),
        }
        started = clock.now()
        result = post_json(subscription.target_url, body, headers)
        ok = result.status_code is not None and 200 <= result.status_code < 300
        delivery.attempts += 1
        Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            duration_ms=result.duration_ms,
            status_code=result.status_code,
            response_excerpt=result.body_excerpt,
            error=result.error or ("" if ok else f"HTTP {result.status_code}"),
            succeeded=ok,
        )
        if ok:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = clock.now()
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = clock.now() + backoff(delivery.attempts)
        delivery.save(update_fields=["status", "attempts", "delivered_at", "next_attempt_at"])
        return delivery
