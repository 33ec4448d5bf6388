"""The export kinds: one declaration per list, queue or report that can be saved as .xlsx.

A kind says its title, its columns (heading in the reader's language, how a value is read from a
row, the cell type), who may use it, and how its rows are read: always through the owning app's
selectors, with the user's data scope and the same query-string filters as its page, so an export
holds exactly what the page would show (masking included). ``KINDS`` maps the kind's key to it;
the kinds themselves live in ``exports/kinds/`` (one module per owning app), registered on import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

from aftersales.accounts.models import User


class CellType(StrEnum):
    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    NUMBER = "number"
    MONEY = "money"


@dataclass(frozen=True)
class Column:
    """One column: ``header`` (lazy gettext), ``value(row, user)`` and its cell type; ``width``
    in Excel's character units."""

    header: Promise | str
    value: Callable[[Any, User], Any]
    type: CellType = CellType.TEXT
    width: int = 14


@dataclass(frozen=True)
class Rows:
    """The rows of one export: ``items`` is iterated once, in order; ``total`` (when known up
    front) drives the progress bar."""

    items: Iterable[Any]
    total: int | None = None


# Rows are streamed from the database in chunks of this many (a server-side cursor on PostgreSQL).
CHUNK_SIZE = 2000


def queryset_rows(qs: QuerySet[Any], *, wrap: Callable[[Any], Any] | None = None, count: bool = True) -> Rows:
    """``qs`` streamed with ``.iterator(chunk_size=CHUNK_SIZE)`` (bounded memory whatever the
    number of rows), each row passed through ``wrap``; counted first when ``count``."""
    total = qs.order_by().count() if count else None

    def items() -> Iterator[Any]:
        for row in qs.iterator(chunk_size=CHUNK_SIZE):
            yield wrap(row) if wrap is not None else row

    return Rows(items=items(), total=total)


def list_rows(items: Sequence[Any]) -> Rows:
    """Rows already computed by a report's selector (a table of a few hundred rows)."""
    return Rows(items=items, total=len(items))


@dataclass(frozen=True)
class ExportKind:
    key: str
    title: Promise | str
    columns: tuple[Column, ...]
    may_use: Callable[[User], bool]
    rows: Callable[[User, Mapping[str, str]], Rows]
    # The page whose list this is (a URL name), for the "back to the list" link; "" = none.
    page: str = ""
    # Checks the filters when the export is requested (raises ``ValidationFailed``), so that a
    # wrong period or a missing party is refused at once rather than failing in the job.
    check: Callable[[User, Mapping[str, str]], None] | None = field(default=None, compare=False)


# kind → its declaration; filled by ``register`` as the modules in ``exports/kinds/`` load.
KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    if kind.key in KINDS:
        raise ValueError(f"export kind {kind.key!r} declared twice")
    KINDS[kind.key] = kind
    return kind


def kind_for_user(key: str, user: User) -> ExportKind | None:
    """The kind ``key`` if it exists and ``user`` may use it; None otherwise."""
    kind = KINDS.get(key)
    if kind is None or not user.is_authenticated or not user.is_active or user.is_customer:
        return None
    return kind if kind.may_use(user) else None


def kinds_for_user(user: User) -> list[ExportKind]:
    return [kind for key in sorted(KINDS) if (kind := kind_for_user(key, user)) is not None]


def _load_kinds() -> None:
    # The kinds' modules register themselves; imported here (at the end of this module, not at the
    # top) because they import ``register`` from this one.
    from . import kinds  # noqa: F401


_load_kinds()
