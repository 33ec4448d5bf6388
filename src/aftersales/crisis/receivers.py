"""The crisis app's part in intake (declared in ``tickets/effects.py``).

Detection never blocks or fails intake: each receiver runs in a savepoint, and an error of the
detector is logged and swallowed (the ticket is registered all the same; the periodic scan
catches a missed spike later)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from aftersales.core.jobs import enqueue_with_transaction
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket

from .safety import detect
from .services import alert_raise_safety, alert_raise_social, ticket_mark_safety, ticket_record_safety
from .tasks import scan_new_ticket

logger = logging.getLogger(__name__)


def ticket_opened(*, ticket: Ticket) -> Callable[[], None] | None:
    """Before the number and the SLA clocks: safety words make the ticket urgent at once; once it
    is numbered, the timeline entry, the audit row and the safety alert follow."""
    try:
        hit = detect(f"{ticket.title}\n{ticket.description}")
        if hit is None:
            return None
        was_priority = ticket.priority
        with transaction.atomic():
            ticket_mark_safety(ticket=ticket, hit=hit)
    except Exception:
        logger.exception("crisis: the safety detector failed on a new ticket (intake goes on)")
        return None

    def then() -> None:
        try:
            with transaction.atomic():
                ticket_record_safety(ticket=ticket, hit=hit, was_priority=was_priority)
                alert_raise_safety(ticket=ticket, hit=hit)
        except Exception:
            logger.exception("crisis: the safety alert of %s failed (intake goes on)", ticket.number)

    return then


def ticket_created(*, ticket: Ticket) -> None:
    """After the number: a media report opens an alert at once; joining the open crises and the
    spike scan on this ticket's model, batch, region and category run as a job after the intake
    (``tasks.scan_new_ticket``): they read weeks of tickets, and the intake's transaction holds
    the day's number counter."""
    try:
        with transaction.atomic():
            if ticket.channel == Channel.SOCIAL:
                alert_raise_social(ticket=ticket)
            schedule_scan(ticket.pk)
    except Exception:
        logger.exception("crisis: detection failed on %s (intake goes on)", ticket.number)


def schedule_scan(ticket_id: int) -> None:
    """Queue ``tasks.scan_new_ticket`` with the intake's transaction (database backend) or after it."""
    enqueue_with_transaction(scan_new_ticket, lambda: scan_new_ticket.enqueue(ticket_id))
