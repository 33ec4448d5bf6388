"""``{% ticket_when_where ticket as facts %}``: when and where the request happened and what of
it is missing (``selectors.when_where``), for the ticket page's card and its verification step."""

from __future__ import annotations

from django import template

from ..models import Ticket
from ..selectors.when_where import WhenWhere
from ..selectors.when_where import ticket_when_where as _when_where

register = template.Library()


@register.simple_tag
def ticket_when_where(ticket: Ticket) -> WhenWhere:
    return _when_where(ticket)
