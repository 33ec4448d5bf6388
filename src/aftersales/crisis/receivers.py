"""The crisis app's part in intake (declared in ``tickets/effects.py``).

Detection never blocks or fails intake: each receiver runs in a savepoint, and an error of the
detector is logged and swallowed (the ticket is registered all the same; the periodic scan
catches a missed spike later)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket

from .safety import detect
from .services import (
    alert_raise_safety,
    alert_raise_social,
    alerts_detect_spikes,
    crises_link_new_ticket,
    ticket_mark_safety,
    ticket_record_safety,
)

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
    """After the number: a media report opens an alert at once. Joining the open crises and the
    spike scan read weeks of tickets, and the intake's transaction holds the day's number
    counter: they run after the intake (``ticket_created_later``)."""
    if ticket.channel != Channel.SOCIAL:
        return
    try:
        with transaction.atomic():
            alert_raise_social(ticket=ticket)
    except Exception:
        logger.exception("crisis: detection failed on %s (intake goes on)", ticket.number)


def ticket_created_later(*, ticket: Ticket) -> None:
    """In the job after the intake (``tickets.tasks.ticket_created_later``): link the ticket to
    the open crises it matches and run the spike scan on its model, batch, region and category.
    Idempotent; the periodic scan (``tasks.detect_spikes``) catches what a failed run missed."""
    crises_link_new_ticket(ticket=ticket)
    alerts_detect_spikes(now=ticket.created_at, only=ticket)
