"""The scheduler enqueues every periodic job; the database worker then runs them."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from aftersales.core.schedule import PERIODIC_JOBS

pytestmark = pytest.mark.django_db(transaction=True)


def test_scheduler_once_enqueues_each_periodic_job_and_the_worker_runs_them(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}
    call_command("scheduler", once=True)
    paths = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert paths == sorted(job.task_path for job in PERIODIC_JOBS)

    call_command("db_worker", queue_name="*", batch=True, no_startup_delay=True, interval=0)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
