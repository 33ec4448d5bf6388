"""``manage.py worker``: django-tasks' database worker (``db_worker``, same options) that rides
out database outages instead of exiting.

``db_worker`` stops with a traceback when its polling query meets a database that is down or a
connection that broke; under ``make run`` that took the whole stack down. This command runs the
same worker and, on such an error, drops the broken connection, waits (1 s, doubling up to 30 s)
and starts polling again. A job that was running when the database went away is retried by its
periodic safety net (every job is idempotent).
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from aftersales.core.outage import run_through_outages


class Command(DatabaseWorkerCommand):
    help = "Run the database background worker; wait out database outages instead of stopping."

    def handle(self, *args: Any, **options: Any) -> None:
        run_through_outages("worker", lambda: super(Command, self).handle(*args, **options))
