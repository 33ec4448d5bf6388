"""Enqueue the periodic jobs (``core/schedule.py``) at their intervals; run exactly one."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from aftersales.core.cache_outage import REDIS_DOWN
from aftersales.core.outage import DATABASE_DOWN, drop_broken_connections
from aftersales.core.schedule import PERIODIC_JOBS

logger = logging.getLogger("aftersales.scheduler")


class Command(BaseCommand):
    help = "Enqueue periodic jobs (SLA sweep, notification retries, auto-close) for the workers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue every job once and exit.")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks (default 5).")
        # For drills and the outage tests (tests/infra/test_own_postgres_outage.py): a few jobs, often.
        parser.add_argument("--job", action="append", dest="jobs", help="Only this job (its task path); repeatable.")
        parser.add_argument("--every", type=float, help="Seconds between runs of every job, instead of each job's own interval.")

    def handle(
        self,
        *args: Any,
        once: bool = False,
        tick: float = 5.0,
        jobs: list[str] | None = None,
        every: float | None = None,
        **options: Any,
    ) -> None:
        periodic = [job for job in PERIODIC_JOBS if not jobs or job.task_path in jobs]
        if jobs and len(periodic) != len(set(jobs)):
            raise CommandError(f"unknown jobs: {sorted(set(jobs) - {job.task_path for job in periodic})}")
        last_run: dict[str, float] = {}
        enqueued = 0
        while True:
            # Like the end of a web request: a connection that broke (the database restarted)
            # is closed here, so that this tick opens a fresh one instead of failing forever.
            close_old_connections()
            now = time.monotonic()
            for job in periodic:
                interval = every if every is not None else job.every.total_seconds()
                if once or now - last_run.get(job.task_path, float("-inf")) >= interval:
                    try:
                        job.enqueue()
                    except DATABASE_DOWN as exc:
                        # Not marked as run: enqueued again on the next tick, on a new connection.
                        logger.warning("could not enqueue %s, the database is unavailable: %s", job.task_path, exc)
                        drop_broken_connections()
                        continue
                    except REDIS_DOWN as exc:  # the RQ backend's Redis: likewise, next tick
                        logger.warning("could not enqueue %s, Redis is unavailable: %s", job.task_path, exc)
                        continue
                    except Exception:  # a broken backend must not stop the other jobs
                        logger.exception("could not enqueue %s", job.task_path)
                    else:
                        enqueued += 1
                    last_run[job.task_path] = now
            if once:
                self.stdout.write(f"enqueued {enqueued} of {len(periodic)} periodic jobs")
                return
            time.sleep(tick)
