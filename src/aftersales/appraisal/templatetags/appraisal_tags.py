"""``{% load appraisal_tags %}{% ticket_appraisals ticket %}``: the ticket's appraisals, their
status and conclusion, the report PDF and the actions the signed-in user may take.

The tag costs the ticket page no query: it renders a placeholder that loads the panel from
``appraisal:ticket_panel`` (htmx, on load; a plain link without JavaScript), whose view renders
``appraisal/_panel.html`` with :func:`panel_context`."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.accounts.models import User
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import FINAL_STATUSES

from ..forms import AssignForm, RequestForm
from ..permissions import is_handler, offered_actions
from ..selectors import ticket_appraisals as appraisals_of_ticket

register = template.Library()


def panel_context(user: User, ticket: Ticket) -> dict[str, Any]:
    if user is None or not user.is_authenticated or user.is_customer:
        return {"visible": False}
    rows = [{"appraisal": a, "actions": offered_actions(user, a)} for a in appraisals_of_ticket(user=user, ticket=ticket)]
    archived = ticket.status in FINAL_STATUSES
    can_request = is_handler(user) and not archived
    if not rows and not can_request:
        return {"visible": False}
    return {
        "visible": True,
        "ticket": ticket,
        "rows": rows,
        "archived": archived,
        "request_form": RequestForm() if can_request else None,
        "assign_form": AssignForm(),
    }


@register.inclusion_tag("appraisal/_panel_placeholder.html", takes_context=True)
def ticket_appraisals(context: template.Context, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if ticket is None or user is None or not user.is_authenticated or user.is_customer:
        return {"visible": False}
    return {"visible": True, "number": ticket.number}
