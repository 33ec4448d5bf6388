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

People and products (``recognise_query``): a query that reads as a phone number, a serial number
or a person's name also finds the tickets of that customer or unit (``selectors.people``), in
addition to the words.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Lookup, Q, TextField, Transform
from django.db.models.sql.compiler import SQLCompiler

from aftersales.core.errors import ValidationFailed
from aftersales.core.text import normalise, normalise_query
from aftersales.customers.phones import normalize_phone


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


# --- What else a query names: a phone number, a serial number, a person ------------------------

# A phone as people type it: digits with spaces, dashes, dots or brackets, an optional leading +
# (00 is read as +): 159 8306 7670, 159-8306-7670, +86 159 8306 7670, 0086…, (0755) 8888 6666.
_PHONE_TEXT = re.compile(r"^\+?[\d \-.()]+$")
# A serial number as the catalogue writes them (KT2507FS000123, RZ2408NB000001): letters and
# digits, maybe - / _ . inside, no spaces; at least one letter and two digits (MP3, iPhone are words).
_SERIAL_TEXT = re.compile(r"^[A-Z0-9][A-Z0-9\-_/.]{4,62}[A-Z0-9]$")
# A Chinese name of two to four characters (赵敏, 欧阳娜娜): matched as the start of the name.
_CJK_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,4}$")
# Any other name: letters with spaces, the middle dot of transcribed names, . ' - (Zhang Wei,
# 阿卜杜·热合曼, 深圳华强电器有限公司); matched whole, in any letter case. One word of Latin
# letters is read as a word, not a name (refund, Haier): a name in Latin letters has two.
_NAME_TEXT = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ ·.'\-])*[^\W\d_.]$")
_LATIN_WORD = re.compile(r"^[A-Za-z.'\-]+$")
NAME_MAX_LENGTH = 64
# A name followed or preceded by the last four digits of the phone (赵敏 7670): the name narrowed
# to the customers whose phone ends so. Four digits alone name nobody: any four final digits are
# one customer's in 10,000 — a hundred strangers at a million customers.
PHONE_SUFFIX_DIGITS = 4


@dataclass(frozen=True)
class PeopleQuery:
    """What a search text names besides words (``recognise_query``); empty strings for none."""

    phone: str = ""  # E.164
    serial: str = ""  # upper case, NFKC
    name: str = ""  # NFKC, white space collapsed
    name_prefix: bool = False  # the name is the start of the customer's name (a 2–4 character Chinese name)
    phone_suffix: str = ""  # with a name: the last digits of the customer's phone

    def __bool__(self) -> bool:
        return bool(self.phone or self.serial or self.name)


def _phone_of(text: str) -> str:
    digits = sum(c.isdigit() for c in text)
    if not (7 <= digits <= 15 and _PHONE_TEXT.match(text)):
        return ""
    try:
        return normalize_phone(text)  # the intake's parse: the number as customers store it
    except ValidationFailed:
        return ""


def _serial_of(text: str) -> str:
    serial = text.upper()
    if not _SERIAL_TEXT.match(serial) or NUMBER_SHAPE.match(serial):
        return ""
    if not any(c.isalpha() for c in serial) or sum(c.isdigit() for c in serial) < 2:
        return ""
    return serial


def _name_of(text: str) -> tuple[str, bool]:
    joined = text.replace(" ", "")
    if _CJK_NAME.match(joined):  # 赵敏, or 赵 敏 as some type it
        return joined, True
    if 2 <= len(text) <= NAME_MAX_LENGTH and _NAME_TEXT.match(text) and not _LATIN_WORD.match(text):
        return text, False
    return "", False


def recognise_query(text: str) -> PeopleQuery:
    """Read ``text`` as a phone number, a serial number or a name (at most one of them).

    The text is compared in NFKC form (full-width digits and letters as half-width), white space
    collapsed. A phone must be a whole valid number (a mobile, or a landline with its area code);
    a serial has letters and digits and no spaces; a name is letters only. ``赵敏 7670`` (a name
    and the last four digits of the phone) is a name narrowed by the phone's end."""
    text = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not text:
        return PeopleQuery()
    phone = _phone_of(text)
    if phone:
        return PeopleQuery(phone=phone)
    serial = _serial_of(text)
    if serial:
        return PeopleQuery(serial=serial)
    if " " in text:
        head, tail = text.split(" ", 1)
        rest, last = text.rsplit(" ", 1)
        for name_part, digits in ((rest, last), (tail, head)):
            if len(digits) == PHONE_SUFFIX_DIGITS and digits.isascii() and digits.isdigit():
                name, prefix = _name_of(name_part)
                if name:
                    return PeopleQuery(name=name, name_prefix=prefix, phone_suffix=digits)
    name, prefix = _name_of(text)
    return PeopleQuery(name=name, name_prefix=prefix)
