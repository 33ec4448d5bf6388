"""``{% load acceptance_tags %}{% ticket_acceptance ticket %}``: the quality acceptance's panel
on the ticket page (``acceptance_panel``).

The tag costs the ticket page no query: for a ticket that waits for acceptance or was resolved
once it renders a placeholder that loads the panel from ``quality:acceptance_panel`` (htmx, on
load; a plain link without JavaScript); for any other ticket nothing."""

from __future__ import annotations

from typing import Any

from django import template

from ..acceptance_panel import may_show_panel

register = template.Library()


@register.inclusion_tag("quality/_acceptance_panel_placeholder.html", takes_context=True)
def ticket_acceptance(context: template.Context, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if ticket is None or user is None or not user.is_authenticated or user.is_customer or not may_show_panel(ticket):
        return {"visible": False}
    return {"visible": True, "number": ticket.number, "waiting": ticket.status == "awaiting_acceptance"}
