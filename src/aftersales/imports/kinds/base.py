"""What every kind of import has: its columns, how a row is read into a key and values, how a
chunk of rows is compared with what is stored (new / changed / unchanged) and written.

An optional cell left empty keeps what is stored (an import never erases with a blank); a new
record takes the model's default there."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.db import connection
from django.db.models import Model
from django.utils import translation

from aftersales.accounts.models import Region, User
from aftersales.audit.actions import AuditAction

from ..audit_actions import ImportAudit
from ..columns import CellError, Column, checked_text, to_date, to_decimal, to_int, to_month

# The spellings of yes and no in a cell (on sale, covers parts, active).
YES = frozenset({"1", "y", "yes", "true", "是", "在售", "有效", "active"})
NO = frozenset({"0", "n", "no", "false", "否", "停售", "停产", "inactive"})


@dataclass
class Issue:
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class RowInvalid(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues[0].code)
        self.issues = issues


@dataclass
class Parsed:
    row: int
    key: Hashable
    values: dict[str, Any]
    cells: dict[str, Any]


class RowReader:
    """One row's cells by column key; collects every problem of the row, not only the first."""

    def __init__(self, columns: dict[str, Column], cells: dict[str, Any]) -> None:
        self.columns = columns
        self.cells = cells
        self.issues: list[Issue] = []

    def _convert(self, key: str, convert: Callable[[Any], Any]) -> Any:
        column = self.columns[key]
        try:
            value = convert(self.cells.get(key))
        except CellError as exc:
            self.issues.append(Issue(key, exc.code, exc.params))
            return None
        if column.required and value in (None, ""):
            self.issues.append(Issue(key, "required"))
        return value

    def text(self, key: str) -> str:
        return self._convert(key, lambda cell: checked_text(cell, self.columns[key])) or ""

    def date(self, key: str) -> Any:
        return self._convert(key, to_date)

    def month(self, key: str) -> Any:
        return self._convert(key, to_month)

    def integer(self, key: str, *, low: int | None = 0, high: int | None = None) -> int | None:
        """A whole number; below ``low`` is ``negative`` (for 0) or ``out_of_range``, above
        ``high`` ``out_of_range``."""
        value = self._convert(key, to_int)
        if value is None:
            return None
        if low is not None and value < low:
            self.issues.append(Issue(key, "negative" if low == 0 else "out_of_range", {"value": value, "low": low, "high": high}))
        elif high is not None and value > high:
            self.issues.append(Issue(key, "out_of_range", {"value": value, "low": low, "high": high}))
        return value

    def amount(self, key: str) -> Decimal | None:
        """A sum of money (yuan, two decimals at most), not negative."""
        value = self._convert(key, to_decimal)
        if value is not None and value < 0:
            self.issues.append(Issue(key, "negative", {"value": str(value)}))
        return value

    def yes_no(self, key: str) -> bool | None:
        """是/否, yes/no, 1/0 (and a few synonyms); None for an empty cell."""
        raw = self.text(key).lower()
        if not raw:
            return None
        if raw in YES or raw in NO:
            return raw in YES
        self.issues.append(Issue(key, "choice_invalid", {"value": raw[:20], "choices": ["是", "否", "yes", "no"]}))
        return None

    def choice(self, key: str, options: dict[str, str], shown: Iterable[object]) -> str:
        """A value of ``options`` (spelling, lower case → stored value), by code or label."""
        raw = self.text(key)
        if not raw:
            return ""
        found = options.get(raw.lower())
        if found is None:
            self.issues.append(Issue(key, "choice_invalid", {"value": raw[:60], "choices": [str(s) for s in shown]}))
            return ""
        return found

    def lookup(self, key: str, table: dict[str, int], code: str) -> int | None:
        raw = self.text(key)
        if not raw:
            return None
        found = table.get(raw.lower())
        if found is None:
            self.issues.append(Issue(key, code, {"value": raw[:60]}))
        return found

    def add(self, key: str, code: str, **params: Any) -> None:
        self.issues.append(Issue(key, code, params))

    def done(self) -> None:
        if self.issues:
            raise RowInvalid(self.issues)


def choice_table(choices: Iterable[tuple[str, Any]], *extra: tuple[str, str]) -> dict[str, str]:
    """Spellings of a ``TextChoices``' members: the code, the English and the Chinese label."""
    table: dict[str, str] = {}
    for value, label in choices:
        table[value.lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                table[str(label).lower()] = value
    for spelling, value in extra:
        table[spelling.lower()] = value
    return table


def region_table() -> dict[str, int]:
    table: dict[str, int] = {}
    for pk, code, name in Region.objects.values_list("pk", "code", "name"):
        table[code.lower()] = pk
        table[name.lower()] = pk
    return table


class Kind(ABC):
    """The base of every kind (``customers``, ``models``, ``policies``, ``units``, ``shipments``,
    and ``parts`` in the parts app)."""

    kind: ClassVar[str]
    model: ClassVar[type[Model]]  # the records it writes (their audit events name it)
    columns: ClassVar[tuple[Column, ...]]
    key_columns: ClassVar[tuple[str, ...]]  # the natural key; a duplicate is reported on the first
    compared: ClassVar[tuple[str, ...]]  # the stored fields a row may change
    # The audit event of each record written (the kind's own domain may name its own: a customer
    # created or changed by an import is in the customer's history as any other change).
    audited_created: ClassVar[AuditAction] = ImportAudit.RECORD_CREATED
    audited_changed: ClassVar[AuditAction] = ImportAudit.RECORD_CHANGED
    # Free-text fields: their audit event says "changed", not the text (as the staff's edits do).
    unlogged_values: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        self.by_key = {c.key: c for c in self.columns}

    def prepare(self) -> None:  # noqa: B027 - optional hook: most kinds have no lookup table
        """Load the small lookup tables (models, regions, categories) once per pass."""

    def reader(self, cells: dict[str, Any]) -> RowReader:
        return RowReader(self.by_key, cells)

    @abstractmethod
    def clean(self, cells: dict[str, Any]) -> tuple[Hashable, dict[str, Any]]:
        """The row's natural key and its values, or ``RowInvalid`` with the row's issues."""

    def duplicate_issue(self, key: Hashable, labels: list[Any]) -> Issue:
        """The issue of a row whose key an earlier row of the file had (``labels``: the key
        columns' headers); on the first key column unless the kind knows better."""
        return Issue(self.key_columns[0], "duplicate_key", {"columns": labels})

    def resolve(self, rows: list[Parsed]) -> dict[int, list[Issue]]:
        """Lookups per chunk (one query for the chunk, not per row); the issues by row."""
        return {}

    @abstractmethod
    def existing(self, keys: list[Hashable]) -> dict[Hashable, tuple[int, dict[str, Any]]]:
        """The stored records of ``keys``: key → (pk, the compared fields)."""

    @abstractmethod
    def create(self, rows: list[Parsed], *, actor: User | None) -> list[int]:
        """Insert the new records of ``rows`` (one statement per chunk); their primary keys, in
        the order of ``rows``."""

    @abstractmethod
    def update(self, rows: list[tuple[int, dict[str, Any]]], fields: list[str]) -> list[int]:
        """Write ``fields`` of the stored records ``rows`` (pk, every compared field's new value);
        the primary keys written (a record the kind must leave alone is not)."""

    def changes(self, current: dict[str, Any], values: dict[str, Any]) -> set[str]:
        """The fields ``values`` would change (a value left out keeps what is stored)."""
        return {name for name, value in values.items() if name in current and current[name] != value}

    def merge(self, current: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """What a changed record's compared fields become: the row's values over the stored ones."""
        return {**current, **{n: v for n, v in values.items() if n in current}}


_PLAIN_TYPES = frozenset(
    {
        "CharField",
        "SlugField",
        "TextField",
        "ForeignKey",
        "OneToOneField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "BigIntegerField",
        "PositiveBigIntegerField",
        "SmallIntegerField",
        "BooleanField",
    }
)
_MISSING = object()


def _preparer(f: Any) -> Callable[[Any], Any]:
    """How a value of ``f`` is converted for the database: as it is for text, numbers and
    foreign keys (what the rows hold already), dates by the backend, the rest by the field."""
    kind = f.get_internal_type()
    if kind in _PLAIN_TYPES:
        return lambda value: value
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    return lambda value: f.get_db_prep_save(value, connection)


def insert_rows(model: type[Model], rows: list[dict[str, Any]], defaults: dict[str, Any]) -> None:
    """Insert ``rows`` (attname → value) in one ``executemany``: the bulk path of a large import,
    without building a model instance per row (``bulk_create`` spends most of its time there, and
    in converting every value through its field). Every concrete column but the primary key is
    written: the row's value, else ``defaults``, else the field's default (converted once)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = []
    for f in fields:
        if f.attname in defaults:
            fallback = defaults[f.attname]
        elif f.has_default():
            fallback = f.get_default()
        else:  # a blank text column is "", a nullable one NULL
            fallback = "" if f.empty_strings_allowed and not f.null else None
        columns.append((f.attname, _preparer(f), f.get_db_prep_save(fallback, connection)))
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - identifiers from the model, quoted; values as parameters
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    params = []
    for row in rows:
        values = []
        for name, prepare, fallback in columns:
            value = row.get(name, _MISSING)
            values.append(fallback if value is _MISSING else prepare(value))
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
