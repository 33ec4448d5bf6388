"""``{% load revisit_tags %}{% customer_revisits_placeholder customer_id %}``: on the customer
card, a placeholder that loads the customer's latest revisits and next due date after the page
(htmx, ``revisits:customer_card``), so the ticket page costs no query for it; shown to staff who
read revisits only."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.revisits.permissions import reads_revisits

register = template.Library()


@register.inclusion_tag("revisits/partials/customer_placeholder.html", takes_context=True)
def customer_revisits_placeholder(context: template.Context, customer_id: int | None) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    visible = bool(customer_id and user is not None and user.is_authenticated and reads_revisits(user))
    return {"visible": visible, "customer_id": customer_id}
