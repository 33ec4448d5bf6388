"""The SLA's part of the ticket page: ``{% load sla_tags %}{% sla_clocks_panel ticket %}``.

A template tag, so the tickets app (below sla) shows the clocks without importing sla."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.sla.selectors import sla_clocks_for_ticket

register = template.Library()


@register.inclusion_tag("sla/clocks_panel.html")
def sla_clocks_panel(ticket: Any) -> dict[str, Any]:
    return {"sla_clocks": sla_clocks_for_ticket(ticket=ticket)}
