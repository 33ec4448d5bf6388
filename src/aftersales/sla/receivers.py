"""The SLA's part in what a ticket's changes set off (declared in ``tickets/effects.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from aftersales.tickets.locking import lock_tickets
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import OPEN_STATUSES, TicketStatus

from .services import (
    sla_audit_started,
    sla_on_solution_promised,
    sla_on_status_change,
    sla_on_terms_change,
    sla_record_first_response,
    sla_start_for_ticket,
)


def ticket_opened(*, ticket: Ticket) -> Callable[[], None] | None:
    """Start the clocks (their deadlines land on the instance, written with the number); the
    audit row of the start follows once the ticket is numbered."""
    clocks = sla_start_for_ticket(ticket=ticket, new_ticket=True)
    if not clocks:
        return None
    return lambda: sla_audit_started(ticket=ticket, clocks=clocks)


def ticket_status_changed(*, ticket: Ticket, before: TicketStatus, after: TicketStatus, now: dt.datetime) -> None:
    sla_on_status_change(ticket=ticket, old_status=before, new_status=after, now=now)


def ticket_classified(*, ticket: Ticket, previous_category_id: int | None, previous_priority: int) -> None:
    if ticket.priority != previous_priority:
        # The service level follows the priority: open clocks take the new policy's targets.
        sla_on_terms_change(ticket=ticket, reason="priority")


def ticket_first_response(*, ticket: Ticket, at: dt.datetime) -> None:
    sla_record_first_response(ticket=ticket, at=at)


def ticket_solution_promised(*, ticket: Ticket, promise: object, now: dt.datetime) -> None:
    # Telling the customer when it will be solved is the solution commitment (SPEC §2).
    sla_on_solution_promised(ticket=ticket, at=now)


def customer_terms_changed(*, customer_id: int) -> None:
    """The customer's tier changed: their open tickets' clocks take the new policy's targets.
    The tickets are locked first, in key order, then each one's clocks (``tickets.locking``)."""
    ids = list(Ticket.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES).values_list("pk", flat=True))
    if not ids:
        return
    lock_tickets(*ids)
    tickets = Ticket.objects.filter(pk__in=ids, status__in=OPEN_STATUSES).select_related("customer").order_by("pk")
    for ticket in tickets:
        sla_on_terms_change(ticket=ticket, reason="customer_tier")
