"""Signed links that open one ticket in the portal without a login.

A link names the ticket by id inside a signature (never by its guessable number alone) and
expires after ``PORTAL_LINK_MAX_AGE_DAYS``. It grants what the ticket's customer may do on that
ticket, nothing more.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from aftersales.core.errors import NotFound
from aftersales.tickets.models import Ticket

SALT = "aftersales.portal.ticket"


def portal_token_for(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "c": ticket.customer_id}, salt=SALT, compress=True)


def portal_path_for(ticket: Ticket) -> str:
    return reverse("portal:ticket_by_link", kwargs={"token": portal_token_for(ticket)})


def ticket_from_token(token: str) -> Ticket:
    """The ticket a valid, unexpired token names; ``NotFound`` for anything else."""
    max_age = getattr(settings, "PORTAL_LINK_MAX_AGE_DAYS", 60) * 86400
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
        ticket_id, customer_id = int(payload["t"]), int(payload["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("invalid portal link") from None
    ticket = Ticket.objects.select_related("customer", "product_unit__model", "category").filter(pk=ticket_id).first()
    if ticket is None or ticket.customer_id != customer_id:
        raise NotFound("invalid portal link")
    return ticket
