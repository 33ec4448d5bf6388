"""Enqueue the periodic jobs (``core/schedule.py``) at their intervals; run exactly one."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand

from aftersales.core.schedule import PERIODIC_JOBS

logger = logging.getLogger("aftersales.scheduler")


class Command(BaseCommand):
    help = "Enqueue periodic jobs (SLA sweep, notification retries, auto-close) for the workers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Enqueue every job once and exit.")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks (default 5).")

    def handle(self, *args: Any, once: bool = False, tick: float = 5.0, **options: Any) -> None:
        last_run: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for job in PERIODIC_JOBS:
                if once or now - last_run.get(job.task_path, float("-inf")) >= job.every.total_seconds():
                    try:
                        job.enqueue()
                    except Exception:  # a broken backend must not stop the other jobs
                        logger.exception("could not enqueue %s", job.task_path)
                    last_run[job.task_path] = now
            if once:
                self.stdout.write(f"enqueued {len(PERIODIC_JOBS)} periodic jobs")
                return
            time.sleep(tick)
