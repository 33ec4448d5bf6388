"""Feedback's part in a ticket's status changes (declared in ``tickets/effects.py``)."""

from __future__ import annotations

import datetime as dt

from aftersales.tickets.models import Ticket
from aftersales.tickets.states import TicketStatus

from .services import survey_send_for_ticket


def ticket_status_changed(*, ticket: Ticket, before: TicketStatus, after: TicketStatus, now: dt.datetime) -> None:
    """A resolved ticket sends the satisfaction survey (its row and notification commit with
    the resolution, or not at all)."""
    if after == TicketStatus.RESOLVED:
        ticket.refresh_from_db()
        survey_send_for_ticket(ticket=ticket)
