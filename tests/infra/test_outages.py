"""The worker and the scheduler ride out a database outage: they wait and carry on, instead of
stopping (the worker) or failing every minute on a dead connection (the scheduler).

The outage is real: the connection's settings point at a database that cannot be opened (a
closed port on PostgreSQL, a missing folder on SQLite) until the process pauses, and the pause
brings the database back.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import psycopg
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersales.accounts.models import Role
from aftersales.core import outage
from aftersales.core.schedule import PERIODIC_JOBS
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.notifications.tasks import deliver_notification, retry_pending_notifications
from tests.clock import freeze_time
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db(transaction=True)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}


class Outage:
    """``start()`` takes the database away; the first pause of the process (``end``) brings it back."""

    def __init__(self) -> None:
        self.saved = dict(connection.settings_dict)
        self.pauses: list[float] = []

    def start(self) -> None:
        connection.close()
        if connection.vendor == "postgresql":
            connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", "1"
        else:
            connection.settings_dict["NAME"] = "/nonexistent/folder/aftersales.sqlite3"

    def end(self, seconds: float = 0) -> None:
        self.pauses.append(seconds)
        connection.settings_dict.update(self.saved)


@pytest.fixture
def down(monkeypatch):
    taken = Outage()
    monkeypatch.setattr(outage, "pause", taken.end)
    yield taken
    connection.settings_dict.update(taken.saved)


def test_the_worker_waits_for_the_database_and_then_runs_the_jobs(settings, caplog, down):
    settings.TASKS = DB_TASKS
    call_command("scheduler", once=True)  # jobs waiting in the queue
    assert DBTaskResult.objects.count() == len(PERIODIC_JOBS)
    down.start()  # the database goes away before the worker polls

    with caplog.at_level(logging.WARNING, logger="aftersales.outage"):
        call_command("worker", queue_name="*", batch=True, no_startup_delay=True, interval=0)

    assert down.pauses == [1.0]  # it waited once, then the database was back
    assert "worker: the database is unavailable" in caplog.text
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_the_worker_pauses_longer_while_the_outage_lasts(monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr(outage, "pause", pauses.append)
    calls = iter(range(8))

    def polling() -> str:
        if next(calls) < 7:
            raise outage.OperationalError("connection refused")
        return "done"

    assert outage.run_through_outages("worker", polling) == "done"
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_the_scheduler_reconnects_after_the_database_came_back(settings, caplog, down):
    settings.TASKS = DB_TASKS
    down.start()
    with caplog.at_level(logging.WARNING, logger="aftersales.scheduler"):
        call_command("scheduler", once=True)  # the database is down: nothing enqueued, no crash
    assert "the database is unavailable" in caplog.text
    down.end()

    call_command("scheduler", once=True)  # the same process, the database back: a new connection

    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == sorted(j.task_path for j in PERIODIC_JOBS)


@pytest.mark.postgres
def test_the_scheduler_opens_a_new_connection_after_the_database_restarted(settings):
    """The server ended the scheduler's connection (a restart): the scheduler notices, drops it
    and enqueues on a new one, instead of failing on the dead one every minute."""
    settings.TASKS = DB_TASKS
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    cfg = connection.settings_dict
    with psycopg.connect(host=cfg["HOST"], port=cfg["PORT"], user=cfg["USER"], dbname="postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend])

    call_command("scheduler", once=True)
    # Each tick begins like a web request (close_old_connections and the health check): the dead
    # connection is replaced before the first job is enqueued.
    assert DBTaskResult.objects.count() == len(PERIODIC_JOBS)


def test_a_message_whose_delivery_met_the_outage_is_sent_by_the_safety_net_afterwards(settings, down):
    settings.TASKS = DB_TASKS
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_ticket(email="zhang.wei@example.com")
    notification = Notification.objects.get(channel="email")
    DBTaskResult.objects.all().delete()  # the delivery job queued by intake is lost with the outage

    down.start()
    assert deliver_notification.call(notification.pk) == "retry"  # no crash in its error handling
    down.end()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    with freeze_time(timezone.now() + timedelta(minutes=6)):
        assert retry_pending_notifications.call() >= 1
        call_command("worker", queue_name="*", batch=True, no_startup_delay=True, interval=0)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert [m.to for m in mail.outbox] == [["zhang.wei@example.com"]]


def test_a_page_during_the_outage_answers_503_with_retry_after(client, down):
    client.force_login(UserFactory(role=Role.AGENT))
    client.raise_request_exception = False
    down.start()
    response = client.get("/tickets/")
    down.end()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "服务暂时不可用" in response.content.decode()


def test_the_api_during_the_outage_answers_a_503_problem(client, down):
    client.raise_request_exception = False
    down.start()
    response = client.get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer ask_abcd1234_" + "x" * 43)
    down.end()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "database_unavailable"
