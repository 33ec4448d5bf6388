"""Fast row insertion for the bulk loader: ``COPY`` on PostgreSQL, one prepared ``INSERT`` on SQLite.

Rows are dicts from field attnames (``customer_id``) to values; missing columns get the field's
default and keys starting with ``_`` are ignored. Primary keys are reserved before the rows are
written, so rows can point at each other (events at their ticket, a merged ticket at the
surviving one) without reading anything back. Rows may be a generator: on PostgreSQL they are
streamed to the server while the next ones are made. Call inside a transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_CHUNK = 2000  # rows per write to the COPY stream


class RowWriter:
    """Writes batches of rows of one model. One instance per model and load."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.table = model._meta.db_table
        self.postgres = connection.vendor == "postgresql"
        pk = model._meta.pk
        assert pk is not None
        self.pk_column = pk.column
        self.fields: list[models.Field[Any, Any]] = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.defaults: dict[str, Any] = {
            f.attname: (None if f.null and not f.has_default() else f.get_default()) for f in self.fields
        }

    def reserve_ids(self, count: int) -> list[int]:
        """``count`` new primary keys: from the table's sequence on PostgreSQL; on SQLite (whose
        write transactions hold the database lock from BEGIN) the ones after the current maximum."""
        if count <= 0:
            return []
        if not connection.in_atomic_block:
            raise RuntimeError("reserve_ids must run inside the transaction that writes the rows")
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.table, self.pk_column, count],
                )
                return [row[0] for row in cursor.fetchall()]
            table = connection.ops.quote_name(self.table)
            cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(self.pk_column)}), 0) FROM {table}")  # noqa: S608
            start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))

    def write(self, rows: Iterable[dict[str, Any]], *, with_ids: bool) -> int:
        """Insert ``rows``; with ``with_ids`` each row carries its reserved ``id``. Returns the count.

        Tickets get what the intake service maintains for them: ``search_grams`` (unless the row
        brings it) and their share of the dashboard's ``TicketCount`` aggregates, in the same
        transaction as the rows."""
        if self.model._meta.label_lower == "tickets.ticket":
            return self._write_tickets(rows, with_ids=with_ids)
        return self._write(rows, with_ids=with_ids)

    def _write_tickets(self, rows: Iterable[dict[str, Any]], *, with_ids: bool) -> int:
        from collections import Counter

        from aftersales.tickets.counts import ticket_counts_bulk_add
        from aftersales.tickets.search import search_grams_for

        counts: Counter[tuple[str, int | None, int | None]] = Counter()
        default_status = self.defaults.get("status")

        def prepared() -> Iterable[dict[str, Any]]:
            for row in rows:
                if "search_grams" not in row:
                    row = {**row, "search_grams": search_grams_for(row.get("title") or "", row.get("description") or "")}
                counts[(row.get("status") or default_status, row.get("category_id"), row.get("region_id"))] += 1
                yield row

        written = self._write(prepared(), with_ids=with_ids)
        ticket_counts_bulk_add(counts)
        return written

    def _write(self, rows: Iterable[dict[str, Any]], *, with_ids: bool) -> int:
        if self.postgres:
            return self._copy(rows, with_ids=with_ids)
        if connection.vendor == "sqlite":
            return self._insert_many(rows, with_ids=with_ids)
        objs = [self.model(**{**self.defaults, **{k: v for k, v in row.items() if k[0] != "_"}}) for row in rows]
        self.model._default_manager.bulk_create(objs, batch_size=500)
        return len(objs)

    def _columns(self, with_ids: bool) -> list[tuple[str, str, models.Field[Any, Any] | None]]:
        columns: list[tuple[str, str, models.Field[Any, Any] | None]] = [(f.attname, f.column, f) for f in self.fields]
        if with_ids:
            columns.insert(0, ("id", self.pk_column, None))
        return columns

    def _copy(self, rows: Iterable[dict[str, Any]], *, with_ids: bool) -> int:
        """PostgreSQL: ``COPY … FROM STDIN`` in text format, the lines formatted here (much faster
        than adapting value by value)."""
        columns = self._columns(with_ids)
        spec = [(name, self.defaults.get(name), _copy_formatter(field)) for name, _column, field in columns]
        quoted = ", ".join(connection.ops.quote_name(column) for _name, column, _field in columns)
        sql = f"COPY {connection.ops.quote_name(self.table)} ({quoted}) FROM STDIN"
        count = 0
        lines: list[str] = []
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                get = row.get
                lines.append("\t".join([r"\N" if (v := get(name, default)) is None else fmt(v) for name, default, fmt in spec]))
                if len(lines) == _COPY_CHUNK:
                    copy.write("\n".join(lines) + "\n")
                    count += len(lines)
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")
                count += len(lines)
        return count

    def _insert_many(self, rows: Iterable[dict[str, Any]], *, with_ids: bool) -> int:
        """SQLite: one prepared INSERT run for every row, values converted the way Django stores
        them (datetimes as naive UTC text, dates as ISO text, JSON as text)."""
        columns = self._columns(with_ids)
        spec = [(name, self.defaults.get(name), _sqlite_converter(field)) for name, _column, field in columns]
        quoted = ", ".join(connection.ops.quote_name(column) for _name, column, _field in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(self.table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608
        params = [
            [None if (v := row.get(name, default)) is None else convert(v) for name, default, convert in spec] for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        return len(params)


def _escape(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


def _copy_formatter(field: models.Field[Any, Any] | None) -> Callable[[Any], str]:
    """How one column's value is written in COPY's text format (``None`` is ``\\N``)."""
    if isinstance(field, models.BooleanField):
        return lambda value: "t" if value else "f"
    if isinstance(field, models.DateTimeField | models.DateField):
        return lambda value: value.isoformat()  # aware datetimes carry their offset
    if isinstance(field, models.JSONField):
        return lambda value: _escape(json.dumps(value, ensure_ascii=False))
    if field is None or isinstance(field, models.IntegerField | models.ForeignKey | models.AutoField):
        return str
    return lambda value: _escape(str(value))


def _sqlite_datetime(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


def _sqlite_converter(field: models.Field[Any, Any] | None) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime
    if isinstance(field, models.DateField):
        return dt.date.isoformat
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False)
    return _same


def _same(value: Any) -> Any:
    return value
