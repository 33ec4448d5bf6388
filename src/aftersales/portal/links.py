"""Signed links that open one ticket in the portal without a login.

The token is signed by ``notifications.links`` (below ``tickets``, so that every message about a
ticket can carry the link); this module opens it. A link names the ticket by id inside a
signature (never by its guessable number alone) and expires after ``PORTAL_LINK_MAX_AGE_DAYS``.
It grants what the ticket's customer may do on that ticket, nothing more.
"""

from __future__ import annotations

from aftersales.core.errors import NotFound
from aftersales.notifications.links import CUSTOMER_TICKET_SALT, customer_ticket_ids, customer_ticket_path, customer_ticket_token
from aftersales.tickets.models import Ticket

SALT = CUSTOMER_TICKET_SALT


def portal_token_for(ticket: Ticket) -> str:
    return customer_ticket_token(ticket)


def portal_path_for(ticket: Ticket) -> str:
    return customer_ticket_path(ticket)


def ticket_from_token(token: str) -> Ticket:
    """The ticket a valid, unexpired token names; ``NotFound`` for anything else."""
    ticket_id, customer_id = customer_ticket_ids(token)
    ticket = Ticket.objects.select_related("customer", "product_unit__model", "category").filter(pk=ticket_id).first()
    if ticket is None or ticket.customer_id != customer_id:
        raise NotFound("invalid portal link")
    return ticket
