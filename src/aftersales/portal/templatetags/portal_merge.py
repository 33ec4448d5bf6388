"""``{% merged_into_link ticket as target %}``: for a merged request, the number of the request
it continues as and the customer's link to it (``tickets.process.verification.ticket_merge``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from aftersales.notifications.links import customer_ticket_path
from aftersales.tickets.models import Ticket

register = template.Library()


@register.simple_tag(takes_context=True)
def merged_into_link(context: Any, ticket: Ticket) -> dict[str, str] | None:
    """None for a ticket that was not merged. The customer signed in as its owner gets the
    portal's page of the target; a page opened from a signed link gets the target's signed link
    (the same customer's: only tickets of one customer are merged)."""
    if ticket.merged_into_id is None:
        return None
    target = ticket.merged_into
    if target is None:
        return None
    url = reverse("portal:ticket", args=[target.number]) if context.get("owner_signed_in") else customer_ticket_path(target)
    return {"number": target.number, "url": url}
