"""A keyword search of the agent's list: its matches, their capped total and the page of them.

The conditions themselves (bigrams, ``LIKE``, the number) are ``tickets.search``'s; the customer
or unit a text names (phone, name, serial number) is ``people``'s, one more arm of the ``OR``. On
PostgreSQL the planner is steered for single statements (``_steered``): the total is counted in
three steps that give the same number (``_search_total``), and a search with many matches walks
the sort order's index for its page. On SQLite both are plain statements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import OperationalError, connection, transaction
from django.db.models import QuerySet

from ..models import Ticket
from ..search import NUMBER_SHAPE, search_rows_estimate, ticket_search_q
from .people import people_search_q

R = TypeVar("R")

# A keyword search counts exactly up to this many matches ("more than 200" above): each match
# counted is a row read and rechecked (for a common word among 10 M tickets, 1,000 matches meant
# ~24,000 rows read per search), and eight pages are more than anybody reads: refine the words.
SEARCH_TOTAL_CAP = 200
# From this many matches on, a search's page walks the sort order's index (see ``search_page``).
DENSE_SEARCH = 200

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


@dataclass(frozen=True)
class SearchPage(Generic[R]):
    rows: list[R]
    total: int  # at most SEARCH_TOTAL_CAP
    total_capped: bool  # more matches than ``total``


def search_page(
    unsearched: QuerySet[Ticket], text: str, *, rows: Callable[[QuerySet[Ticket]], list[R]], walk: bool = True
) -> SearchPage[R]:
    """The tickets of ``unsearched`` that match ``text`` — by its words, or as the customer's
    phone or name or the unit's serial number it names (``people.people_search_q``): their total
    (counted first, up to ``SEARCH_TOTAL_CAP``) and ``rows(matches)``, the caller's page of them
    (ordered and limited by the caller). ``walk=False`` when no index gives the caller's order
    (the list's priority sort): many matches are then fetched and sorted rather than walked."""
    people = people_search_q(text)  # the customer or unit the text names, if any (looked up first)
    words = ticket_search_q(text)
    qs = unsearched.filter(words if people is None else words | people)
    cap = SEARCH_TOTAL_CAP
    postgresql = connection.vendor == "postgresql"
    total = _search_total(qs, unsearched, cap, text) if postgresql else qs.order_by()[: cap + 1].count()
    total_capped = total > cap
    total = min(total, cap)
    if total >= DENSE_SEARCH and postgresql and walk:
        # Many matches: walking the sort order's index and filtering finds a page after a few
        # hundred rows, while the bigram index would fetch and sort every match. PostgreSQL's
        # estimate of a multi-bigram @> is far too low (it multiplies the bigrams' frequencies)
        # so it would not choose the walk by itself: steer it for this one statement.
        # The walk filters with LIKE alone: with the bigram condition in the statement the
        # planner keeps its low estimate and scans another index in full instead.
        filtered = ticket_search_q(text, use_index=False)
        walked = unsearched.filter(filtered if people is None else filtered | people)
        found: list[R] = _steered(lambda: rows(walked), walk_index=True)
    else:
        found = rows(qs)
    return SearchPage(rows=found, total=total, total_capped=total_capped)


class _Result(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def _steered(fn: Callable[[], Any], *, walk_index: bool = False, timeout_ms: int | None = None) -> Any:
    """``fn()`` with planner settings for its statements only: ``walk_index`` turns bitmap and
    sequential scans, sorts and parallel workers off (PostgreSQL then walks the ORDER BY's index;
    with sorts allowed it took, for open tickets, the status index and sorted every open ticket
    it read: 0.6 s at 100k tickets instead of 10–50 ms);
    ``timeout_ms`` cancels a statement that runs longer (``None`` is returned). The settings are ``SET LOCAL`` in a
    transaction or savepoint that is rolled back afterwards (the block only reads), so they
    never outlive the call, whether or not the caller is inside a transaction."""
    try:
        with transaction.atomic():
            planner = [
                ("enable_bitmapscan", "off"),
                ("enable_seqscan", "off"),
                ("enable_sort", "off"),
                ("max_parallel_workers_per_gather", "0"),
            ]
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
