"""What the revisits app does when a lower app's change sets it off (``core.hooks``): the staff
handover (``accounts.effects``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User

from .models import OPEN_STATUSES, Revisit
from .permissions import records_calls
from .services.handover import revisit_hand_over

KIND = "revisit_tasks"


def staff_holdings(*, user: User) -> list[Holding]:
    """``STAFF_HOLDINGS``: the open revisit calls assigned to ``user``."""
    count = Revisit.objects.filter(assignee=user, status__in=OPEN_STATUSES).count()
    return [Holding(kind=KIND, label=_("Revisit calls to make"), count=count, url=reverse("revisits:queue"))]


def staff_leaving(*, user: User, successor: User | None, actor: User, now: dt.datetime) -> list[Holding]:
    """``STAFF_LEAVING``: to the successor when they record calls, else unassigned."""
    assignee = successor if successor is not None and records_calls(successor) else None
    revisits = list(Revisit.objects.filter(assignee=user, status__in=OPEN_STATUSES).order_by("pk"))
    for revisit in revisits:
        revisit_hand_over(revisit=revisit, actor=actor, assignee=assignee)
    if assignee is not None:
        return [
            Holding(kind=KIND, label=_("Revisit calls, now the successor's"), count=len(revisits), url=reverse("revisits:queue"))
        ]
    url = reverse("revisits:queue") + "?who=unassigned"
    return [Holding(kind=KIND, label=_("Revisit calls, now unassigned"), count=len(revisits), url=url)]
