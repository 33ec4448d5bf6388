"""The agent's workbench: ticket cards (a count and its first rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import (
    DUE_SOON_WINDOW,
    TicketFilters,
    TicketListRow,
    TicketTotal,
    ticket_rows_for_user,
    ticket_total_for_user,
)
from aftersales.tickets.states import TicketStatus

from ..links import ticket_list_url

# Rows shown under a card's count.
TOP = 5
# Rows of the supervisor's load and risk tables.
TABLE_ROWS = 30


# --- Ticket cards ------------------------------------------------------------------------------


# Which deadline a card row shows (``CardRow.due_kind``).
DUE_RESOLUTION = "resolution"
DUE_FIRST_RESPONSE = "first_response"


class CardRow(NamedTuple):
    """A ticket under a card's count: what it is and when it falls due (no personal data):
    ``due_at`` is the deadline named by ``due_kind`` — the resolution's, or on the "due soon"
    card the one that put the ticket there (an unanswered first response due first)."""

    number: str
    title: str
    status: str
    status_label: str
    priority: int
    sla_state: str
    due_at: dt.datetime | None
    overdue: bool
    due_kind: str = DUE_RESOLUTION


def _card_row(row: TicketListRow, now: dt.datetime, first_response_due: dt.datetime | None = None) -> CardRow:
    due_at, due_kind = row.due_at, DUE_RESOLUTION
    if first_response_due is not None and (due_at is None or first_response_due < due_at):
        due_at, due_kind = first_response_due, DUE_FIRST_RESPONSE
    return CardRow(
        number=row.number,
        title=row.title,
        status=row.status,
        status_label=str(TicketStatus(row.status).label),
        priority=row.priority,
        sla_state=row.sla_state,
        due_at=due_at,
        overdue=due_at is not None and due_at < now,
        due_kind=due_kind,
    )


def _first_responses_due(rows: list[TicketListRow], now: dt.datetime) -> dict[int, dt.datetime]:
    """Ticket id → its unanswered first response's deadline, where that deadline is within the
    "due soon" window (``due_soon_q``'s second reason; one query for the card's rows)."""
    horizon = now + DUE_SOON_WINDOW
    due = Ticket.objects.filter(
        pk__in=[r.pk for r in rows], first_responded_at__isnull=True, first_response_due_at__lte=horizon
    ).values_list("pk", "first_response_due_at")
    return {pk: at for pk, at in due if at is not None}


@dataclass(frozen=True)
class TicketCard:
    key: str
    title: str | Promise
    help: str | Promise
    filters: TicketFilters
    total: TicketTotal
    rows: list[CardRow]
    sort: str = "due"
    # Tone of the count when it is not zero: "" (neutral), "warn", "alert".
    tone: str = ""

    @property
    def url(self) -> str:
        return ticket_list_url(self.filters, sort=self.sort)


def _ticket_card(
    user: User,
    *,
    key: str,
    title: str | Promise,
    help: str | Promise,
    filters: TicketFilters,
    top: int,
    sort: str = "due",
    tone: str = "",
) -> TicketCard:
    now = clock.now()
    rows = ticket_rows_for_user(user=user, filters=filters, sort=sort, limit=top + 1) if top else []
    # Fewer rows than asked for are all of them: their number is what the list counts too.
    total = TicketTotal(len(rows)) if top and len(rows) <= top else ticket_total_for_user(user=user, filters=filters)
    # "Due soon" shows the deadline that put each ticket there: an unanswered first response
    # falling due before the resolution is the one named.
    first_responses = _first_responses_due(rows[:top], now) if filters.queue == "due_soon" and rows else {}
    return TicketCard(
        key=key,
        title=title,
        help=help,
        filters=filters,
        total=total,
        rows=[_card_row(r, now, first_responses.get(r.pk)) for r in rows[:top]],
        sort=sort,
        tone=tone,
    )


def _hours(window: dt.timedelta) -> int:
    return int(window.total_seconds() // 3600)


@dataclass(frozen=True)
class Workbench:
    cards: list[TicketCard]
    due_soon_hours: int


def agent_workbench(*, user: User, top: int = TOP) -> Workbench:
    """The handler's workbench: my queue, what falls due soon and what is breached among it,
    what waits for me, and the unassigned tickets of my team or region."""
    hours = _hours(DUE_SOON_WINDOW)
    cards = [
        _ticket_card(
            user,
            key="mine",
            title=_("My queue"),
            help=_("Open tickets assigned to me."),
            filters=TicketFilters(queue="mine"),
            top=top,
        ),
        _ticket_card(
            user,
            key="due_soon",
            title=_("Due soon"),
            help=_("Mine, with the first response or the resolution due within %(hours)d hours.") % {"hours": hours},
            filters=TicketFilters(queue="due_soon", assignee=user.pk),
            top=top,
            tone="warn",
        ),
        _ticket_card(
            user,
            key="breached",
            title=_("SLA breached"),
            help=_("Mine, past a service-level deadline."),
            filters=TicketFilters(queue="breached", assignee=user.pk),
            top=top,
            tone="alert",
        ),
        _ticket_card(
            user,
            key="waiting",
            title=_("Waiting for me"),
            help=_(
                "Somebody else wrote last: the customer answered, an approval or the plan was decided, a colleague added a note."
            ),
            filters=TicketFilters(queue="waiting"),
            top=top,
            tone="warn",
        ),
        _ticket_card(
            user,
            key="team_unassigned",
            title=_("Unassigned in my team or region"),
            help=_("Open tickets nobody has taken yet."),
            filters=TicketFilters(queue="team_unassigned"),
            top=top,
        ),
    ]
    return Workbench(cards=cards, due_soon_hours=hours)
