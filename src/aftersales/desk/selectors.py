"""Reads of the role home pages, each scoped to the viewer and cheap in queries.

Every ticket count is the ticket list's total for the same filters
(``tickets.selectors.ticket_total_for_user``: the maintained counts where they answer it, a
capped count otherwise), and every card links to the list filtered the same way (``links``).
A card reads its first rows first (``top`` + 1 of them): when fewer come back, their number is
the total and the count costs no second statement. The parts counts are the counts of the parts
pages' own selectors, which the cards link to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.customers.phones import format_phone_national
from aftersales.fieldservice.actions import ACTIONS as WORK_ORDER_ACTIONS
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.fieldservice.permissions import site_details
from aftersales.fieldservice.selectors import day_bounds, technician_jobs
from aftersales.parts import permissions as parts_perms
from aftersales.parts import selectors as parts
from aftersales.parts.models import Requisition, RequisitionStatus, TransferStatus, Warehouse
from aftersales.tickets.selectors import (
    DUE_SOON_WINDOW,
    TicketFilters,
    TicketListRow,
    TicketTotal,
    breached_q,
    due_soon_q,
    listing,
    ticket_rows_for_user,
    ticket_total_for_user,
    tickets_visible_to,
)
from aftersales.tickets.states import OPEN_STATUS_LIST, TicketStatus

from .links import navigation_url, ticket_list_url

# Rows shown under a card's count.
TOP = 5
# Rows of the supervisor's load and risk tables.
TABLE_ROWS = 30


# --- Ticket cards ------------------------------------------------------------------------------


class CardRow(NamedTuple):
    """A ticket under a card's count: what it is and when it falls due (no personal data)."""

    number: str
    title: str
    status: str
    status_label: str
    priority: int
    sla_state: str
    due_at: dt.datetime | None
    overdue: bool


def _card_row(row: TicketListRow, now: dt.datetime) -> CardRow:
    return CardRow(
        number=row.number,
        title=row.title,
        status=row.status,
        status_label=str(TicketStatus(row.status).label),
        priority=row.priority,
        sla_state=row.sla_state,
        due_at=row.due_at,
        overdue=row.due_at is not None and row.due_at < now,
    )


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
    return TicketCard(
        key=key,
        title=title,
        help=help,
        filters=filters,
        total=total,
        rows=[_card_row(r, now) for r in rows[:top]],
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


# --- The technician's day ------------------------------------------------------------------------

# A job's next step on the technician's phone, in the order of the visit: the first of these the
# work order's declarations (``fieldservice.actions``) allow now.
NEXT_STEPS: tuple[tuple[str, Promise], ...] = (
    ("accept", _("Accept the job")),
    ("depart", _("On my way")),
    ("check_in", _("Check in on site")),
    ("check_out", _("Work done: check out")),
    ("customer_accept", _("Accept with signature")),
)
# Where the job's page shows that step.
STEP_ANCHORS = {"customer_accept": "customer-accept"}


class Job(NamedTuple):
    work_order: WorkOrder
    area: str
    address: str
    contact_name: str
    phone: str  # as shown (national format, or masked)
    phone_href: str  # tel: link; empty when masked
    navigate_url: str  # empty when the address is masked
    next_step: str
    next_label: str | Promise
    next_anchor: str


def _next_step(user: User, work_order: WorkOrder) -> tuple[str, str | Promise, str]:
    for name, label in NEXT_STEPS:
        action = WORK_ORDER_ACTIONS.get(name)
        if action is not None and action.allowed(user, work_order):
            return name, label, STEP_ANCHORS.get(name, "steps")
    return "", "", ""


def _job(user: User, work_order: WorkOrder) -> Job:
    site = site_details(user, work_order)
    masked = bool(site["masked"])
    phone = str(site["contact_phone"] or "")
    full_address = " ".join(p for p in (str(site["area"]), str(site["address"])) if p)
    step, label, anchor = _next_step(user, work_order)
    return Job(
        work_order=work_order,
        area=str(site["area"]),
        address=str(site["address"]),
        contact_name=str(site["contact_name"]),
        phone=phone if masked else format_phone_national(phone),
        phone_href="" if masked or not phone else f"tel:{phone}",
        navigate_url="" if masked or not site["address"] else navigation_url(full_address),
        next_step=step,
        next_label=label,
        next_anchor=anchor,
    )


def _appointments(user: User, day: dt.date) -> int:
    """The technician's jobs appointed on ``day`` (the jobs page of that day lists them, after
    any still open from before)."""
    start, end = day_bounds(day)
    return (
        WorkOrder.objects.filter(technician=user, appointment_start__gte=start, appointment_start__lt=end)
        .exclude(status=WorkOrderStatus.CANCELLED)
        .count()
    )


@dataclass(frozen=True)
class TechnicianDay:
    day: dt.date
    jobs: list[Job]
    tomorrow: dt.date
    tomorrow_count: int
    requisitions_waiting: int
    van: Warehouse | None
    van_lines: int
    done_count: int = 0


def technician_today(*, user: User) -> TechnicianDay:
    """The technician's day: today's jobs in visit order (and any still open from before), each
    with its address (tap to navigate), contact (tap to call), status and next step; how many
    jobs tomorrow; their parts requisitions waiting for approval or issue; their van."""
    today = clock.local_today()
    tomorrow = today + dt.timedelta(days=1)
    jobs = [_job(user, wo) for wo in technician_jobs(user=user, day=today)]
    van = parts.van_of(technician=user)
    return TechnicianDay(
        day=today,
        jobs=jobs,
        tomorrow=tomorrow,
        tomorrow_count=_appointments(user, tomorrow),
        requisitions_waiting=parts.requisition_inbox(user=user).count(),
        van=van,
        van_lines=len(parts.van_stock(technician=user)) if van is not None else 0,
        done_count=sum(1 for j in jobs if not j.next_step),
    )


# --- The warehouse keeper's home -----------------------------------------------------------------


class CountLink(NamedTuple):
    key: str
    title: str | Promise
    help: str | Promise
    total: int
    url_name: str
    query: str
    tone: str


@dataclass(frozen=True)
class WarehouseHome:
    counts: list[CountLink]
    inbox: list[Requisition]


def sees_warehouse_home(user: User) -> bool:
    return parts_perms.is_stock_staff(user)


def warehouse_home(*, user: User, top: int = TOP) -> WarehouseHome:
    """What waits in the keeper's warehouses: requisitions to approve and to issue, returns to
    receive, transfers on the way, low stock, faulty parts to appraise — each the count of the
    parts page it links to."""
    counts = [
        CountLink(
            "to_approve",
            _("Requisitions to approve"),
            _("Submitted, awaiting a decision."),
            parts.requisitions_for_user(user=user, status=RequisitionStatus.SUBMITTED).count(),
            "parts:requisitions",
            "status=submitted",
            "warn",
        ),
        CountLink(
            "to_issue",
            _("Requisitions to issue"),
            _("Approved, to be picked and issued to the van."),
            parts.requisitions_for_user(user=user, status=RequisitionStatus.APPROVED).count(),
            "parts:requisitions",
            "status=approved",
            "warn",
        ),
        CountLink(
            "returns",
            _("Returns to receive"),
            _("Parts on the way back from the vans."),
            parts.returns_to_receive(user=user).count(),
            "parts:returns",
            "",
            "",
        ),
        CountLink(
            "transfers",
            _("Transfers in transit"),
            _("Between warehouses, not yet received."),
            parts.transfers_for_user(user=user).filter(status=TransferStatus.IN_TRANSIT).count(),
            "parts:transfers",
            "",
            "",
        ),
        CountLink(
            "low_stock",
            _("Low stock"),
            _("Available below the minimum level."),
            parts.low_stock_for_user(user=user).count(),
            "parts:low_stock",
            "",
            "alert",
        ),
        CountLink(
            "faulty",
            _("Faulty parts to appraise"),
            _("Received back, awaiting appraisal."),
            parts.faulty_awaiting_appraisal(user=user).count(),
            "parts:faulty",
            "",
            "",
        ),
    ]
    inbox = list(parts.requisition_inbox(user=user)[:top])
    return WarehouseHome(counts=counts, inbox=inbox)
