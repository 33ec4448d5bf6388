"""On PostgreSQL, with real concurrent transactions: two workers running the same delivery job
send it once; the same email pushed twice at once is stored once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from aftersales.accounts.models import Role
from aftersales.webhooks.models import Attempt, DeliveryStatus
from aftersales.webhooks.services import webhook_deliver, webhook_send_test, webhook_subscription_create
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(target, count: int = 4) -> list[object]:  # type: ignore[no-untyped-def]
    results: list[object] = []
    barrier = threading.Barrier(count)

    def run() -> None:
        try:
            barrier.wait()
            results.append(target())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_parallel_jobs_for_one_delivery_send_it_once(receiver):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    subscription = webhook_subscription_create(actor=admin, name="CRM", target_url=receiver.url, event_types=["ticket.created"])
    delivery = webhook_send_test(actor=admin, subscription=subscription)
    _in_threads(lambda: webhook_deliver(delivery_id=delivery.pk).status)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert len(receiver.requests) == 1
    assert Attempt.objects.filter(delivery=delivery).count() == 1


def test_the_same_mail_pushed_in_parallel_is_stored_once():
    from aftersales.mailin.models import InboundMessage
    from aftersales.mailin.services import mailin_store
    from tests.mailin import corpus

    raw = corpus.plain(message_id="<parallel-1@mail.example.com>")
    results = _in_threads(lambda: mailin_store(raw=raw, source="http").created)
    assert sorted(results) == [False, False, False, True]
    assert InboundMessage.objects.filter(message_id="<parallel-1@mail.example.com>").count() == 1
