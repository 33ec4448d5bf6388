"""The agent's ticket list: filters, work queues, sort orders, keyset pagination, the total and
the rows as values; and the short lists of newest tickets (intake lookup, the customer's portal).

A keyword search's total and page are ``search``'s (``search.search_page``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core import clock

from ..choices import EventKind, SlaState
from ..models import ApprovalRequest, ApprovalStatus, Ticket, TicketCategory, TicketCount, TicketEvent
from ..states import OPEN_STATUS_LIST, PAUSED_STATUSES, TicketStatus
from .people import ticket_search_filter
from .scope import sees_every_ticket, tickets_visible_to
from .search import search_page

SORTS = ("due", "-created", "priority")


@dataclass(frozen=True)
class TicketFilters:
    statuses: tuple[str, ...] = ()
    open_only: bool = True
    priority: int | None = None
    channel: str = ""
    assigned_to_me: bool = False
    query: str = ""
    queue: str = ""
    # By key, as the maintained counts key them: None = any; 0 = without one (category, region).
    category: int | None = None
    region: int | None = None
    # By team (0 = without one) and assignee id; None = any: the supervisor's risk per team and
    # load per agent link here.
    team: int | None = None
    assignee: int | None = None
    # The management dashboard's backlog cells: an SLA state ("warning", "breached"; "" = any) and
    # the registration time, ``created_after`` inclusive, ``created_before`` exclusive (an age
    # band as of the backlog's count).
    sla: str = ""
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    # The analytics' drill-downs: a product model's code, a responsibility, a request type (each
    # exact; "" = any) and a ticket number (``number_q``: a whole number exactly, else a prefix).
    model: str = ""
    responsibility: str = ""
    request_type: str = ""
    number: str = ""
    # A responsible party of the register by its code ("" = any): every ticket charged to it,
    # whatever the spelling recorded or the responsibility it was set under.
    party: str = ""


# A whole ticket number ends in its day's sequence: ``numbering.format_ticket_number``.
_WHOLE_NUMBER = re.compile(r"\d{8}-\d{6,}$")


def is_whole_number(number: str) -> bool:
    """Does ``number`` read as a whole ticket number (else: the start of one)?"""
    return bool(_WHOLE_NUMBER.search(number))


def number_q(number: str) -> Q:
    """Tickets whose number is ``number`` (a whole number: the unique index's one row) or, for
    anything shorter ("SH20261207", "SH20261207-0001"), starts with it: ``LIKE 'SH20261207%'``,
    on PostgreSQL a range of the number's ``varchar_pattern_ops`` index (Django's ``…_like``
    index of the unique field), whatever the collation (docs/ticket-search.md, "Indexes")."""
    if is_whole_number(number):
        return Q(number=number)
    return Q(number__startswith=number)


QUEUES = (
    "mine",
    "team",
    "unassigned",
    "team_unassigned",
    "at_risk",
    "due_soon",
    "breached",
    "waiting",
    "awaiting_approval",
    "my_approvals",
    "no_region",
)
# A ticket is "at risk" when its resolution or (unanswered) first response falls due this soon.
AT_RISK_WINDOW = dt.timedelta(hours=4)
# "Due soon" (the workbench's and the supervisor's cards): the same window.
DUE_SOON_WINDOW = AT_RISK_WINDOW
# Who has the "approvals waiting for me" and the "no region" queues (tickets whose region could not
# be derived): the leaders, who decide plans and route tickets. Everybody else gets an empty queue.
LEADER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
# Statuses whose SLA clocks run: a paused clock's deadline moves when it resumes.
_RUNNING_STATUSES = sorted(str(s) for s in set(OPEN_STATUS_LIST) - {str(p) for p in PAUSED_STATUSES})


def due_soon_q(now: dt.datetime) -> Q:
    """Open, the clocks running, not breached, and the resolution or the unanswered first
    response due within ``DUE_SOON_WINDOW`` (or already past it while the SLA engine has not yet
    marked the breach)."""
    horizon = now + DUE_SOON_WINDOW
    return (
        Q(status__in=_RUNNING_STATUSES)
        & ~Q(sla_state=SlaState.BREACHED)
        & (Q(due_at__lte=horizon) | Q(first_responded_at__isnull=True, first_response_due_at__lte=horizon))
    )


def breached_q() -> Q:
    """Open with a breached SLA clock (the SLA engine keeps the ticket's ``sla_state``)."""
    return Q(status__in=OPEN_STATUS_LIST, sla_state=SlaState.BREACHED)


def _waiting_for(qs: QuerySet[Ticket], user: User) -> QuerySet[Ticket]:
    """Open tickets assigned to ``user`` whose newest timeline entry (notifications aside) was
    written by somebody else: the customer's reply or the information asked for, an approver's
    decision, the customer's answer to the plan, a colleague's note, an assignment to them, a
    technician's report. Taking any step on the ticket takes it off the queue."""
    newest_actor = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"))
        .exclude(kind=EventKind.NOTIFICATION)
        .order_by("-created_at", "-id")
        .values("actor_id")[:1]
    )
    return (
        qs.filter(assignee=user, status__in=OPEN_STATUS_LIST)
        .alias(newest_actor=Coalesce(Subquery(newest_actor), Value(0), output_field=BigIntegerField()))
        .exclude(newest_actor=user.pk)
    )


def _may_decide(user: User) -> Q:
    """Pending approval requests ``user`` may decide (an administrator's: administrators only)."""
    pending = Q(status=ApprovalStatus.PENDING, plan__is_current=True)
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return pending
    return pending & ~Q(approver_role=Role.ADMINISTRATOR)


def _apply_queue(qs: QuerySet[Ticket], *, user: User, queue: str) -> QuerySet[Ticket]:
    """The agent's work queues, each within the user's scope (applied before this)."""
    if queue == "mine":
        return qs.filter(assignee=user)
    if queue == "team":
        if not user.team_id:
            return qs.none()
        return qs.filter(Q(team_id=user.team_id) | Q(assignee__team_id=user.team_id))
    if queue == "unassigned":
        return qs.filter(assignee__isnull=True)
    if queue == "team_unassigned":  # unassigned in my team or region (all of my scope without either)
        near = Q()
        if user.team_id:
            near |= Q(team_id=user.team_id)
        if user.region_id:
            near |= Q(region_id=user.region_id)
        return qs.filter(near, assignee__isnull=True)
    if queue == "at_risk":
        horizon = clock.now() + AT_RISK_WINDOW
        return qs.filter(
            Q(due_at__lte=horizon)
            | Q(first_responded_at__isnull=True, first_response_due_at__lte=horizon)
            | Q(escalation_level__gt=0)
            | ~Q(sla_state="")
        )
    if queue == "due_soon":
        return qs.filter(due_soon_q(clock.now()))
    if queue == "breached":
        return qs.filter(breached_q())
    if queue == "waiting":
        return _waiting_for(qs, user)
    if queue == "awaiting_approval":
        return qs.filter(status=TicketStatus.AWAITING_APPROVAL)
    if queue == "my_approvals":
        if not (user.is_superuser or user.role in LEADER_ROLES):
            return qs.none()
        decidable = ApprovalRequest.objects.filter(_may_decide(user), plan__ticket=OuterRef("pk"))
        return qs.filter(status=TicketStatus.AWAITING_APPROVAL).filter(Exists(decidable))
    if queue == "no_region":
        if not (user.is_superuser or user.role in LEADER_ROLES):
            return qs.none()
        return qs.filter(region__isnull=True)
    return qs


# --- Keyset pagination (also the API's list: ``api.selectors``) -------------------------------


def _encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_datetime(value: Any) -> dt.datetime:
    """A datetime from a cursor; anything unreadable raises ``ValueError`` (restart the list)."""
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError("not a datetime")
    return parsed


def _decode_cursor(cursor: str, sort: str) -> list[Any] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list):
            return None
        if sort == "due":
            due = _cursor_datetime(values[0]) if values[0] is not None else None
            return [due, int(values[1])]
        if sort == "-created":
            return [_cursor_datetime(values[0]), int(values[1])]
        return [int(values[0]), _cursor_datetime(values[1]), int(values[2])]
    except (ValueError, TypeError, IndexError, json.JSONDecodeError, UnicodeDecodeError):
        return None


def _order_and_after(qs: QuerySet[Ticket], sort: str, after: list[Any] | None) -> QuerySet[Ticket]:
    if sort == "due":
        qs = qs.order_by(F("due_at").asc(nulls_last=True), "id")
        if after is not None:
            due, last_id = after
            if due is None:
                qs = qs.filter(due_at__isnull=True, id__gt=last_id)
            else:
                qs = qs.filter(Q(due_at__gt=due) | Q(due_at=due, id__gt=last_id) | Q(due_at__isnull=True))
    elif sort == "-created":
        qs = qs.order_by("-created_at", "-id")
        if after is not None:
            created, last_id = after
            qs = qs.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=last_id))
    else:
        qs = qs.order_by("priority", "-created_at", "-id")
        if after is not None:
            prio, created, last_id = after
            qs = qs.filter(
                Q(priority__gt=prio)
                | Q(priority=prio, created_at__lt=created)
                | Q(priority=prio, created_at=created, id__lt=last_id)
            )
    return qs


def _cursor_values(row: Ticket | TicketListRow, sort: str) -> list[Any]:
    if sort == "due":
        return [row.due_at, row.pk]
    if sort == "-created":
        return [row.created_at, row.pk]
    return [row.priority, row.created_at, row.pk]


# --- The rows --------------------------------------------------------------------------------


class TicketListRow(NamedTuple):
    """One row of the agent's list: the columns it shows, read as values.

    A page of rows as model instances cost 100 objects for 25 rows (ticket, customer, category,
    assignee; ~0.7 ms of Python, about as much as PostgreSQL needs for the statement); the list
    shows a dozen values of each."""

    pk: int
    number: str
    title: str
    status: str
    priority: int
    channel: str
    safety_hazard: bool
    sla_state: str
    escalation_level: int
    created_at: dt.datetime
    due_at: dt.datetime | None
    category_id: int | None
    category_name: str
    category_name_en: str
    customer_name: str
    customer_phone: str
    assignee_id: int | None
    assignee_username: str
    assignee_display_name: str
    assignee_first_name: str
    assignee_last_name: str

    @property
    def category_label(self) -> str:
        return TicketCategory.label(self.category_name, self.category_name_en)

    @property
    def assignee_label(self) -> str:
        return User.label(self.assignee_display_name, self.assignee_first_name, self.assignee_last_name, self.assignee_username)


# The list's columns, in TicketListRow's order: the description and the search bigrams, the
# longest columns, are not read for a page of rows.
LIST_COLUMNS = (
    "pk",
    "number",
    "title",
    "status",
    "priority",
    "channel",
    "safety_hazard",
    "sla_state",
    "escalation_level",
    "created_at",
    "due_at",
    "category_id",
    "category__name",
    "category__name_en",
    "customer__name",
    "customer__phone",
    "assignee_id",
    "assignee__username",
    "assignee__display_name",
    "assignee__first_name",
    "assignee__last_name",
)
assert len(LIST_COLUMNS) == len(TicketListRow._fields)


def _list_rows(qs: QuerySet[Ticket], limit: int) -> list[TicketListRow]:
    """The first ``limit`` rows of ``qs`` (already ordered) as list rows, in one statement."""
    return [TicketListRow._make(values) for values in qs.values_list(*LIST_COLUMNS)[:limit]]


# --- The page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketPage:
    rows: list[TicketListRow]
    next_cursor: str | None
    total: int
    sort: str
    # True when there are more than ``total`` (= TOTAL_CAP) matches: show "10,000+".
    total_capped: bool = False


# Exact totals up to this many tickets; above it the list shows "10,000+". (A keyword search has
# its own cap: ``search.SEARCH_TOTAL_CAP``.)
TOTAL_CAP = 10_000


def ticket_total(*, statuses: Collection[str], category: int | None = None, region: int | None = None) -> int:
    """How many tickets have one of ``statuses`` (and the category and region keys, when given;
    0 = without one), exact to the last commit: the sum of the maintained counts (a few hundred
    rows, ``tickets.counts``), whatever the number of tickets. For the ticket list of a user who
    sees every ticket (or a whole region they see), filtered by status, category and region alone."""
    qs = TicketCount.objects.filter(status__in=list(statuses))
    if category is not None:
        qs = qs.filter(category_key=category)
    if region is not None:
        qs = qs.filter(region_key=region)
    return int(qs.aggregate(total=Sum("n"))["total"] or 0)


def _sees_whole_region(user: User, region: int | None) -> bool:
    """Does ``user``'s scope hold every ticket of ``region`` and, within it, nothing else? A
    region-scoped user's scope is their region plus their own tickets, so filtered by their region
    it is exactly that region."""
    return bool(
        region
        and user.is_authenticated
        and user.is_active
        and not user.is_customer
        and user.data_scope == DataScope.REGION
        and user.region_id == region
    )


def _counted_keys(user: User, filters: TicketFilters) -> tuple[tuple[str, ...], int | None, int | None] | None:
    """(statuses, category key, region key) when ``filters`` filter by those alone and ``user``
    sees every ticket they select — a total the maintained aggregates answer; None otherwise."""
    if (
        filters.priority
        or filters.channel
        or filters.assigned_to_me
        or filters.queue
        or filters.query
        or filters.team is not None
        or filters.assignee is not None
        or filters.sla
        or filters.created_after is not None
        or filters.created_before is not None
        or filters.model
        or filters.responsibility
        or filters.party
        or filters.request_type
        or filters.number
        or not (sees_every_ticket(user) or _sees_whole_region(user, filters.region))
    ):
        return None
    if filters.statuses:
        statuses = tuple(filters.statuses)
    else:
        statuses = tuple(OPEN_STATUS_LIST) if filters.open_only else tuple(TicketStatus.values)
    return statuses, filters.category, filters.region


def _filtered(user: User, filters: TicketFilters) -> QuerySet[Ticket]:
    """The tickets ``user`` may see that ``filters`` select, the keyword search aside."""
    qs = tickets_visible_to(user)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    elif filters.open_only:
        qs = qs.filter(status__in=OPEN_STATUS_LIST)  # matches ticket_open_due_idx's predicate
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.assigned_to_me:
        qs = qs.filter(assignee=user)
    if filters.category is not None:
        qs = qs.filter(category_id=filters.category) if filters.category else qs.filter(category__isnull=True)
    if filters.region is not None:
        qs = qs.filter(region_id=filters.region) if filters.region else qs.filter(region__isnull=True)
    if filters.team is not None:
        qs = qs.filter(team_id=filters.team) if filters.team else qs.filter(team__isnull=True)
    if filters.assignee is not None:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.sla:
        qs = qs.filter(sla_state=filters.sla)
    if filters.created_after is not None:
        qs = qs.filter(created_at__gte=filters.created_after)
    if filters.created_before is not None:
        qs = qs.filter(created_at__lt=filters.created_before)
    if filters.model:
        qs = qs.filter(product_model__code=filters.model)
    if filters.responsibility:
        qs = qs.filter(responsibility=filters.responsibility)
    if filters.party:
        qs = qs.filter(responsible_party_ref__code=filters.party.strip().lower())
    if filters.request_type:
        qs = qs.filter(request_type=filters.request_type)
    if filters.number:
        qs = qs.filter(number_q(filters.number))
    if filters.queue:
        qs = _apply_queue(qs, user=user, queue=filters.queue)
    return qs


@dataclass(frozen=True)
class TicketTotal:
    total: int
    # True when there are more than ``total`` (= TOTAL_CAP) matches: show "10,000+".
    capped: bool = False


def ticket_total_for_user(*, user: User, filters: TicketFilters) -> TicketTotal:
    """How many tickets the list shows as its total for these filters (the keyword search aside):
    one statement, exact up to ``TOTAL_CAP``; exact whatever the number when the maintained
    counts answer it. The role home pages' counts are these, so they equal the list's."""
    return _total(user, filters, None)


def _total(user: User, filters: TicketFilters, qs: QuerySet[Ticket] | None) -> TicketTotal:
    counted = _counted_keys(user, filters)
    if counted is not None:
        statuses, category, region = counted
        return TicketTotal(ticket_total(statuses=statuses, category=category, region=region))
    # Exact up to the cap; above it "more than 10,000" (a capped count: counting a million open
    # tickets exactly would cost more than the page itself).
    matches = _filtered(user, filters) if qs is None else qs
    total = matches.order_by()[: TOTAL_CAP + 1].count()
    return TicketTotal(min(total, TOTAL_CAP), capped=total > TOTAL_CAP)


def ticket_rows_for_user(*, user: User, filters: TicketFilters, sort: str = "due", limit: int = 5) -> list[TicketListRow]:
    """The first ``limit`` rows of the list for these filters (no total, no cursor): one statement."""
    if sort not in SORTS:
        sort = "due"
    return _list_rows(_order_and_after(_filtered(user, filters), sort, None), limit)


def ticket_list_for_user(
    *, user: User, filters: TicketFilters, sort: str = "due", cursor: str | None = None, page_size: int = 25
) -> TicketPage:
    """One page of the tickets ``user`` may see, filtered and sorted, with the total.

    Pagination is by keyset (the sort key of the last row), never OFFSET, so page 1,000 costs
    what page 1 costs. An unreadable cursor starts from the first page.
    """
    if sort not in SORTS:
        sort = "due"
    qs = _filtered(user, filters)
    after = _decode_cursor(cursor, sort) if cursor else None

    def page_rows(matches: QuerySet[Ticket]) -> list[TicketListRow]:
        return _list_rows(_order_and_after(matches, sort, after), page_size + 1)

    if filters.query:  # the total (capped at the search's cap) first, then the page
        # No index gives the priority order of a search's matches: fetched and sorted, never walked.
        found = search_page(qs, filters.query, rows=page_rows, walk=sort != "priority")
        rows, total, total_capped = found.rows, found.total, found.total_capped
    else:
        # Filtered by status (category, region) alone, for a user who sees every ticket, the
        # maintained aggregates of the dashboard give the exact total, however many there are.
        counted = _total(user, filters, qs)
        total, total_capped = counted.total, counted.capped
        rows = page_rows(qs)
    next_cursor = _encode_cursor(_cursor_values(rows[page_size - 1], sort)) if len(rows) > page_size else None
    return TicketPage(rows=rows[:page_size], next_cursor=next_cursor, total=total, sort=sort, total_capped=total_capped)


def ticket_list_rows_for_user(*, user: User, filters: TicketFilters, sort: str = "due") -> QuerySet[Any]:
    """Every row the list shows for ``filters`` and ``sort``, in its order, unpaged (the list's
    columns as a ``values_list``): for exports, which stream them."""
    if sort not in SORTS:
        sort = "due"
    qs = _filtered(user, filters)
    if filters.query:
        qs = qs.filter(ticket_search_filter(filters.query))
    return _order_and_after(qs, sort, None).values_list(*LIST_COLUMNS)


# --- Newest tickets ---------------------------------------------------------------------------


def tickets_newest_for_user(*, user: User, limit: int, customer_id: int | None = None) -> list[Ticket]:
    """The newest ``limit`` tickets ``user`` may see, of one customer if ``customer_id``, with
    their category (the intake's "recent tickets" of a caller; the customer's portal)."""
    qs = tickets_visible_to(user)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return list(qs.select_related("category").order_by("-created_at", "-id")[:limit])
