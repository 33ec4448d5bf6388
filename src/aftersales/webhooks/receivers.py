"""Ticket and SLA events become webhook events: receivers named in ``tickets/effects.py`` and
``sla/effects.py``, called inside the change's transaction; the event is recorded there and
delivered after commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aftersales.tickets.models import Ticket
from aftersales.tickets.states import TicketStatus

from .models import EventType
from .services import ticket_payload, webhook_emit, webhook_subscriptions_for


def _emit(event: EventType, ticket_id: int, **extra: Any) -> None:
    # Subscriptions first: with none (the usual case) the ticket is not read at all.
    subscriptions = webhook_subscriptions_for(event)
    if not subscriptions:
        return
    ticket = Ticket.objects.select_related("region").filter(pk=ticket_id).first()
    if ticket is None:
        return
    webhook_emit(event=event, payload=ticket_payload(ticket, **extra), region=ticket.region, subscriptions=subscriptions)


def ticket_created(*, ticket: Ticket) -> None:
    _emit(EventType.TICKET_CREATED, ticket.pk)


def ticket_status_changed(*, ticket: Ticket, before: TicketStatus, after: TicketStatus, now: dt.datetime) -> None:
    _emit(EventType.TICKET_STATUS_CHANGED, ticket.pk, from_status=before.value, to_status=after.value)


def sla_breached(*, ticket: Ticket, metric: str) -> None:
    _emit(EventType.SLA_BREACHED, ticket.pk, metric=metric)
