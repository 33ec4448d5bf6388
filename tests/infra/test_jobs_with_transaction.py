"""core.jobs: a job for what a transaction writes is queued in that transaction on the database
backend (it commits or rolls back with the data) and after commit on the other backends."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from aftersales.notifications.models import Notification
from aftersales.sla.models import SlaClock
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db  # the test's transaction stands for the request's

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}


class Rollback(Exception):
    pass


def _jobs(suffix: str) -> int:
    return DBTaskResult.objects.filter(task_path__endswith=suffix).count()


def test_on_the_database_backend_an_intakes_jobs_commit_with_it(settings):
    settings.TASKS = DB_TASKS
    with transaction.atomic():
        ticket = make_ticket(email="zhang.wei@example.com")
        # Inside the transaction, before any commit: the jobs are rows of it already.
        assert _jobs("deliver_notification") == Notification.objects.filter(ticket=ticket).count() >= 1
        clocks = SlaClock.objects.filter(ticket=ticket, next_check_at__isnull=False)
        queued = DBTaskResult.objects.filter(task_path__endswith="check_sla_clock")
        assert sorted(r.args_kwargs["args"][0] for r in queued) == sorted(c.pk for c in clocks)
        assert len(clocks) == 3 and all(r.run_after is not None for r in queued)


def test_on_the_database_backend_a_rolled_back_intake_leaves_no_job(settings):
    settings.TASKS = DB_TASKS
    with pytest.raises(Rollback), transaction.atomic():
        make_ticket(email="zhang.wei@example.com")
        assert _jobs("deliver_notification") >= 1
        raise Rollback
    assert DBTaskResult.objects.count() == 0


def test_on_other_backends_jobs_are_queued_after_commit(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "notifications"]}}
    from aftersales.notifications.tasks import deliver_notification

    backend = deliver_notification.get_backend()
    backend.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_ticket(email="zhang.wei@example.com")
        assert backend.results == []  # nothing before the commit
    paths = [r.task.module_path.rsplit(".", 1)[-1] for r in backend.results]
    assert len(paths) == len(callbacks)  # every job went through the commit
    assert paths.count("check_sla_clock") == 3 and paths.count("deliver_notification") == Notification.objects.count() >= 1
