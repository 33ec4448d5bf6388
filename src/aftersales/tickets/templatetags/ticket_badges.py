"""``{% urgent_badge ticket %}``: the "Urgent" badge every work queue shows beside an urgent
ticket's item (SPEC §2.4: urgent goes first everywhere, and is seen to); ``{{ ticket|customer_status_label }}``:
the status as the customer is shown it (awaiting the quality acceptance reads as resolved)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..choices import Priority
from ..states import customer_status

register = template.Library()


@register.simple_tag
def urgent_badge(ticket: Any) -> SafeString | str:
    """The badge for an urgent ticket (the ticket page's markup); nothing for any other."""
    if ticket is None or ticket.priority != Priority.URGENT:
        return ""
    return format_html(' <span class="badge prio prio-1" data-test-id="urgent-badge">{}</span>', ticket.get_priority_display())


@register.filter
def customer_status_label(ticket: Any) -> str:
    """The ticket's status label for the customer's pages (``states.customer_status``)."""
    return str(customer_status(ticket.status).label)
