"""``{% load returns_tags %}{% ticket_returns ticket %}``: the ticket's returns and exchanges and
"authorise" for its return and exchange measures, on the ticket page."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.returns.permissions import can_authorise
from aftersales.returns.selectors import measures_open_for_rma, ticket_rmas
from aftersales.tickets.states import TicketStatus

register = template.Library()


@register.inclusion_tag("returns/_ticket_returns.html", takes_context=True)
def ticket_returns(context: template.Context, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_customer:
        return {"visible": False}
    if ticket.solution_committed_at is None:
        return {"visible": False}  # no plan was ever agreed: no returns yet (no query)
    rmas = ticket_rmas(user=user, ticket=ticket)
    executing = ticket.status in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}
    measures = measures_open_for_rma(ticket=ticket) if executing and can_authorise(user) else []
    return {"visible": bool(rmas or measures), "ticket": ticket, "rmas": rmas, "measures": measures}
