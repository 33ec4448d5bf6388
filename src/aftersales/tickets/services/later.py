"""The work a new ticket sets off after its intake committed, in one background job.

Reading beyond the ticket (the open crises it joins, the spike scan over weeks of tickets, the
triage's suggestion and its duplicate search) must not run in the intake: its transaction holds
the day's number counter, and an intake is acknowledged in milliseconds. The apps that need such
work list a receiver in ``effects.TICKET_CREATED_LATER``; the intake queues **one** job for all of
them (``tasks.ticket_created_later``), so an app joining the list adds nothing to the intake's
own work (measured: a second job row per intake cost ~3 % of intakes per second on a quiet
machine, docs/benchmarks.md "Issue 20").

In the job, each receiver runs on its own in a savepoint: an error is logged and rolled back, and
the next receiver runs. Each receiver is idempotent and has a periodic safety net (the crisis
spike scan, the triage sweep) for a job that was lost or failed.
"""

from __future__ import annotations

import logging

from django.db import transaction

from aftersales.core.jobs import enqueue_with_transaction

from ..effects import TICKET_CREATED_LATER
from ..models import Ticket

logger = logging.getLogger(__name__)


def ticket_created_later_queue(*, ticket_id: int) -> None:
    """Intake's call, in its transaction: queue the job (one job row on the database backend,
    committed with the ticket; on RQ pushed after the commit)."""
    # Imported here: tickets.tasks imports the process services, which import this package.
    from ..tasks import ticket_created_later

    enqueue_with_transaction(ticket_created_later, lambda: ticket_created_later.enqueue(ticket_id))


def ticket_created_later_run(*, ticket_id: int) -> int:
    """Run the receivers of ``TICKET_CREATED_LATER`` for ticket ``ticket_id``, in order, each in
    its own savepoint. Returns how many failed (0 when the ticket is gone)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    failed = 0
    for receiver in TICKET_CREATED_LATER.receivers:
        try:
            with transaction.atomic():
                receiver(ticket=ticket)
        except Exception:
            failed += 1
            logger.exception(
                "after intake: %s.%s failed on %s (its periodic sweep will catch up)",
                receiver.__module__,
                receiver.__qualname__,
                ticket.number,
            )
    return failed
