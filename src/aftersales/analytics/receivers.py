"""The dashboard's maintained counts follow every ticket change (declared in ``tickets/effects.py``)."""

from __future__ import annotations

import datetime as dt

from aftersales.tickets.models import Ticket
from aftersales.tickets.states import TicketStatus

from .counts import ticket_counts_change


def ticket_opened(*, ticket: Ticket) -> None:
    ticket_counts_change(before=None, after=(ticket.status, ticket.category_id, ticket.region_id))


def ticket_status_changed(*, ticket: Ticket, before: TicketStatus, after: TicketStatus, now: dt.datetime) -> None:
    ticket_counts_change(
        before=(before.value, ticket.category_id, ticket.region_id), after=(after.value, ticket.category_id, ticket.region_id)
    )


def ticket_classified(*, ticket: Ticket, previous_category_id: int | None, previous_priority: int) -> None:
    if ticket.category_id != previous_category_id:
        ticket_counts_change(
            before=(ticket.status, previous_category_id, ticket.region_id),
            after=(ticket.status, ticket.category_id, ticket.region_id),
        )
