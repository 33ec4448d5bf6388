"""The active subscriptions are read once into the cache, not once per event; a change is seen by
the next event, a paused or deleted subscription never gets one, and a rolled-back change (or its
savepoint) leaves nothing behind in the cache."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import Role
from aftersales.webhooks.models import Subscription
from aftersales.webhooks.services import (
    webhook_subscription_create,
    webhook_subscription_set_active,
    webhook_subscriptions_for,
)
from aftersales.webhooks.subscription_cache import HINT_KEY, TOKEN_KEY, active_subscription_hints
from tests.factories import UserFactory, make_ticket

CREATED, CHANGED = "ticket.created", "ticket.status_changed"
URL = "https://crm.example.com/hooks/aftersales"


def _reads(queries: CaptureQueriesContext) -> int:
    return sum('"webhooks_subscription"' in q["sql"] for q in queries.captured_queries)


def _subscribe(name: str = "CRM", events: tuple[str, ...] = (CREATED,)) -> Subscription:
    admin = UserFactory(role=Role.ADMINISTRATOR)
    return webhook_subscription_create(actor=admin, name=name, target_url=URL, event_types=events)


class Boom(Exception):
    pass


@pytest.mark.django_db
def test_intakes_without_subscribers_read_the_subscriptions_once():
    make_ticket(phone="13900000001")
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        for n in range(2, 6):
            make_ticket(phone=f"1390000000{n}")  # four ticket.created events
        assert webhook_subscriptions_for(CHANGED) == []
    assert _reads(queries) == 1


@pytest.mark.django_db
def test_the_transaction_that_subscribes_sees_its_subscription_and_a_rolled_back_savepoint_is_forgotten():
    assert webhook_subscriptions_for(CREATED) == []  # cached: nobody
    try:
        with transaction.atomic():
            inner = _subscribe(name="inner")
            assert webhook_subscriptions_for(CREATED) == [inner]  # read, not the cached "nobody"
            raise Boom
    except Boom:
        pass
    with CaptureQueriesContext(connection) as queries:
        assert webhook_subscriptions_for(CREATED) == []
    assert _reads(queries) == 0  # the savepoint's change is gone: the cache answers again
    outer = _subscribe(name="outer")
    with CaptureQueriesContext(connection) as queries:
        assert webhook_subscriptions_for(CREATED) == [outer]
        assert webhook_subscriptions_for(CREATED) == [outer]
    assert _reads(queries) >= 2  # until this transaction ends it reads the table, every time


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_seen_by_the_next_event_and_a_paused_subscription_gets_nothing():
    assert webhook_subscriptions_for(CREATED) == []
    with CaptureQueriesContext(connection) as queries:
        assert webhook_subscriptions_for(CREATED) == []
    assert _reads(queries) == 0
    subscription = _subscribe(events=(CREATED,))  # committed: a new token
    assert webhook_subscriptions_for(CREATED) == [subscription]
    assert webhook_subscriptions_for(CHANGED) == []
    admin = UserFactory(role=Role.ADMINISTRATOR)
    webhook_subscription_set_active(actor=admin, subscription=subscription, active=False)
    assert webhook_subscriptions_for(CREATED) == []
    webhook_subscription_set_active(actor=admin, subscription=subscription, active=True)
    assert webhook_subscriptions_for(CREATED) == [subscription]
    # Paused where no signal tells the cache (another process's change, a raw update): the hint
    # still names it, but the subscriptions are read before an event is stored for them.
    Subscription.objects.filter(pk=subscription.pk).update(active=False)
    assert [h.pk for h in active_subscription_hints()] == [subscription.pk]
    assert webhook_subscriptions_for(CREATED) == []
    subscription.delete()
    assert active_subscription_hints() == ()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_the_cache_as_it_was():
    kept = _subscribe(name="kept")
    kept_pk = kept.pk
    assert webhook_subscriptions_for(CREATED) == [kept]
    try:
        with transaction.atomic():
            Subscription.objects.get(pk=kept_pk).delete()
            added = _subscribe(name="added")
            assert webhook_subscriptions_for(CREATED) == [added]  # its own view, not cached
            raise Boom
    except Boom:
        pass
    assert cache.get(HINT_KEY) is not None
    with CaptureQueriesContext(connection) as queries:
        assert [h.pk for h in active_subscription_hints()] == [kept_pk]
    assert _reads(queries) == 0
    assert [s.pk for s in webhook_subscriptions_for(CREATED)] == [kept_pk]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_another_process_sees_a_committed_change_at_once(settings):
    location = os.environ["REDIS_URL"]
    settings.CACHES = {"default": {"BACKEND": "aftersales.core.cache_outage.OutageTolerantRedisCache", "LOCATION": location}}
    cache.clear()
    try:
        assert webhook_subscriptions_for(CREATED) == []
        other = RedisCache(location, {})  # another process's client of the same cache
        token = other.get(TOKEN_KEY)
        assert token is not None and other.get(HINT_KEY) == (token, ())
        subscription = _subscribe()
        assert other.get(TOKEN_KEY) != token  # the commit took a new token: the old hint is dead
        assert webhook_subscriptions_for(CREATED) == [subscription]
        assert [h.pk for h in other.get(HINT_KEY)[1]] == [subscription.pk]
    finally:
        cache.clear()
