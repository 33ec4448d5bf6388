"""A real PostgreSQL outage, on a cluster the test starts itself (never the shared one): intakes
through the API and the pages, the real ``manage.py worker`` and ``manage.py scheduler``
processes, the cluster stopped (``pg_ctl stop -m immediate``) and started again.

While it is down: every request answers 503 with Retry-After, never 500. Afterwards, without
anyone restarting anything: the worker and the scheduler carry on on new connections (the
periodic jobs are enqueued and run again), a notification whose delivery failed for lack of a
connection is sent by the safety net, nothing acknowledged is lost, and retries with the same
Idempotency-Key answer with the same ticket.

The cluster gets the application's schema from the suite's own test database, which pytest-django
has just migrated (``pg_dump`` into the new cluster: seconds, where a second ``migrate`` takes
minutes). PostgreSQL-only (the PostgreSQL pass of ``make test``); skipped without Debian's server
binaries, except in CI.
"""

from __future__ import annotations

import subprocess
import time
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersales.accounts.models import DataScope, Role
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.notifications.tasks import deliver_notification
from aftersales.tickets.models import Ticket
from tests.api.conftest import key_for
from tests.factories import UserFactory
from tests.infra.servers import OwnPostgres, manage, wait_for

# transaction=True: the suite migrates its test database for this test (copied into the new cluster)
# and leaves it alone while the test talks to the cluster.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}
SWEEP = "aftersales.sla.tasks.sweep_sla_clocks"
RETRY = "aftersales.notifications.tasks.retry_pending_notifications"
NEW = {"customer_name": "王芳", "phone": "13911112222", "description": "冰箱不制冷。", "channel": "wechat"}


@pytest.fixture
def own_db(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The suite's migrated test database, copied into a new cluster; the connection points there."""
    server = OwnPostgres()
    cfg = connection.settings_dict
    saved = dict(cfg)
    try:
        server.start()
        host = ["-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres"]
        server._run("createdb", *host, "aftersales")
        dump = subprocess.run(  # noqa: S603 - pg_dump of the suite's test database
            [str(server.bin / "pg_dump"), "--no-owner", "--no-privileges", "-h", cfg["HOST"] or "127.0.0.1",
             "-p", str(cfg["PORT"] or 5432), "-U", cfg["USER"] or "postgres", cfg["NAME"]],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(  # noqa: S603 - psql into our own cluster
            [str(server.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", *host, "aftersales"],
            input=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        with django_db_blocker.unblock():
            connection.close()
            cfg.update(HOST="127.0.0.1", PORT=str(server.port), NAME="aftersales")
            yield server
    finally:
        connection.close()
        cfg.clear()
        cfg.update(saved)
        server.remove()


def test_the_stack_rides_out_a_postgresql_restart(settings, own_db):
    settings.TASKS = DB_TASKS
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="outage-agent")
    api = Client(headers={"Authorization": f"Bearer {key_for(agent)}", "Accept-Language": "en"})
    api.raise_request_exception = False
    page = Client()
    page.raise_request_exception = False
    page.force_login(agent)

    def intake(key: str):  # type: ignore[no-untyped-def]
        close_old_connections()  # what the server does when a request starts
        return api.post("/api/v1/tickets", NEW, content_type="application/json", headers={"Idempotency-Key": key})

    first = intake("outage-1")
    assert first.status_code == 201
    # Its delivery jobs are lost (as with a worker killed by the outage): only the safety net
    # can send this acknowledgement.
    DBTaskResult.objects.all().delete()
    lost = Notification.objects.filter(ticket__number=first.json()["number"]).order_by("pk").first()
    assert lost is not None and lost.status == NotificationStatus.PENDING

    env = {"DATABASE_URL": own_db.url("aftersales"), "TASKS_BACKEND": "database", "AFTERSALES_ENV": "test", "REDIS_URL": ""}
    worker = manage("worker", "--queue-name", "*", "--interval", "0.5", "--no-startup-delay", env=env)
    scheduler = manage("scheduler", "--tick", "0.5", "--every", "1", "--job", SWEEP, "--job", RETRY, env=env)
    try:
        wait_for(
            lambda: DBTaskResult.objects.filter(task_path=SWEEP, status="SUCCESSFUL").exists(),
            120,
            "the scheduler enqueued the SLA sweep and the worker ran it",
        )
        acknowledged = {key: intake(key) for key in ("outage-2", "outage-3")}
        assert {r.status_code for r in acknowledged.values()} == {201}

        own_db.stop("immediate")
        during = [intake("outage-3"), intake("outage-4"), page.get("/tickets/")]
        assert [r.status_code for r in during] == [503, 503, 503]
        assert all(r["Retry-After"] == "30" for r in during)
        assert during[0].json()["code"] == "database_unavailable"
        # A delivery that meets the outage fails without crashing its own error handling.
        assert deliver_notification.call(lost.pk) == "retry"
        time.sleep(3)  # the worker's polls and the scheduler's ticks meet the outage
        assert worker.poll() is None and scheduler.poll() is None, "a process stopped with the database"

        own_db.start()
        back = timezone.now()
        close_old_connections()
        wait_for(
            lambda: DBTaskResult.objects.filter(task_path=SWEEP, status="SUCCESSFUL", enqueued_at__gte=back).exists(),
            60,
            "after the restart the scheduler enqueued the sweep again and the worker ran it (both reconnected)",
        )
        # Five minutes later the safety net sends the acknowledgement whose delivery failed.
        Notification.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=6))
        wait_for(
            lambda: Notification.objects.get(pk=lost.pk).status == NotificationStatus.SENT,
            60,
            "the pending notification was retried and sent",
        )

        replay = intake("outage-3")  # acknowledged before the outage: answered with the same ticket
        assert replay.status_code == 201
        assert replay.json()["number"] == acknowledged["outage-3"].json()["number"]
        retried = intake("outage-4")  # refused during the outage: created now, once
        assert retried.status_code == 201
        assert intake("outage-4").json()["number"] == retried.json()["number"]
        close_old_connections()
        numbers = sorted(Ticket.objects.values_list("number", flat=True))
        expected = [first, acknowledged["outage-2"], acknowledged["outage-3"], retried]
        assert numbers == sorted(r.json()["number"] for r in expected)  # nothing lost, nothing twice
        assert page.get("/tickets/").status_code == 200
        assert worker.poll() is None and scheduler.poll() is None
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            try:
                output, _ = process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                output, _ = process.communicate()
            print(output[-3000:])
