"""The triage's part in the tickets' hooks (declared in ``tickets/effects.py``).

``ticket_created_later``: in the one job that follows every intake
(``tickets.tasks.ticket_created_later``, queued with the intake's commit whatever the apps that
listen), the suggestion and the duplicate search of the new ticket. The intake itself does no
triage work at all, so turning the triage on adds nothing to it (docs/benchmarks.md, "Issue 20").
``services.triage_run`` never raises for an engine error (it stores the result as failed); a
ticket a lost or failed job left without a result is picked up by ``tasks.triage_sweep``.
``TRIAGE_ENABLED = False`` turns it off.

``ticket_details_corrected``: a correction of what the triage reads (the title and the
description; the product model, whose category the engine reads; the phone, the serial number
and the address the duplicate search compares) queues the triage of the ticket again
(``tasks.triage_ticket`` with ``force``, after the correction's commit as the intake's job is):
new suggestions and likely duplicates replace the old ones. What staff decided stays: the
ticket's classification changes only through the triage's own urgent decision, which a re-run
does not take again where a person decided the urgency or the safety flag (``TriageFeedback``).

``ticket_classified``: a classification by hand that lowered a ticket the system made urgent is
stored as feedback (the reversal of the system's decision)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction

from aftersales.core.jobs import enqueue_with_transaction
from aftersales.tickets.models import Ticket, TicketEvent

from .services import triage_enabled, triage_record_reclassification, triage_run
from .tasks import triage_ticket

logger = logging.getLogger(__name__)


def ticket_created_later(*, ticket: Ticket) -> None:
    if triage_enabled():
        triage_run(ticket_id=ticket.pk)


# The corrected details (``tickets.services.details.LABELS``) the triage's result depends on.
TRIAGE_READS = frozenset(
    {"title", "description", "product_model_code", "serial_number", "contact_phone", "province", "city", "district", "address"}
)


def ticket_details_corrected(*, ticket: Ticket, fields: Sequence[str]) -> None:
    if triage_enabled() and TRIAGE_READS.intersection(fields):
        enqueue_with_transaction(triage_ticket, lambda: triage_ticket.enqueue(ticket.pk, True))


def ticket_classified(*, ticket: Ticket, previous_category_id: int | None, previous_priority: int) -> None:
    try:
        with transaction.atomic():
            event = TicketEvent.objects.filter(ticket=ticket, data__action="classified").order_by("-id").only("actor").first()
            actor = event.actor if event is not None else None
            triage_record_reclassification(ticket=ticket, previous_priority=previous_priority, actor=actor)
    except Exception:
        logger.exception("triage: could not record the reclassification of %s", ticket.number)
