"""``{% load parts_tags %}`` then ``{% work_order_parts_panel work_order %}``: the parts panel of a
work order (requisitions, parts used, returns) with the actions the signed-in user may take.
Its forms post to ``/parts/work-orders/<id>/…`` and htmx swaps the panel in place."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.parts.panel import panel_context
from aftersales.parts.selectors import can_view_work_order_parts

register = template.Library()


@register.inclusion_tag("parts/partials/work_order_panel.html", takes_context=True)
def work_order_parts_panel(context: template.Context, work_order: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated or not can_view_work_order_parts(user=user, work_order=work_order):
        return {"hidden": True}
    result = panel_context(user=user, work_order=work_order)
    result["request"] = request
    result["csrf_token"] = context.get("csrf_token")
    return result
