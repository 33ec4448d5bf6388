"""The supervisor's team view: load per person and team, risks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.tickets.selectors import (
    DUE_SOON_WINDOW,
    TicketFilters,
    breached_q,
    due_soon_q,
    listing,
    tickets_visible_to,
)
from aftersales.tickets.states import OPEN_STATUS_LIST, TicketStatus

from ..links import ticket_list_url
from .cards import TABLE_ROWS, TicketCard, _hours, _ticket_card

# --- The supervisor's team view ------------------------------------------------------------------


class LoadRow(NamedTuple):
    """One handler's open tickets, and how many of them fall due soon or are breached."""

    key: int  # the assignee's id, or the team's id (0: without a team)
    name: str
    open: int
    due_soon: int
    breached: int
    open_url: str
    due_soon_url: str
    breached_url: str


@dataclass(frozen=True)
class TeamView:
    cards: list[TicketCard]
    load: list[LoadRow]
    teams: list[LoadRow]
    due_soon_hours: int
    is_administrator: bool


TEAM_VIEW_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def sees_team_view(user: User) -> bool:
    return bool(
        user.is_authenticated and user.is_active and not user.is_customer and (user.is_superuser or user.role in TEAM_VIEW_ROLES)
    )


def _capped(n: int) -> int:
    return min(int(n), listing.TOTAL_CAP)  # the list's total stops there too ("more than 10,000")


def _load_rows(user: User, group: str, names: tuple[str, ...], now: dt.datetime) -> list[Any]:
    """Open tickets in ``user``'s scope grouped by ``group`` (one statement), busiest first."""
    return list(
        tickets_visible_to(user)
        .filter(status__in=OPEN_STATUS_LIST)
        .order_by()
        .values(group, *names)
        .annotate(
            n=Count("id"),
            due_soon=Count("id", filter=due_soon_q(now)),
            breached=Count("id", filter=breached_q()),
        )
        .order_by("-n", group)[:TABLE_ROWS]
    )


def _load_row(key: int, name: str, values: dict[str, Any], filters: dict[str, int]) -> LoadRow:
    return LoadRow(
        key=key,
        name=name,
        open=_capped(values["n"]),
        due_soon=_capped(values["due_soon"]),
        breached=_capped(values["breached"]),
        open_url=ticket_list_url(TicketFilters(**filters)),  # type: ignore[arg-type]
        due_soon_url=ticket_list_url(TicketFilters(queue="due_soon", **filters)),  # type: ignore[arg-type]
        breached_url=ticket_list_url(TicketFilters(queue="breached", **filters)),  # type: ignore[arg-type]
    )


def supervisor_team_view(*, user: User, top: int = 3) -> TeamView:
    """The supervisor's (and administrator's) view of their scope: approvals waiting for them,
    unassigned tickets and those without a region, SLA risk, reopened tickets, and the open
    load per handler and per team."""
    hours = _hours(DUE_SOON_WINDOW)
    now = clock.now()
    cards = [
        _ticket_card(
            user,
            key="my_approvals",
            title=_("Approvals waiting for me"),
            help=_("Plans that need my decision."),
            filters=TicketFilters(queue="my_approvals"),
            top=top,
            tone="warn",
        ),
        _ticket_card(
            user,
            key="unassigned",
            title=_("Unassigned"),
            help=_("Open tickets nobody has taken yet."),
            filters=TicketFilters(queue="unassigned"),
            top=top,
        ),
        _ticket_card(
            user,
            key="no_region",
            title=_("No region"),
            help=_("The region could not be derived from the address: route them."),
            filters=TicketFilters(queue="no_region"),
            top=top,
            tone="warn",
        ),
        _ticket_card(
            user,
            key="due_soon",
            title=_("Due soon"),
            help=_("First response or resolution due within %(hours)d hours.") % {"hours": hours},
            filters=TicketFilters(queue="due_soon"),
            top=top,
            tone="warn",
        ),
        _ticket_card(
            user,
            key="breached",
            title=_("SLA breached"),
            help=_("Open tickets past a service-level deadline."),
            filters=TicketFilters(queue="breached"),
            top=top,
            tone="alert",
        ),
        _ticket_card(
            user,
            key="reopened",
            title=_("Reopened (secondary processing)"),
            help=_("The customer was not satisfied with the result; newest first."),
            filters=TicketFilters(statuses=(TicketStatus.REOPENED.value,), open_only=False),
            top=top,
            sort="-created",
            tone="alert",
        ),
    ]
    assignees = _load_rows(
        user,
        "assignee_id",
        ("assignee__display_name", "assignee__first_name", "assignee__last_name", "assignee__username"),
        now,
    )
    load = [
        _load_row(
            values["assignee_id"] or 0,
            User.label(
                values["assignee__display_name"] or "",
                values["assignee__first_name"] or "",
                values["assignee__last_name"] or "",
                values["assignee__username"] or "",
            ),
            values,
            {"assignee": values["assignee_id"]},
        )
        for values in assignees
        if values["assignee_id"] is not None  # the unassigned have their own card
    ]
    teams = [
        _load_row(
            values["team_id"] or 0,
            values["team__name"] or str(_("Without a team")),
            values,
            {"team": values["team_id"] or 0},
        )
        for values in _load_rows(user, "team_id", ("team__name",), now)
    ]
    return TeamView(
        cards=cards,
        load=load,
        teams=teams,
        due_soon_hours=hours,
        is_administrator=bool(user.is_superuser or user.role == Role.ADMINISTRATOR),
    )
