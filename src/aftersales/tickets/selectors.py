"""Reads for tickets. Every fetch here applies the caller's scope; names say so."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import OperationalError, connection, transaction
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.dateparse import parse_datetime

from aftersales.accounts.models import DataScope, User
from aftersales.analytics.selectors import ticket_total
from aftersales.core import clock
from aftersales.core.errors import NotFound
from aftersales.core.precompiled import PreparedQuery

from .models import (
    ApprovalRequest,
    Attachment,
    CustomerAgreement,
    PlanMeasure,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketPlan,
)
from .search import NUMBER_SHAPE, search_rows_estimate, ticket_search_q
from .states import OPEN_STATUS_LIST, TicketStatus


def sees_every_ticket(user: User) -> bool:
    """Active staff whose data scope is every ticket (no filter, no query needed)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_customer
        and (user.is_superuser or user.data_scope == DataScope.ALL)
    )


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """All tickets ``user`` may see: a customer their own; staff by their data scope."""
    qs = Ticket.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_customer:
        return qs.filter(customer__user=user)
    if sees_every_ticket(user):
        return qs
    own = Q(assignee=user) | Q(created_by=user)
    if user.data_scope == DataScope.TEAM and user.team_id:
        return qs.filter(own | Q(team_id=user.team_id))
    if user.data_scope == DataScope.REGION and user.region_id:
        return qs.filter(own | Q(region_id=user.region_id))
    return qs.filter(own)


def ticket_get_for_user(*, user: User, number: str) -> Ticket:
    """The ticket ``number`` if ``user`` may see it; ``NotFound`` otherwise (no existence leak)."""
    # Joined: the relations every ticket has or the page always shows; the optional ones are
    # read only when set. One nine-table join cost PostgreSQL ~2 ms of planning per page
    # (join-order search) against ~0.3 ms for four tables; the row itself takes 0.05 ms.
    # The number is unique: no ORDER BY (``first()`` would add one, and compiling it is a third of
    # the statement's Python cost).
    if sees_every_ticket(user):  # the same statement as below without a scope filter, compiled once
        found = _TICKET_BY_NUMBER.list(number=number)
    else:
        found = list(tickets_visible_to(user).select_related(*_TICKET_JOINED).filter(number=number)[:1])
    if not found:
        raise NotFound("ticket not found")
    return ticket_load_optional_relations(found[0])


_TICKET_JOINED = ("customer", "category", "assignee")
_TICKET_BY_NUMBER = PreparedQuery(lambda number: Ticket.objects.select_related(*_TICKET_JOINED).filter(number=number)[:1])


def ticket_load_optional_relations(ticket: Ticket) -> Ticket:
    """Read the ticket's optional relations that are set (unit with model and warranty policy,
    reported model, team, region): one query each, none for those unset."""
    optional = [
        lookup() if callable(lookup) else lookup
        for attname, lookup in _OPTIONAL_TICKET_RELATIONS
        if getattr(ticket, attname) is not None
    ]
    if optional:
        prefetch_related_objects([ticket], *optional)
    return ticket


def _unit_with_model() -> Prefetch:
    from aftersales.catalog.models import ProductUnit

    return Prefetch("product_unit", queryset=ProductUnit.objects.select_related("model__warranty_policy"))


_OPTIONAL_TICKET_RELATIONS: list[tuple[str, Any]] = [
    ("product_unit_id", _unit_with_model),  # a fresh Prefetch per call: prefetching mutates it
    ("product_model_id", "product_model"),
    ("team_id", "team"),
    ("region_id", "region"),
]


def ticket_timeline(*, ticket: Ticket, user: User, with_attachments: bool = True) -> list[TicketEvent]:
    """Timeline events in order; customers see only public ones. ``with_attachments=False``: the
    caller attaches them itself (the ticket page reads the ticket's attachments once for both
    the timeline and the attachments list)."""
    if not with_attachments:  # the ticket page: one statement shape per audience, compiled once
        reader = _PUBLIC_EVENTS if user.is_customer else _ALL_EVENTS
        return reader.list(ticket_id=ticket.pk)
    qs = (
        TicketEvent.objects.filter(ticket=ticket)
        .select_related("actor")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    if user.is_customer:
        qs = qs.filter(public=True)
    return list(qs.order_by("created_at", "id"))


_ALL_EVENTS = PreparedQuery(
    lambda ticket_id: TicketEvent.objects.filter(ticket_id=ticket_id).select_related("actor").order_by("created_at", "id")
)
_PUBLIC_EVENTS = PreparedQuery(
    lambda ticket_id: (
        TicketEvent.objects.filter(ticket_id=ticket_id, public=True).select_related("actor").order_by("created_at", "id")
    )
)


def ticket_all_attachments(*, ticket: Ticket) -> list[Attachment]:
    """Every attachment of the ticket, oldest first, public or not: for callers that split them
    by event and by visibility themselves."""
    return _ALL_ATTACHMENTS.list(ticket_id=ticket.pk)


_ALL_ATTACHMENTS = PreparedQuery(lambda ticket_id: Attachment.objects.filter(ticket_id=ticket_id).order_by("created_at", "id"))


def ticket_attachments(*, ticket: Ticket, user: User) -> list[Attachment]:
    qs = Attachment.objects.filter(ticket=ticket)
    if user.is_customer:
        qs = qs.filter(public=True)
    return list(qs.order_by("created_at", "id"))


def attachment_get_for_user(*, user: User, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.select_related("ticket").filter(pk=attachment_id).first()
    if attachment is None or not tickets_visible_to(user).filter(pk=attachment.ticket_id).exists():
        raise NotFound("attachment not found")
    if user.is_customer and not attachment.public:
        raise NotFound("attachment not found")
    return attachment


@dataclass(frozen=True)
class ProcessOverview:
    """What the detail page shows of the process: the current plan and every decision on plans."""

    plan: TicketPlan | None
    measures: list[PlanMeasure]
    approvals: list[ApprovalRequest]
    agreements: list[CustomerAgreement]


def ticket_process_overview(*, ticket: Ticket) -> ProcessOverview:
    """The current plan with its measures (and owners), approval requests and customer answers
    of all the ticket's plans, newest last. Call only with a ticket fetched through the user's scope."""
    # At most one current plan (constraint ticket_plan_one_current): no ORDER BY needed.
    current = _CURRENT_PLAN.list(ticket_id=ticket.pk)
    if not current:  # a ticket's first plan stays current until a newer one replaces it
        return ProcessOverview(plan=None, measures=[], approvals=[], agreements=[])
    plan = current[0]
    measures = list(PlanMeasure.objects.filter(plan=plan).select_related("owner"))
    approvals = list(ApprovalRequest.objects.filter(plan__ticket=ticket).select_related("plan", "requested_by", "decided_by"))
    agreements = list(CustomerAgreement.objects.filter(plan__ticket=ticket).select_related("plan", "recorded_by"))
    return ProcessOverview(plan=plan, measures=measures, approvals=approvals, agreements=agreements)


_CURRENT_PLAN = PreparedQuery(
    lambda ticket_id: TicketPlan.objects.filter(ticket_id=ticket_id, is_current=True).select_related("created_by")[:1]
)


# --- The agent's list: filters, sort orders and keyset pagination ----------------------------

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


QUEUES = ("mine", "team", "unassigned", "at_risk", "awaiting_approval")
# A ticket is "at risk" when its resolution or (unanswered) first response falls due this soon.
AT_RISK_WINDOW = dt.timedelta(hours=4)


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
    if queue == "at_risk":
        horizon = clock.now() + AT_RISK_WINDOW
        return qs.filter(
            Q(due_at__lte=horizon)
            | Q(first_responded_at__isnull=True, first_response_due_at__lte=horizon)
            | Q(escalation_level__gt=0)
            | ~Q(sla_state="")
        )
    if queue == "awaiting_approval":
        return qs.filter(status=TicketStatus.AWAITING_APPROVAL)
    return qs


@dataclass(frozen=True)
class TicketPage:
    rows: list[TicketListRow]
    next_cursor: str | None
    total: int
    sort: str
    # True when there are more than ``total`` (= TOTAL_CAP) matches: show "10,000+".
    total_capped: bool = False


# Exact totals up to this many tickets; above it the list shows "10,000+".
TOTAL_CAP = 10_000
# A keyword search counts exactly up to this many matches ("more than 200" above): each match
# counted is a row read and rechecked (for a common word among 10 M tickets, 1,000 matches meant
# ~24,000 rows read per search), and eight pages are more than anybody reads: refine the words.
SEARCH_TOTAL_CAP = 200
# From this many matches on, a search's page walks the sort order's index (see below).
DENSE_SEARCH = 200


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
    from django.db.models import F

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


# Search totals on PostgreSQL (see ``_search_total``): the bigram index gets this long to count;
# a word of common bigrams (at 10 M tickets "refund" or 漏水 make posting lists of hundreds of
# thousands of entries) then counts among the newest tickets.
SEARCH_COUNT_INDEX_MS = 50
# A word in at least ~1 % of the tickets shows more than SEARCH_TOTAL_CAP matches among this many
# newest ones.
SEARCH_COUNT_WALK_ROWS = 20_000
# A word whose rarest bigram is in more tickets than this (PostgreSQL's statistics) skips the
# index count: reading posting lists of this size takes longer than the index budget anyway.
SEARCH_INDEX_MAX_ROWS = 100_000


class _Result(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def _steered(fn: Callable[[], Any], *, walk_index: bool = False, timeout_ms: int | None = None) -> Any:
    """``fn()`` with planner settings for its statements only: ``walk_index`` turns bitmap and
    sequential scans and parallel workers off (PostgreSQL then walks the ORDER BY's index);
    ``timeout_ms`` cancels a statement that runs longer (``None`` is returned). The settings are ``SET LOCAL`` in a
    transaction or savepoint that is rolled back afterwards (the block only reads), so they
    never outlive the call, whether or not the caller is inside a transaction."""
    try:
        with transaction.atomic():
            planner = [("enable_bitmapscan", "off"), ("enable_seqscan", "off"), ("max_parallel_workers_per_gather", "0")]
            local = planner if walk_index else []  # no parallel workers: a short walk
            if timeout_ms is not None:
                local = [*local, ("statement_timeout", f"{int(timeout_ms)}ms")]
            if local:  # one statement for all (set_config(…, true) is SET LOCAL)
                with connection.cursor() as cur:
                    calls = ", ".join(["set_config(%s, %s, true)"] * len(local))
                    cur.execute(f"SELECT {calls}", [value for pair in local for value in pair])
            raise _Result(fn())
    except _Result as done:
        return done.value
    except OperationalError as exc:
        if timeout_ms is not None and getattr(exc.__cause__, "sqlstate", None) == "57014":  # query_canceled
            return None
        raise


def _search_total(qs: QuerySet[Ticket], unsearched: QuerySet[Ticket], cap: int, text: str) -> int:
    """The matches of a search, counted up to ``cap + 1`` (PostgreSQL).

    1. The bigram index, within ``SEARCH_COUNT_INDEX_MS``: enough for any word at 100 k tickets
       and for words of rare bigrams at any size. Skipped when ``ANALYZE``'s statistics say the
       word's rarest bigram is in more than ``SEARCH_INDEX_MAX_ROWS`` tickets (its posting list
       alone would take longer).
    2. Else the newest ``SEARCH_COUNT_WALK_ROWS`` tickets in scope, walked along ``created_at``
       with the ``LIKE`` alone: a frequent word reaches ``cap + 1`` within a few thousand rows
       (8.5 % of tickets mention "refund": ~2,400 rows for 201 matches), which settles it.
    3. Else (a rare word made of common bigrams) the bigram count without a limit: exact, slow.
    The result is the same whichever step answers: the exact count, or ``cap + 1``."""
    counted = qs.order_by()[: cap + 1]
    if NUMBER_SHAPE.match(text.strip().upper()):
        return int(counted.count())  # a ticket number: the number's index answers
    estimate = search_rows_estimate(text)
    total = None
    if estimate is None or estimate <= SEARCH_INDEX_MAX_ROWS:
        total = _steered(counted.count, timeout_ms=SEARCH_COUNT_INDEX_MS)
    if total is None:
        newest = _steered(lambda: _matches_among_newest(unsearched, text, cap + 1), walk_index=True)
        if newest > cap:
            total = newest
    if total is None:
        total = counted.count()
    return int(total)


def _matches_among_newest(unsearched: QuerySet[Ticket], text: str, limit: int) -> int:
    """How many of the newest ``SEARCH_COUNT_WALK_ROWS`` tickets of ``unsearched`` contain
    ``text`` in title or description (case-insensitive, as ``icontains``), counting to ``limit``."""
    if SEARCH_COUNT_WALK_ROWS <= 0:
        return 0
    newest = unsearched.order_by("-created_at").values("title", "description")[:SEARCH_COUNT_WALK_ROWS]
    sql, params = newest.query.sql_with_params()
    pattern = f"%{connection.ops.prep_for_like_query(text.strip())}%"
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM ({sql}) newest "  # noqa: S608 - the ORM's SQL, parameters apart
            "WHERE UPPER(newest.title::text) LIKE UPPER(%s) OR UPPER(newest.description::text) LIKE UPPER(%s) "
            "LIMIT %s) matches",
            [*params, pattern, pattern, limit],
        )
        row = cur.fetchone()
    return int(row[0]) if row else 0


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


def _statuses_counted(user: User, filters: TicketFilters) -> tuple[str, ...] | None:
    """The statuses ``filters`` select when they filter by status alone and ``user`` sees every
    ticket — a total the maintained aggregates answer; None otherwise."""
    if (
        filters.priority
        or filters.channel
        or filters.assigned_to_me
        or filters.queue
        or filters.query
        or not sees_every_ticket(user)
    ):
        return None
    if filters.statuses:
        return tuple(filters.statuses)
    return tuple(OPEN_STATUS_LIST) if filters.open_only else tuple(TicketStatus.values)


def ticket_list_for_user(
    *, user: User, filters: TicketFilters, sort: str = "due", cursor: str | None = None, page_size: int = 25
) -> TicketPage:
    """One page of the tickets ``user`` may see, filtered and sorted, with the total.

    Pagination is by keyset (the sort key of the last row), never OFFSET, so page 1,000 costs
    what page 1 costs. An unreadable cursor starts from the first page.
    """
    if sort not in SORTS:
        sort = "due"
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
    if filters.queue:
        qs = _apply_queue(qs, user=user, queue=filters.queue)
    cap = TOTAL_CAP
    unsearched = qs
    if filters.query:
        qs = qs.filter(ticket_search_q(filters.query))
        cap = SEARCH_TOTAL_CAP
    # The total is exact up to the cap; above it the page says "more than 10,000" (a capped
    # count: counting a million open tickets exactly would cost more than the page itself).
    # Filtered by status alone, for a user who sees every ticket, the maintained aggregates of
    # the dashboard give the exact total, however many there are.
    counted = _statuses_counted(user, filters)
    if counted is not None:
        total = ticket_total(statuses=counted)
        cap = total  # exact: never shown as "more than"
    elif filters.query and connection.vendor == "postgresql":
        walk = unsearched.filter(ticket_search_q(filters.query, use_index=False))
        total = _search_total(qs, unsearched, cap, filters.query)
    else:
        total = qs.order_by()[: cap + 1].count()
    total_capped = total > cap
    total = min(total, cap)
    after = _decode_cursor(cursor, sort) if cursor else None
    page_qs = _order_and_after(qs, sort, after)
    if filters.query and total >= DENSE_SEARCH and connection.vendor == "postgresql":
        # Many matches: walking the sort order's index and filtering finds a page after a few
        # hundred rows, while the bigram index would fetch and sort every match. PostgreSQL's
        # estimate of a multi-bigram @> is far too low (it multiplies the bigrams' frequencies)
        # so it would not choose the walk by itself: steer it for this one statement.
        # The walk filters with LIKE alone: with the bigram condition in the statement the
        # planner keeps its low estimate and scans another index in full instead.
        walk_qs = _order_and_after(walk, sort, after)
        rows = _steered(lambda: _list_rows(walk_qs, page_size + 1), walk_index=True)
    else:
        rows = _list_rows(page_qs, page_size + 1)
    next_cursor = _encode_cursor(_cursor_values(rows[page_size - 1], sort)) if len(rows) > page_size else None
    return TicketPage(rows=rows[:page_size], next_cursor=next_cursor, total=total, sort=sort, total_capped=total_capped)
