"""SLA checks run as deferred django-tasks jobs on both supported backends: a job waits for its
time, then warns once; the periodic sweep catches what a lost job missed."""

from __future__ import annotations

import importlib
import os

import pytest
from django.apps import apps
from django.core.management import call_command

from aftersales.notifications.models import Notification
from aftersales.sla.models import SlaClock, SlaMetric
from aftersales.sla.tasks import sweep_sla_clocks
from tests.clock import freeze_time
from tests.factories import make_ticket

from .conftest import MONDAY_0900, at

pytestmark = pytest.mark.django_db(transaction=True)
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}


@pytest.fixture(autouse=True)
def _default_policies():  # type: ignore[no-untyped-def]
    """Transactional tests empty the tables between tests: put the seeded policies back."""
    importlib.import_module("aftersales.sla.migrations.0002_default_policies").add_defaults(apps, None)


def _run_db_worker() -> None:
    call_command("db_worker", queue_name="*", batch=True, no_startup_delay=True, interval=0)


def _warnings() -> int:
    return Notification.objects.filter(template="sla_warning").count()


def test_database_backend_runs_the_warning_job_only_when_its_time_has_come(settings, supervisor):
    settings.TASKS = DB_TASKS
    with freeze_time(MONDAY_0900) as frozen:
        ticket = make_ticket()
        first = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE)
        _run_db_worker()  # delivers the customer's messages; the SLA checks wait
        assert _warnings() == 0
        frozen.move_to(at(2026, 11, 23, 15, 44))
        _run_db_worker()
        assert _warnings() == 0
        frozen.move_to(at(2026, 11, 23, 15, 46))
        _run_db_worker()
        assert _warnings() == 1
        first.refresh_from_db()
        assert first.warned_at == at(2026, 11, 23, 15, 46)
        assert first.next_check_at == first.due_at  # the warning job scheduled the breach check
        frozen.move_to(at(2026, 11, 23, 18, 5))
        _run_db_worker()
        _run_db_worker()
    first.refresh_from_db()
    ticket.refresh_from_db()
    assert first.breached_at == at(2026, 11, 23, 18, 5)
    assert ticket.escalation_level == 1
    assert _warnings() == 1
    assert Notification.objects.filter(template="sla_breached", recipient=str(supervisor.pk)).count() == 1


def test_the_sweep_task_catches_a_clock_whose_job_was_lost(settings, supervisor):
    with freeze_time(MONDAY_0900):
        ticket = make_ticket()  # the dummy backend records the jobs and never runs them
    settings.TASKS = DB_TASKS
    with freeze_time(at(2026, 11, 23, 16, 0)):
        sweep_sla_clocks.enqueue()
        _run_db_worker()
        call_command("sla_sweep")  # the command does the same, and nothing twice
    assert _warnings() == 1
    assert SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE).warned_at == at(2026, 11, 23, 16, 0)


@pytest.mark.redis
def test_rq_backend_defers_the_checks_and_runs_the_sweep(settings, supervisor):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    url = os.environ["REDIS_URL"]
    settings.RQ_QUEUES = {"default": {"URL": url}, "notifications": {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "notifications"]}}
    queue = django_rq.get_queue("default")
    queue.empty()
    for job_id in queue.scheduled_job_registry.get_job_ids():
        queue.scheduled_job_registry.remove(job_id, delete_job=True)

    with freeze_time(MONDAY_0900):
        ticket = make_ticket()
    # Three deferred checks (one per clock) wait in RQ's scheduled registry, not in the queue;
    # the queue holds only the one job after intake (crisis scan and triage of the new ticket).
    assert queue.scheduled_job_registry.count == 3
    descriptions = [job.description for job in queue.get_jobs()]
    assert len(descriptions) == 1, descriptions
    assert "ticket_created_later" in descriptions[0], descriptions

    with freeze_time(at(2026, 11, 23, 16, 0)):
        sweep_sla_clocks.enqueue()
        sweep_sla_clocks.enqueue()  # twice: still one warning
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    assert _warnings() == 1
    assert SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE).warned_at is not None
    for job_id in queue.scheduled_job_registry.get_job_ids():
        queue.scheduled_job_registry.remove(job_id, delete_job=True)
