"""Who may want an event: the active subscriptions, read once into Django's cache instead of once
per event.

Every intake, status change and breach asks ``services.webhook_subscriptions_for``; most
installations subscribe to few events or none (the demo load asked 2,147 times for an empty
table). The cache holds a **hint** only: each active subscription's id and event types. When the
hint names nobody for an event, nothing is read; when it names somebody, the service reads the
subscriptions from the database as before, so an event never goes to a subscription paused or
deleted meanwhile, whatever the cache holds.

Freshness, with the cache shared (Redis) or per process (locmem):

- Saving or deleting a subscription (the services, the admin, anything through the ORM) takes a
  new **token** when its transaction commits; the hint is stored with the token it was read
  under and an entry under an old token is read again. The token is taken *before* the table is
  read, so a reader that read the table just before a commit stores it under the old token and
  nobody uses it.
- The transaction that changed a subscription reads the table itself until it ends (it must see
  its own change, and nobody else may cache what it has not committed, or what it rolls back).
  "Changed in this transaction" is the token's commit callback still pending: a rollback, of the
  transaction or of the savepoint the change was made in, drops it.
- With the per-process default cache, another process sees a **new** subscription after at most
  ``CACHE_SECONDS`` (as the region table, ``accounts.regions``); with Redis at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import Subscription

TOKEN_KEY = "webhooks:subscriptions:token"  # noqa: S105 - a cache key, not a secret
HINT_KEY = "webhooks:subscriptions:hint:v1"
# How long another process may answer from the hint it read (per-process caches only).
CACHE_SECONDS = 60
_CHANGED_FLAG = "aftersales_webhook_subscriptions_changed"


@dataclass(frozen=True)
class SubscriptionHint:
    """An active subscription as the cache holds it: its id and the event types it wants."""

    pk: int
    event_types: Any  # the stored JSON (a list of event types), tested with ``in`` as the service does


def _new_token() -> None:
    cache.set(TOKEN_KEY, uuid.uuid4().hex, None)


def _changed_in_this_transaction() -> bool:
    connection = transaction.get_connection()
    # The flag spares the scan of the pending callbacks (thousands in a long transaction such as
    # the demo load) on every event; the scan decides whenever the flag is up.
    if not getattr(connection, _CHANGED_FLAG, False):
        return False
    if connection.in_atomic_block and any(entry[1] is _new_token for entry in connection.run_on_commit):
        return True
    setattr(connection, _CHANGED_FLAG, False)
    return False


def _read() -> tuple[SubscriptionHint, ...]:
    rows = Subscription.objects.filter(active=True).order_by("pk").values_list("pk", "event_types")
    return tuple(SubscriptionHint(pk=pk, event_types=event_types) for pk, event_types in rows)


def active_subscription_hints() -> tuple[SubscriptionHint, ...]:
    """The active subscriptions' ids and event types: from the cache, or read (one query)."""
    if _changed_in_this_transaction():
        return _read()
    found = cache.get_many([TOKEN_KEY, HINT_KEY])
    token, entry = found.get(TOKEN_KEY), found.get(HINT_KEY)
    if token is not None and isinstance(entry, tuple) and len(entry) == 2 and entry[0] == token:
        hints: tuple[SubscriptionHint, ...] = entry[1]
        return hints
    if token is None:
        cache.add(TOKEN_KEY, uuid.uuid4().hex, None)
        token = cache.get(TOKEN_KEY)
    hints = _read()
    if token is not None:
        cache.set(HINT_KEY, (token, hints), CACHE_SECONDS)
    return hints


def subscriptions_changed(**_kwargs: Any) -> None:
    """A subscription was saved or deleted: a new token when the transaction commits (at once
    outside one); until then this transaction reads the table itself."""
    connection = transaction.get_connection()
    transaction.on_commit(_new_token)
    if connection.in_atomic_block:
        setattr(connection, _CHANGED_FLAG, True)


post_save.connect(subscriptions_changed, sender=Subscription, dispatch_uid="webhook-subscriptions-saved")
post_delete.connect(subscriptions_changed, sender=Subscription, dispatch_uid="webhook-subscriptions-deleted")
