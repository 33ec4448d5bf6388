"""The triage's part in the tickets' hooks (declared in ``tickets/effects.py``).

``ticket_created_later``: in the one job that follows every intake
(``tickets.tasks.ticket_created_later``, queued with the intake's commit whatever the apps that
listen), the suggestion and the duplicate search of the new ticket. The intake itself does no
triage work at all, so turning the triage on adds nothing to it (docs/benchmarks.md, "Issue 20").
``services.triage_run`` never raises for an engine error (it stores the result as failed); a
ticket a lost or failed job left without a result is picked up by ``tasks.triage_sweep``.
``TRIAGE_ENABLED = False`` turns it off.

``ticket_classified``: a classification by hand that lowered a ticket the system made urgent is
stored as feedback (the reversal of the system's decision)."""

from __future__ import annotations

import logging

from django.db import transaction

from aftersales.tickets.models import Ticket, TicketEvent

from .services import triage_enabled, triage_record_reclassification, triage_run

logger = logging.getLogger(__name__)


def ticket_created_later(*, ticket: Ticket) -> None:
    if triage_enabled():
        triage_run(ticket_id=ticket.pk)


def ticket_classified(*, ticket: Ticket, previous_category_id: int | None, previous_priority: int) -> None:
    try:
        with transaction.atomic():
            event = TicketEvent.objects.filter(ticket=ticket, data__action="classified").order_by("-id").only("actor").first()
            actor = event.actor if event is not None else None
            triage_record_reclassification(ticket=ticket, previous_priority=previous_priority, actor=actor)
    except Exception:
        logger.exception("triage: could not record the reclassification of %s", ticket.number)
