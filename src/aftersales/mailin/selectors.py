from __future__ import annotations

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.tickets.selectors import sees_every_ticket, tickets_visible_to

from .held import HeldMailOutOfScope, _check_agent, may_read
from .models import InboundMessage, InboundStatus


def held_messages(*, user: User, show: str = "held", limit: int = 200) -> QuerySet[InboundMessage]:
    """The held queue (or the ignored mail, or everything) for agents, newest first: the mail
    related to no ticket and the mail related to a ticket in the user's data scope."""
    _check_agent(user)
    qs = InboundMessage.objects.defer("raw", "body_html").select_related("ticket").order_by("-received_at", "-id")
    if not sees_every_ticket(user):
        qs = qs.filter(Q(ticket__isnull=True) | Q(ticket__in=tickets_visible_to(user).values("pk")))
    if show == "held":
        qs = qs.filter(status=InboundStatus.HELD)
    elif show == "ignored":
        qs = qs.filter(status=InboundStatus.IGNORED)
    return qs[:limit]


def inbound_get(*, user: User, message_id: int) -> InboundMessage:
    """One stored email for the held queue's page; ``NotFound`` when there is none,
    ``HeldMailOutOfScope`` (a ``NotFound``) when it relates to a ticket outside the user's scope."""
    _check_agent(user)
    message = InboundMessage.objects.select_related("ticket").filter(pk=message_id).first()
    if message is None:
        raise NotFound("email not found")
    if not may_read(user, message):
        raise HeldMailOutOfScope(message)
    return message
