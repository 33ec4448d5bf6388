"""The triage's part in the tickets' hooks (declared in ``tickets/effects.py``).

``ticket_created``: after intake (every channel goes through ``ticket_intake``), the triage job
is queued with the intake's commit, as ``core.jobs`` queues jobs: on the database task backend
the job row is written in the intake's transaction (one INSERT, no savepoint, no commit of its
own: measured, a separate commit per intake cost ~15 % of intake throughput); on RQ and the other
backends it is pushed after the commit (``transaction.on_commit``, robust: an error is logged and
the answer to the intake is unaffected). The suggestion itself never runs in the intake. A job
lost between the commit and the queue is picked up by ``tasks.triage_sweep``.
``TRIAGE_ENABLED = False`` turns it off.

``ticket_classified``: a classification by hand that lowered a ticket the system made urgent is
stored as feedback (the reversal of the system's decision)."""

from __future__ import annotations

import logging

from django.db import connection, transaction

from aftersales.tickets.models import Ticket, TicketEvent

from .services import triage_enabled, triage_record_reclassification
from .tasks import triage_ticket

logger = logging.getLogger(__name__)


def schedule_triage(ticket_id: int, *, force: bool = False) -> None:
    """Queue ``tasks.triage_ticket`` with the current transaction (see the module's docstring)."""

    def enqueue() -> None:
        triage_ticket.enqueue(ticket_id, force)

    if connection.in_atomic_block and _database_backend():
        enqueue()  # the job row commits (or rolls back) with the ticket
    else:
        transaction.on_commit(enqueue, robust=True)


def _database_backend() -> bool:
    return type(triage_ticket.get_backend()).__module__.startswith("django_tasks_db")


def ticket_created(*, ticket: Ticket) -> None:
    if not triage_enabled():
        return
    try:
        schedule_triage(ticket.pk)
    except Exception:  # never a reason to fail the intake
        logger.exception("triage: could not queue the triage of %s (intake goes on)", ticket.number)


def ticket_classified(*, ticket: Ticket, previous_category_id: int | None, previous_priority: int) -> None:
    try:
        with transaction.atomic():
            event = TicketEvent.objects.filter(ticket=ticket, data__action="classified").order_by("-id").only("actor").first()
            actor = event.actor if event is not None else None
            triage_record_reclassification(ticket=ticket, previous_priority=previous_priority, actor=actor)
    except Exception:
        logger.exception("triage: could not record the reclassification of %s", ticket.number)
