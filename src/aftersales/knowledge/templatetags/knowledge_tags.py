"""``{% load knowledge_tags %}{% ticket_knowledge ticket %}``: the knowledge panel on the ticket
page — suggested articles for the ticket's model, category and
text (each with why), "this solved it", and "write a standard solution" on a resolved ticket.

The tag costs the page no query: it renders a placeholder that loads the suggestions from
``knowledge:ticket_panel`` (htmx, on load; a plain link without JavaScript). The work order page
renders the same placeholder with field service's panel (``fieldservice.knowledge_views``), which
checks the work order rather than the ticket: the technician may open the one and not the other."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("knowledge/_panel_placeholder.html", takes_context=True)
def ticket_knowledge(context: template.Context, ticket: Any, compact: bool = False) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if ticket is None or user is None or not user.is_authenticated or user.is_customer:
        return {"visible": False}
    url = reverse("knowledge:ticket_panel", args=[ticket.number]) + ("?compact=1" if compact else "")
    return {"visible": True, "panel_url": url, "compact": compact}
