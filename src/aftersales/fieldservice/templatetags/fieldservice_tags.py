"""``{% load fieldservice_tags %}{% ticket_work_orders ticket %}``: the ticket's work orders and
"create work order" for its measures, on the ticket page."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.catalog.warranty import WarrantyState
from aftersales.core import clock
from aftersales.fieldservice import charging
from aftersales.fieldservice.models import acceptance_kind as models_acceptance_kind
from aftersales.fieldservice.models import charge_text as models_charge_text
from aftersales.fieldservice.permissions import can_create, site_details
from aftersales.fieldservice.selectors import measures_open_for_work_orders
from aftersales.fieldservice.selectors import ticket_work_orders as ticket_work_orders_for
from aftersales.notifications.links import customer_ticket_path
from aftersales.tickets.states import TicketStatus
from aftersales.tickets.warranty import ticket_warranty_status

register = template.Library()


@register.inclusion_tag("fieldservice/_ticket_work_orders.html", takes_context=True)
def ticket_work_orders(context: template.Context, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_customer:
        return {"visible": False}
    if ticket.solution_committed_at is None:
        # No plan was ever offered to the customer, so none was agreed: no work orders can exist
        # yet. Costs the ticket page no query.
        return {"visible": False}
    orders = ticket_work_orders_for(user=user, ticket=ticket)
    executing = ticket.status in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}
    return {
        "visible": True,
        "ticket": ticket,
        "work_orders": [{"work_order": wo, "site": site_details(user, wo)} for wo in orders],
        "measures": measures_open_for_work_orders(ticket=ticket) if executing and can_create(user) else [],
    }


@register.simple_tag
def accepted_charge(work_order: Any) -> Any:
    """``{% accepted_charge wo as accepted %}``: the most the job may charge and where the
    customer agreed to it (``fieldservice.charging.accepted_charge``), for the job's page."""
    return charging.accepted_charge(work_order)


@register.filter
def charge_text(line: Any, name: str) -> str:
    """``{{ line|charge_text:"reason" }}``: a charge or quote line's description or reason in the
    reader's language (``fieldservice.models.charge_text``)."""
    return models_charge_text(line, name)


@register.filter
def acceptance_kind(summary: Any) -> str:
    """``{{ acceptance.summary|acceptance_kind }}``: the service in the reader's language."""
    return models_acceptance_kind(summary)


@register.simple_tag
def quote_facts(work_order: Any) -> dict[str, Any]:
    """``{% quote_facts work_order as facts %}``: what the customer's quote page says once, above
    the lines: the warranty answer on the day of the quote (``tickets.warranty``: the one the
    charges follow) as ``state`` ("in", "out", "unknown"), its ``ends_on`` and ``reason``; the
    ticket number the customer knows; and the signed link back to their request's page."""
    ticket = work_order.ticket
    day = clock.local_date(work_order.quote_sent_at) if work_order.quote_sent_at else clock.local_today()
    status = ticket_warranty_status(ticket, day)
    return {
        "state": str(status.state),
        "ends_on": status.ends_on,
        "reason": status.reason if status.state == WarrantyState.UNKNOWN else "",
        "ticket_number": ticket.number,
        "ticket_link": customer_ticket_path(ticket),
    }
