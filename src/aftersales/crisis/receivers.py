"""The crisis app's part in intake (declared in ``tickets/effects.py``) and in the staff
handover (``accounts/effects.py``, docs/staff-handover.md).

Detection never blocks or fails intake: each receiver runs in a savepoint, and an error of the
detector is logged and swallowed (the ticket is registered all the same; the periodic scan
catches a missed spike later). The handover's receivers run in the offboarding's transaction: an
error undoes the whole handover."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import Ticket

from .models import Crisis, CrisisMember, CrisisTask
from .safety import detect
from .services import (
    alert_raise_safety,
    alert_raise_social,
    alerts_detect_spikes,
    crises_link_new_ticket,
    crisis_team_hand_over,
    ticket_mark_safety,
    ticket_record_safety,
)
from .services.handover import successor_fits
from .states import OPEN_STATUSES

logger = logging.getLogger(__name__)


def ticket_opened(*, ticket: Ticket) -> Callable[[], None] | None:
    """Before the number and the SLA clocks: safety words make the ticket urgent at once; once it
    is numbered, the timeline entry, the audit row and the safety alert follow."""
    try:
        hit = detect(f"{ticket.title}\n{ticket.description}")
        if hit is None:
            return None
        was_priority = ticket.priority
        with transaction.atomic():
            ticket_mark_safety(ticket=ticket, hit=hit)
    except Exception:
        logger.exception("crisis: the safety detector failed on a new ticket (intake goes on)")
        return None

    def then() -> None:
        try:
            with transaction.atomic():
                ticket_record_safety(ticket=ticket, hit=hit, was_priority=was_priority)
                alert_raise_safety(ticket=ticket, hit=hit)
        except Exception:
            logger.exception("crisis: the safety alert of %s failed (intake goes on)", ticket.number)

    return then


def ticket_created(*, ticket: Ticket) -> None:
    """After the number: a media report opens an alert at once. Joining the open crises and the
    spike scan read weeks of tickets, and the intake's transaction holds the day's number
    counter: they run after the intake (``ticket_created_later``)."""
    if ticket.channel != Channel.SOCIAL:
        return
    try:
        with transaction.atomic():
            alert_raise_social(ticket=ticket)
    except Exception:
        logger.exception("crisis: detection failed on %s (intake goes on)", ticket.number)


def ticket_created_later(*, ticket: Ticket) -> None:
    """In the job after the intake (``tickets.tasks.ticket_created_later``): link the ticket to
    the open crises it matches and run the spike scan on its model, batch, region and category.
    Idempotent; the periodic scan (``tasks.detect_spikes``) catches what a failed run missed."""
    crises_link_new_ticket(ticket=ticket)
    alerts_detect_spikes(now=ticket.created_at, only=ticket)


# --- The staff handover ---------------------------------------------------------------------------

TEAMS = "crisis_teams"
TASKS = "crisis_tasks"


def _places(user: User) -> tuple[int, int]:
    """The person's places on the response teams of open crises, and their open tasks there."""
    places = CrisisMember.objects.filter(user=user, crisis__status__in=OPEN_STATUSES).count()
    tasks = CrisisTask.objects.filter(owner=user, done_at__isnull=True, crisis__status__in=OPEN_STATUSES).count()
    return places, tasks


def staff_holdings(*, user: User) -> list[Holding]:
    """``STAFF_HOLDINGS``: places on the response teams of open crises, and open crisis tasks."""
    places, tasks = _places(user)
    url = reverse("crisis:board")
    return [
        Holding(kind=TEAMS, label=_("Places on the response teams of open crises"), count=places, url=url),
        Holding(kind=TASKS, label=_("Open tasks of open crises"), count=tasks, url=url),
    ]


def staff_leaving(*, user: User, successor: User | None, actor: User, now: dt.datetime) -> list[Holding]:
    """``STAFF_LEAVING``: on each open crisis (in key order) the person's places and open tasks
    go to the successor when they fit (``services.handover.successor_fits``), else the places are
    left vacant and the tasks without an owner (a person names someone); the team's
    communication log says so either way."""
    fits = successor_fits(user=user, successor=successor)
    crises = (
        Crisis.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(members__user=user) | Q(tasks__owner=user, tasks__done_at__isnull=True))
        .distinct()
        .order_by("pk")
    )
    places = tasks = 0
    for crisis in crises:
        done = crisis_team_hand_over(crisis=crisis, actor=actor, user=user, successor=successor if fits else None)
        places += len(done.roles)
        tasks += done.tasks
    url = reverse("crisis:board")
    if fits:
        return [
            Holding(kind=TEAMS, label=_("Places on crisis response teams, taken by the successor"), count=places, url=url),
            Holding(kind=TASKS, label=_("Crisis tasks, now owned by the successor"), count=tasks, url=url),
        ]
    return [
        Holding(
            kind=TEAMS, label=_("Places on crisis response teams, now vacant: name someone"), count=places, url=url, moved=False
        ),
        Holding(kind=TASKS, label=_("Crisis tasks, now without an owner: name one"), count=tasks, url=url, moved=False),
    ]
