"""The failed deliveries page's read (docs/notifications.md, "Delivery receipts"): messages that
did not reach their recipient in the last seven days, for supervisors and administrators, within
their data scope, every address masked (a list needs none in full: the ticket page has the
customer's numbers for those who may see them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core import clock

from .models import DeliveryStatus, Notification, NotificationChannel
from .receipts import masked_recipient, reason_for
from .template_events import event_for

FAILED_DAYS = 7
PAGE_LIMIT = 200
REVIEWER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def may_review_deliveries(user: User) -> bool:
    """Supervisors and administrators (and superusers), active staff."""
    return bool(
        user.is_authenticated and user.is_active and not user.is_customer and (user.is_superuser or user.role in REVIEWER_ROLES)
    )


def _scope(user: User) -> Q | None:
    """The user's data scope over the messages' tickets, as ``tickets_visible_to`` draws it (the
    tickets app sits above this one: the same rules on the message's ticket). None: everything,
    messages without a ticket too (a sign-in code, an invitation)."""
    if user.is_superuser or user.data_scope == DataScope.ALL:
        return None
    own = Q(ticket__assignee=user) | Q(ticket__created_by=user)
    if user.data_scope == DataScope.TEAM and user.team_id:
        return own | Q(ticket__team_id=user.team_id)
    if user.data_scope == DataScope.REGION and user.region_id:
        if user.role == Role.SUPERVISOR:
            return own | Q(ticket__region_id=user.region_id) | Q(ticket__isnull=False, ticket__region__isnull=True)
        return own | Q(ticket__region_id=user.region_id)
    return own


@dataclass(frozen=True)
class FailedDelivery:
    """One row of the page, every address masked; ``reason`` in the reader's language."""

    pk: int
    at: dt.datetime
    channel: Any
    recipient: str
    message: Any
    ticket_number: str
    code: str
    reason: Any
    detail: str
    fallback_channel: Any
    fallback_recipient: str
    fallback_delivery: Any


def failed_deliveries(*, user: User, channel: str = "", now: dt.datetime | None = None) -> list[FailedDelivery]:
    """The messages not delivered in the last ``FAILED_DAYS`` days that ``user`` may review,
    newest first (at most ``PAGE_LIMIT``), with the fallback each one got; none for anybody else."""
    if not may_review_deliveries(user):
        return []
    since = (now or clock.now()) - dt.timedelta(days=FAILED_DAYS)
    qs: QuerySet[Notification] = Notification.objects.filter(delivery=DeliveryStatus.FAILED, created_at__gte=since)
    scope = _scope(user)
    if scope is not None:
        qs = qs.filter(scope)
    if channel in NotificationChannel.values:
        qs = qs.filter(channel=channel)
    rows = qs.select_related("ticket").prefetch_related("fallbacks").order_by("-created_at", "-pk")[:PAGE_LIMIT]
    return [_row(n) for n in rows]


def _row(n: Notification) -> FailedDelivery:
    event = event_for(n.template)
    fallback: Notification | None = next(iter(n.fallbacks.all()), None)  # at most one (one per send)
    ticket: Any = n.ticket
    return FailedDelivery(
        pk=n.pk,
        at=n.delivered_at or n.sent_at or n.created_at,
        channel=NotificationChannel(n.channel).label,
        recipient=masked_recipient(n.channel, n.recipient),
        message=event.label if event is not None else n.template,
        ticket_number=ticket.number if ticket is not None else "",
        code=n.delivery_code,
        reason=reason_for(n.delivery_code),
        detail=n.delivery_detail,
        fallback_channel=NotificationChannel(fallback.channel).label if fallback is not None else "",
        fallback_recipient=masked_recipient(fallback.channel, fallback.recipient) if fallback is not None else "",
        fallback_delivery=DeliveryStatus(fallback.delivery).label if fallback is not None else "",
    )
