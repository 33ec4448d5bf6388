from __future__ import annotations

from django.db.models import QuerySet

from aftersales.accounts.models import User

from .models import InboundMessage, InboundStatus
from .services import _check_agent


def held_messages(*, user: User, show: str = "held", limit: int = 200) -> QuerySet[InboundMessage]:
    """The held queue (or the ignored mail, or everything) for agents, newest first."""
    _check_agent(user)
    qs = InboundMessage.objects.defer("raw", "body_html").select_related("ticket").order_by("-received_at", "-id")
    if show == "held":
        qs = qs.filter(status=InboundStatus.HELD)
    elif show == "ignored":
        qs = qs.filter(status=InboundStatus.IGNORED)
    return qs[:limit]


def inbound_get(*, user: User, message_id: int) -> InboundMessage | None:
    _check_agent(user)
    return InboundMessage.objects.select_related("ticket").filter(pk=message_id).first()
