"""``{% load reply_templates %}{% reply_template_picker ticket %}``: the reply templates in the
ticket page's message form.

The tag costs the page no query: it signs the ticket's values (number, the customer's name, the
resolution due time, the product model, the agent's name) for the signed-in agent and renders a
placeholder that loads the picker (htmx, on load). Choosing a template asks the server to render
it with those values; "Insert" puts the text into the message (static/aftersales/app.js)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from ..template_selectors import can_manage_reply_templates
from ..template_services import reply_values
from ..template_views import reply_token

register = template.Library()


@register.inclusion_tag("notifications/templates/partials/reply_placeholder.html", takes_context=True)
def reply_template_picker(context: template.Context, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if ticket is None or user is None or not user.is_authenticated or user.is_customer:
        return {"visible": False}
    token = reply_token(values=reply_values(ticket=ticket, agent=user), user=user)
    url = reverse("notifications:reply_picker") + "?" + urlencode({"t": token})
    return {"visible": True, "url": url, "may_manage": can_manage_reply_templates(user)}
