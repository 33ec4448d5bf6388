"""The worker's answer to ``manage.py demo_banner``: a job that does nothing but prove a worker
picked it up (``make run`` prints its banner only once the worker answers)."""

from __future__ import annotations

from django_tasks import task
from django_tasks.base import TASK_MAX_PRIORITY


@task(queue_name="default", priority=TASK_MAX_PRIORITY)
def worker_ping() -> str:
    """Ahead of any backlog (highest priority); returns "pong"."""
    return "pong"
