"""The SLA's part of the ticket page: ``{% load sla_tags %}{% sla_clocks_panel ticket %}``.

A template tag, so the tickets app (below sla) shows the clocks without importing sla. The panel
starts with the solution date promised to the customer (``tickets.process.promise``), overdue when
it passed with the ticket not resolved."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.core import clock
from aftersales.sla.selectors import sla_clocks_for_ticket
from aftersales.tickets.process.promise import ticket_promises
from aftersales.tickets.states import OPEN_STATUSES

register = template.Library()


@register.inclusion_tag("sla/clocks_panel.html")
def sla_clocks_panel(ticket: Any) -> dict[str, Any]:
    promises = ticket_promises(ticket=ticket)
    current = next((p for p in reversed(promises) if p.is_current), None)
    overdue = current is not None and current.is_overdue(now=clock.now(), ticket_open=ticket.status in OPEN_STATUSES)
    return {
        "sla_clocks": sla_clocks_for_ticket(ticket=ticket),
        "promise": current,
        "promise_overdue": overdue,
        "earlier_promises": [p for p in promises if p is not current],
    }
