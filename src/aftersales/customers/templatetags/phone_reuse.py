"""The staff customer page's part "phone number now used by another person"
(``customers.phone_reuse``): ``{% load phone_reuse %}{% phone_reuse_flags customer %}`` shows the
record's flags no member of staff reviewed yet; nothing when there are none."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.customers.models import Customer
from aftersales.customers.permissions import can_edit_customers
from aftersales.customers.phone_reuse import REVIEW_ACTION, phone_reuse_flags_open

register = template.Library()


@register.inclusion_tag("customers/_phone_reuse_flags.html", takes_context=True)
def phone_reuse_flags(context: Any, customer: Customer, review_url: str = "") -> dict[str, Any]:
    """``customer`` was read for the viewer (their scope); ``review_url``: where "Reviewed" posts
    (``action=phone_reuse_reviewed``, ``flag``), for the roles that edit customers; empty: no button."""
    request = context.get("request")
    user = getattr(request, "user", None)
    flags = phone_reuse_flags_open(customer=customer) if customer.erased_at is None else []
    return {
        "flags": flags,
        "customer": customer,
        "may_review": bool(review_url) and can_edit_customers(user),
        "review_url": review_url,
        "review_action": REVIEW_ACTION,
        "csrf_token": context.get("csrf_token"),
    }
