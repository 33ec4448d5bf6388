"""A real Redis outage, on a ``redis-server`` the test starts itself on a free port (never the
shared one), with the cache and the task queue (RQ, ``manage.py rqworker``) on it.

While Redis is down: pages and the API answer as usual (the cache degrades to the database:
``core.cache_outage``), and an intake succeeds — its notification's delivery job cannot be
enqueued, so the notification stays pending, recorded in the database. After Redis is back
(empty: no persistence): the same RQ worker process carries on by itself, and the safety net
(``retry_pending_notifications``) enqueues the delivery, which the worker sends.

Skipped without Debian's redis-server, except in CI. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
import subprocess
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from aftersales.accounts.models import DataScope, Role
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.notifications.tasks import retry_pending_notifications
from tests.api.conftest import key_for
from tests.factories import UserFactory
from tests.infra.servers import OwnRedis, manage, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

NEW = {"customer_name": "王芳", "phone": "13911112222", "description": "冰箱不制冷。", "channel": "wechat"}
QUEUES = ["default", "notifications"]


@pytest.fixture
def own_redis():  # type: ignore[no-untyped-def]
    server = OwnRedis()
    server.start()
    yield server
    server.stop()


def _database_url() -> str:
    cfg = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{cfg['NAME']}"
    return f"postgres://{cfg['USER']}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{cfg['NAME']}"


def test_pages_and_intake_ride_out_a_redis_restart(settings, own_redis, caplog):
    url = own_redis.url(0)
    settings.CACHES = {"default": {"BACKEND": "aftersales.core.cache_outage.OutageTolerantRedisCache", "LOCATION": url}}
    settings.RQ_QUEUES = {name: {"URL": url} for name in QUEUES}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": QUEUES}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="redis-agent")
    api = Client(headers={"Authorization": f"Bearer {key_for(agent)}", "Accept-Language": "en"})
    api.raise_request_exception = False
    page = Client()
    page.raise_request_exception = False
    page.force_login(agent)
    cache.set("probe", 1)
    assert cache.get("probe") == 1  # the cache is on this Redis

    env = {"DATABASE_URL": _database_url(), "TASKS_BACKEND": "rq", "REDIS_URL": url, "AFTERSALES_ENV": "test"}
    worker = manage("rqworker", *QUEUES, "--job-class", "django_tasks_rq.backend.Job", env=env)
    try:
        own_redis.stop()
        with caplog.at_level(logging.WARNING, logger="aftersales.outage"):
            pages = [page.get("/tickets/"), api.get("/api/v1/tickets")]
            created = api.post("/api/v1/tickets", NEW, content_type="application/json", headers={"Idempotency-Key": "redis-1"})
        assert [r.status_code for r in pages] == [200, 200]
        assert created.status_code == 201, created.content[:500]
        assert "Redis is unavailable" in caplog.text  # the delivery job could not be enqueued
        assert "the cache (Redis) is unavailable" in caplog.text
        pending = list(Notification.objects.filter(ticket__number=created.json()["number"]))
        assert pending and {n.status for n in pending} == {NotificationStatus.PENDING}
        assert worker.poll() is None, "the RQ worker stopped with Redis"

        own_redis.start()  # the same port, empty: what was queued is gone
        # Five minutes on, the safety net finds the pending notifications and enqueues them.
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(created_at=timezone.now() - timedelta(minutes=6))
        assert retry_pending_notifications.call() == len(pending)
        wait_for(
            lambda: (
                set(Notification.objects.filter(pk__in=[n.pk for n in pending]).values_list("status", flat=True))
                == {NotificationStatus.SENT}
            ),
            90,
            "the RQ worker, back on Redis by itself, sent the notifications",
        )
        assert page.get("/tickets/").status_code == 200
        assert worker.poll() is None
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        print(output[-3000:])


def test_the_cache_answers_like_an_empty_forgetful_cache_while_redis_is_unreachable():
    """No server needed: a port where nothing listens. Django's own RedisCache raises instead."""
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import ConnectionError as RedisConnectionError

    from aftersales.core.cache_outage import OutageTolerantRedisCache

    down = OutageTolerantRedisCache("redis://127.0.0.1:1/0", {})
    assert down.get("k", "default") == "default"
    assert down.add("k", 1) is True
    assert down.set("k", 1) is None
    assert down.get_many(["k"]) == {}
    assert down.has_key("k") is False
    assert down.delete("k") is False
    assert down.get_or_set("k", 5) == 5
    with pytest.raises(ValueError):
        down.incr("k")
    with pytest.raises(RedisConnectionError):
        RedisCache("redis://127.0.0.1:1/0", {}).get("k")
