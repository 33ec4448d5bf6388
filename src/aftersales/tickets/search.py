"""Keyword search over tickets that serves 2-character Chinese words as well as English words.

Why not pg_trgm: a trigram index extracts no complete trigram from a 2-character pattern
(``漏水``), so it cannot narrow ``LIKE '%漏水%'`` and PostgreSQL scans every row. pg_bigm, zhparser
and PGroonga are not packaged in Debian 12. Instead each ticket keeps ``search_grams``: the
distinct lower-cased character bigrams of its title and description (bigrams containing
whitespace are left out), space-separated. On PostgreSQL a GIN index on
``string_to_array(search_grams, ' ')`` answers ``@> ARRAY[<bigrams of the query>]`` — every
ticket containing the query contains all its bigrams, so the index never loses a match — and the
ordinary case-insensitive ``LIKE`` rechecks the candidates, so the results are exactly those of a
substring scan. A 1-character query has no bigram and runs as the plain ``LIKE``. On SQLite
(development, tests) the plain ``LIKE`` runs always: same results, no index.

Full-width and half-width forms count as the same (issue 20): the bigrams are those of the text
normalised by ``core.text.normalise`` (NFKC, lower case), the query is normalised the same way,
and the ``LIKE`` recheck also compares the NFKC form of the columns (``nfkc`` below), so a search
for MP3 or XP finds a ticket written ＭＰ３ or ＸＰ and the other way round.

Writers: ``ticket_intake`` fills the column; the bulk path (``demo.writer``) too; rows written
before the column existed are filled by the migration / ``manage.py rebuild_search_grams``.
No service changes a ticket's title or description after intake; one that does must call
``search_grams_for`` again.
"""

from __future__ import annotations

import re
import time
import unicodedata
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Lookup, Q, TextField, Transform
from django.db.models.sql.compiler import SQLCompiler

from aftersales.core.text import normalise, normalise_query


def text_bigrams(text: str) -> set[str]:
    """The distinct lower-cased character bigrams of ``text`` without whitespace in them."""
    low = (text or "").lower()
    return {low[i : i + 2] for i in range(len(low) - 1) if not (low[i].isspace() or low[i + 1].isspace())}


def normalised_bigrams(text: str) -> set[str]:
    """The bigrams of ``text`` in the one normalised form (``core.text.normalise``)."""
    return text_bigrams(normalise(text))


def search_grams_for(title: str, description: str) -> str:
    """The ``Ticket.search_grams`` value of a title and description (sorted, space-separated):
    the bigrams of the normalised text, so full-width and half-width forms index alike."""
    return " ".join(sorted(normalised_bigrams(title) | normalised_bigrams(description)))


SQLITE_NFKC = "aftersales_nfkc"


def _sqlite_nfkc(value: str | None) -> str | None:
    return None if value is None else unicodedata.normalize("NFKC", value)


class Nfkc(Transform):
    """``title__nfkc__icontains=...``: the column in Unicode NFKC form (PostgreSQL's
    ``normalize(…, NFKC)``; on SQLite a Python function registered on the connection)."""

    lookup_name = "nfkc"
    function = "normalize"
    template = "%(function)s(%(expressions)s, NFKC)"

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> Any:
        connection.ensure_connection()  # compiled before the cursor opens: register on the live connection
        connection.connection.create_function(SQLITE_NFKC, 1, _sqlite_nfkc, deterministic=True)
        return self.as_sql(compiler, connection, function=SQLITE_NFKC, template="%(function)s(%(expressions)s)", **extra_context)


CharField.register_lookup(Nfkc)
TextField.register_lookup(Nfkc)


@TextField.register_lookup
class GramsContain(Lookup):
    """``search_grams__grams_contain=[...]``: every listed bigram is in the column (PostgreSQL:
    served by the GIN expression index ``ticket_search_grams_gin``)."""

    lookup_name = "grams_contain"
    prepare_rhs = False  # a list of bigrams, not a text value of the column

    def get_prep_lookup(self) -> object:
        return [str(g) for g in self.rhs]

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return "%s", [list(value)]

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"string_to_array({lhs}, ' ') @> ({rhs})::text[]", [*lhs_params, *rhs_params]

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        return "1 = 1", []  # no index on SQLite: the LIKE beside it decides alone


# What a ticket number looks like (numbering.format_ticket_number: PREFIX + YYYYMMDD-NNNNNN).
NUMBER_SHAPE = re.compile(r"^\S{1,16}\d{8}-\d{6,}$")


def ticket_search_q(text: str, *, use_index: bool = True) -> Q:
    """Tickets whose number is ``text`` or whose title or description contains it (any case).

    The number is only compared when ``text`` has a number's shape: an ``OR number = …`` on
    every search would make PostgreSQL re-evaluate the whole condition (the bigram array
    included) on each candidate row instead of only the cheap ``LIKE``. ``use_index=False``
    leaves the bigram condition out (a walk along another index filters with ``LIKE`` alone).

    Full-width and half-width forms match alike: the bigrams are the normalised query's, and the
    ``LIKE`` also tries the NFKC form of the columns when the plain one misses (evaluated only
    then on both databases, so plain text costs what it did)."""
    text = text.strip()
    query = normalise_query(text)
    substring = Q(title__icontains=text) | Q(description__icontains=text)
    if query:
        substring |= Q(title__nfkc__icontains=query) | Q(description__nfkc__icontains=query)
    grams = text_bigrams(query)
    if grams and use_index and connection.vendor == "postgresql":
        substring = Q(search_grams__grams_contain=sorted(grams)) & substring
    if NUMBER_SHAPE.match(text.upper()):
        return Q(number=text.upper()) | substring
    return substring


# --- How many tickets a search word's bigrams cover (PostgreSQL statistics) -------------------

GRAM_STATS_TTL_SECONDS = 600.0
_gram_stats: tuple[float, dict[str, float], float, float] | None = None  # fetched, freqs, floor, rows


def _load_gram_stats() -> tuple[dict[str, float], float, float]:
    """The most common bigrams with their share of tickets, the share below which a bigram is
    not listed, and the ticket count, from ``ANALYZE``'s statistics of the bigram index (what
    the planner itself uses). Empty before the first ``ANALYZE``."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'ticket_search_grams_gin'"
        )
        row = cur.fetchone()
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'tickets_ticket'")
        rows = float((cur.fetchone() or [0])[0] or 0)
    if not row or not row[0] or not row[1]:
        return {}, 0.0, rows
    elems, freqs = row
    freqs_by_gram = {e: float(f) for e, f in zip(elems, freqs, strict=False)}
    floor = float(freqs[len(elems)]) if len(freqs) > len(elems) else 0.0  # the minimum listed
    return freqs_by_gram, floor, rows


def search_rows_estimate(text: str) -> float | None:
    """Estimated tickets that contain the rarest bigram of ``text`` — what a count through the
    bigram index must at least read — or ``None`` (not PostgreSQL, no bigram, not analysed).
    The statistics are read once per process every ``GRAM_STATS_TTL_SECONDS``."""
    global _gram_stats
    grams = text_bigrams(normalise_query(text))
    if not grams or connection.vendor != "postgresql":
        return None
    now = time.monotonic()
    if _gram_stats is None or now - _gram_stats[0] > GRAM_STATS_TTL_SECONDS:
        _gram_stats = (now, *_load_gram_stats())
    _fetched, freqs, floor, rows = _gram_stats
    if not freqs or rows <= 0:
        return None
    return min(freqs.get(g, floor) for g in grams) * rows
