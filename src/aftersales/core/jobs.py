"""Enqueueing a background job for what the current transaction writes.

A job must never run before the rows it works on are committed, and must not be lost if the
process dies right after the commit. How that is achieved depends on where jobs are queued:

* The database backend (the embedded default) stores a job as a row, so the job is enqueued
  **inside** the transaction: it commits with the ticket, notification or SLA clock it is for,
  or rolls back with them, and a worker can only see it once committed. One commit instead of
  one extra commit per job (an intake queues four: notification, three SLA checks), and no gap
  between the commit and the enqueue.
* Any other backend (RQ on Redis, immediate, dummy) is outside the database: the job is
  enqueued after the commit (``transaction.on_commit``), as before. Work lost in that gap is
  picked up by the periodic sweeps (SLA every minute, notification retries every five). So is a
  job that could not be enqueued because Redis was down: the failure is logged and the request
  that committed its rows still succeeds, never a 500 for a ticket that was saved
  (docs/operations.md, "A Redis outage"). Any other error is raised as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

from .cache_outage import REDIS_DOWN

logger = logging.getLogger("aftersales.outage")


def _tolerating_redis_outage(task: Any, enqueue: Callable[[], object]) -> None:
    try:
        enqueue()
    except REDIS_DOWN as exc:
        logger.warning(
            "could not enqueue %s, Redis is unavailable; its periodic safety net will: %s",
            getattr(task, "module_path", task),
            exc,
        )


def _in_database(task: Any) -> bool:
    backend = task.get_backend()
    return type(backend).__module__.startswith("django_tasks_db")


def enqueue_with_transaction(task: Any, enqueue: Callable[[], object]) -> None:
    """Run ``enqueue`` (which enqueues ``task``) in the current transaction when the task's
    backend is the database, else after commit. Outside a transaction it runs at once."""
    if connection.in_atomic_block and _in_database(task):
        enqueue()
    else:
        transaction.on_commit(lambda: _tolerating_redis_outage(task, enqueue))
