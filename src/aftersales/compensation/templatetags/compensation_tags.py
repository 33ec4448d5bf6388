"""``{% load compensation_tags %}{% ticket_compensation ticket %}``: the ticket's refunds and
compensations, the forms to request them for its measures, and the customer's recent ones (the
abuse check), on the ticket page; ``{% customer_compensation customer %}``: the customer's
history in short.

Both cost the ticket page no query: ``ticket_compensation`` renders a placeholder that loads the
panel from ``compensation:ticket_panel`` (htmx, on load; a plain link without JavaScript) and
``customer_compensation`` an empty slot on the customer card, which the panel's answer fills
(an out-of-band swap: the history is read once for both)."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.compensation import selectors, services
from aftersales.tickets.states import TicketStatus

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_customer:
        return None
    return user


def _history(user: Any, customer: Any) -> Any:
    """Read once per page: the customer card and the ticket panel show the same history."""
    cached = getattr(customer, "_compensation_history", None)
    if cached is None or cached[0] != user.pk:
        cached = (user.pk, selectors.customer_history(user=user, customer=customer))
        customer._compensation_history = cached
    return cached[1]


def panel_context(user: Any, ticket: Any) -> dict[str, Any]:
    """The ticket panel and the customer card's summary; ``ticket`` was read for ``user``
    through a scoped selector."""
    if user is None or not user.is_authenticated or user.is_customer:
        return {"visible": False, "ticket": ticket, "summary": {"visible": False}}
    if ticket.solution_committed_at is None:
        # No plan was ever offered, so none was agreed: no refund or compensation can exist yet
        # (they are requested for an agreed plan's measures).
        refunds, compensations = [], []
    else:
        refunds = selectors.ticket_refunds(user=user, ticket=ticket)
        compensations = selectors.ticket_compensations(user=user, ticket=ticket)
    executing = ticket.status in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}
    requester = services.can_request(user)
    refund_measures = selectors.refund_measures(ticket=ticket) if executing and requester else []
    compensation_measures = selectors.compensation_measures(ticket=ticket) if executing and requester else []
    history = _history(user, ticket.customer)
    planning = ticket.status in {TicketStatus.ANALYSING, TicketStatus.PLANNING, TicketStatus.AWAITING_APPROVAL}
    visible = bool(
        refunds or compensations or refund_measures or compensation_measures or (history.warning and (planning or executing))
    )
    return {
        "visible": visible,
        "ticket": ticket,
        "refunds": refunds,
        "compensations": compensations,
        "refund_measures": refund_measures,
        "compensation_measures": compensation_measures,
        "history": history,
        "summary": {"visible": bool(history.entries) or history.warning, "history": history, "customer": ticket.customer},
    }


@register.inclusion_tag("compensation/_panel_placeholder.html", takes_context=True)
def ticket_compensation(context: template.Context, ticket: Any) -> dict[str, Any]:
    if ticket is None or _user(context) is None:
        return {"visible": False}
    return {"visible": True, "number": ticket.number}


@register.inclusion_tag("compensation/_customer_slot.html", takes_context=True)
def customer_compensation(context: template.Context, customer: Any) -> dict[str, Any]:
    return {"visible": customer is not None and _user(context) is not None}
