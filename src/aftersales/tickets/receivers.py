"""What the tickets app does when a lower app's change sets it off (``core.hooks``): the staff
handover (``accounts.effects``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User
from aftersales.core.i18n import Deferred
from aftersales.notifications.models import Notification

from .choices import EventKind
from .models import Ticket
from .process.common import timeline
from .services.assignment import tickets_hand_over
from .states import FINAL_STATUSES

KIND = "tickets"


def _url(user: User) -> str:
    return reverse("tickets:list") + f"?assignee={user.pk}"


def staff_holdings(*, user: User) -> list[Holding]:
    """``STAFF_HOLDINGS``: the open tickets assigned to ``user``."""
    count = Ticket.objects.filter(assignee=user).exclude(status__in=FINAL_STATUSES).count()
    return [Holding(kind=KIND, label=_("Open tickets assigned"), count=count, url=_url(user))]


def staff_leaving(*, user: User, successor: User | None, actor: User, now: dt.datetime) -> list[Holding]:
    """``STAFF_LEAVING``: to the successor when they handle tickets, else back to the queue."""
    moved, assignee = tickets_hand_over(leaver=user, successor=successor, actor=actor)
    label = _("Open tickets, now assigned to the successor") if assignee is not None else _("Open tickets, now unassigned")
    url = _url(assignee) if assignee is not None else reverse("tickets:list") + "?queue=unassigned"
    return [Holding(kind=KIND, label=label, count=moved, url=url)]


def notification_undelivered(*, notification: Notification, fallback: Notification | None, text: Deferred) -> None:
    """``notifications.effects.NOTIFICATION_UNDELIVERED``: the timeline says which message did not
    reach the customer (and where the fallback went), for the agent who must call them."""
    if notification.ticket_id is None:
        return
    ticket = Ticket.objects.filter(pk=notification.ticket_id).first()
    if ticket is None or ticket.status in FINAL_STATUSES:
        return
    timeline(ticket=ticket, actor=None, kind=EventKind.NOTIFICATION, text=text)
