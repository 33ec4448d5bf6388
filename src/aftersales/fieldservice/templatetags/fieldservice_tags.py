"""``{% load fieldservice_tags %}{% ticket_work_orders ticket %}``: the ticket's work orders and
"create work order" for its measures, on the ticket page."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.fieldservice import charging
from aftersales.fieldservice.models import acceptance_kind as models_acceptance_kind
from aftersales.fieldservice.models import charge_text as models_charge_text
from aftersales.fieldservice.permissions import can_create, site_details
from aftersales.fieldservice.selectors import measures_open_for_work_orders
from aftersales.fieldservice.selectors import ticket_work_orders as ticket_work_orders_for
from aftersales.tickets.states import TicketStatus

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
