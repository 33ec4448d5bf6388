"""The badge "邮箱退信" / "E-mail bounced" of a customer whose e-mail address bounced for good
(``customers.services.customer_email_bounced``): ``{% load email_bounce %}{% email_bounced
customer mark_url %}`` on the staff customer page (with "Mark as working", which posts
``action=email_working`` to ``mark_url``) and in the ticket page's customer panel (without).
Nothing when the address is not marked; reads no rows (the customer is already loaded)."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.customers.models import Customer
from aftersales.customers.permissions import can_edit_customers
from aftersales.customers.services import MARK_WORKING_ACTION

register = template.Library()


@register.inclusion_tag("customers/_email_bounced.html", takes_context=True)
def email_bounced(context: Any, customer: Customer, mark_url: str = "") -> dict[str, Any]:
    """``customer`` was read for the viewer (their scope). The bounce's reason (the receiving
    server's words, which may hold the address) only for the roles that see personal data;
    "Mark as working" only with ``mark_url`` and for the roles that change customers."""
    request = context.get("request")
    user = getattr(request, "user", None)
    bounced = customer.email_bounced_at is not None and customer.erased_at is None
    return {
        "bounced": bounced,
        "customer": customer,
        "when": customer.email_bounced_at,
        "reason": customer.email_bounce_reason if bounced and getattr(user, "sees_personal_data", False) else "",
        "may_mark": bounced and bool(mark_url) and can_edit_customers(user),
        "mark_url": mark_url,
        "mark_action": MARK_WORKING_ACTION,
        "csrf_token": context.get("csrf_token"),
    }
