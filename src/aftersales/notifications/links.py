"""The links messages carry, as absolute URLs under ``AFTERSALES_SITE_URL`` (core/links.py).

The customer's signed ticket link is signed here, below ``tickets``, so that every message
about a ticket can carry it (the intake's "registered" message is sent from this app);
``portal.links`` opens it (the ticket model sits above this app). A token names the ticket by
id and its customer inside a signature, never by the guessable number alone, and expires after
``PORTAL_LINK_MAX_AGE_DAYS``.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core import signing
from django.urls import reverse

from aftersales.core.errors import NotFound
from aftersales.core.links import absolute_url

CUSTOMER_TICKET_SALT = "aftersales.portal.ticket"  # unchanged since the portal signed it: old links keep working


class LinkedTicket(Protocol):
    @property
    def pk(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def customer_id(self) -> int: ...


def customer_ticket_token(ticket: LinkedTicket) -> str:
    return signing.dumps({"t": ticket.pk, "c": ticket.customer_id}, salt=CUSTOMER_TICKET_SALT, compress=True)


def customer_ticket_ids(token: str) -> tuple[int, int]:
    """(ticket id, customer id) of a valid, unexpired token; ``NotFound`` for anything else."""
    max_age = getattr(settings, "PORTAL_LINK_MAX_AGE_DAYS", 60) * 86400
    try:
        payload = signing.loads(token, salt=CUSTOMER_TICKET_SALT, max_age=max_age)
        return int(payload["t"]), int(payload["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("invalid portal link") from None


def customer_ticket_path(ticket: LinkedTicket) -> str:
    """The portal page of the ticket, opened without a login (the customer's signed link)."""
    return reverse("portal:ticket_by_link", kwargs={"token": customer_ticket_token(ticket)})


def customer_ticket_url(ticket: LinkedTicket) -> str:
    return absolute_url(customer_ticket_path(ticket))


def staff_ticket_url(ticket: LinkedTicket) -> str:
    """The agent's ticket page (``/tickets/<number>/``; the viewer's scope decides access)."""
    return absolute_url(reverse("tickets:detail", args=[ticket.number]))
