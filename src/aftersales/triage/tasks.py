"""Background job of the triage (django-tasks): the suggestion and the duplicates of a new ticket,
after its intake committed. Idempotent (``services.triage_run``); never raises."""

from __future__ import annotations

import logging

from django_tasks import task

from .services import triage_missing, triage_run

logger = logging.getLogger(__name__)


@task()
def triage_ticket(ticket_id: int, force: bool = False) -> str:
    """Triage ticket ``ticket_id``. Returns the result's status ("" when the ticket is gone)."""
    try:
        result = triage_run(ticket_id=ticket_id, force=force)
    except Exception:  # triage_run keeps its own errors; this is the last guard of the worker
        logger.exception("triage: the job for ticket %s failed", ticket_id)
        return "failed"
    return result.status if result is not None else ""


@task()
def triage_sweep() -> int:
    """Periodic (every 10 minutes): triage the recent tickets that have no result yet. Returns
    how many it triaged."""
    done = 0
    for ticket_id in triage_missing():
        triage_ticket.call(ticket_id)
        done += 1
    return done
