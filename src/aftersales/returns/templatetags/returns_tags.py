"""``{% load returns_tags %}{% ticket_returns ticket %}``: the ticket's returns and exchanges and
"authorise" for its return and exchange measures, on the ticket page.

The tag costs the ticket page no query: once a plan was agreed it renders a placeholder that loads
the panel from ``returns:ticket_panel`` (htmx, on load; a plain link without JavaScript), whose
view renders ``returns/_ticket_returns.html`` with :func:`panel_context`."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.returns.permissions import can_authorise
from aftersales.returns.selectors import measures_open_for_rma, ticket_rmas
from aftersales.tickets.states import TicketStatus

register = template.Library()


def _staff(user: Any) -> bool:
    return user is not None and user.is_authenticated and not user.is_customer


def panel_context(user: Any, ticket: Any) -> dict[str, Any]:
    """What the panel shows; ``ticket`` was read for ``user`` through a scoped selector."""
    if not _staff(user) or ticket.solution_committed_at is None:
        return {"visible": False, "ticket": ticket}  # no plan was ever agreed: no returns yet (no query)
    rmas = ticket_rmas(user=user, ticket=ticket)
    executing = ticket.status in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}
    measures = measures_open_for_rma(ticket=ticket) if executing and can_authorise(user) else []
    return {"visible": bool(rmas or measures), "ticket": ticket, "rmas": rmas, "measures": measures}


@register.inclusion_tag("returns/_panel_placeholder.html", takes_context=True)
def ticket_returns(context: template.Context, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if ticket is None or not _staff(user) or ticket.solution_committed_at is None:
        return {"visible": False}
    return {"visible": True, "number": ticket.number}
