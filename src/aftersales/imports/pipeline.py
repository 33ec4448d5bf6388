"""One pass over an import file: read it row by row, check every row, compare each chunk of
rows with what is stored (new / changed / unchanged) and, on the commit pass, write the chunk —
one transaction per chunk, the job's checkpoint (``rows_done``) moved in the same transaction.

Memory stays bounded by the chunk (``IMPORT_CHUNK_ROWS``, 2,000) plus one 64-bit digest per row
for finding keys repeated inside the file; errors are kept up to ``IMPORT_MAX_STORED_ERRORS``
(the counts are exact)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record_many

from .columns import header_key, text
from .kinds import KINDS, Issue, Kind, Parsed, RowInvalid
from .messages import message
from .reading import FileRefused, open_sheet

PREVIEW_ROWS = 10
MAX_IGNORED = 100  # ignored headers kept (a sheet with more columns than that is not an import)


def chunk_rows() -> int:
    return int(getattr(settings, "IMPORT_CHUNK_ROWS", 2000))


def max_stored_errors() -> int:
    return int(getattr(settings, "IMPORT_MAX_STORED_ERRORS", 1000))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 2_000_000))


@dataclass
class Figures:
    """What a pass found (and wrote). ``rows`` counts the data rows read so far."""

    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    error_rows: int = 0
    error_count: int = 0
    written_new: int = 0
    written_changed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    format: str = ""
    total: int | None = None
    ignored: list[str] = field(default_factory=list)  # the headers that name no column


def _digest(key: Hashable) -> int:
    return int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "big")


def _map_header(spec: Kind, header: list[Any]) -> tuple[dict[int, str], list[str]]:
    """Column index → column key, and the headers that name no column (ignored, in file order;
    blank header cells are not listed). A missing required column or a column named twice
    refuses the file."""
    by_name = {name: column for column in spec.columns for name in column.names}
    mapped: dict[int, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(header):
        shown = text(cell).replace("\ufeff", "").strip()
        column = by_name.get(header_key(shown))
        if column is None:
            if shown and len(ignored) < MAX_IGNORED:
                ignored.append(shown[:80])
            continue
        if column.key in mapped.values():
            raise FileRefused("duplicate_column", column=column.label)
        mapped[index] = column.key
    present = set(mapped.values())
    for column in spec.columns:
        if column.required and column.key not in present:
            raise FileRefused("missing_column", column=column.label)
    return mapped, ignored


class Pass:
    def __init__(
        self,
        *,
        kind: str,
        write: bool,
        actor: User | None = None,
        job_id: int | None = None,
        start_after: int = 0,
        figures: Figures | None = None,
        on_chunk: Callable[[Figures], None] | None = None,
    ) -> None:
        self.spec = KINDS[kind]()
        self.write = write
        self.actor = actor
        self.job_id = job_id
        self.start_after = start_after
        self.figures = figures or Figures()
        self.on_chunk = on_chunk
        self.seen: set[int] = set()
        self.key_labels = [self.spec.by_key[k].label for k in self.spec.key_columns]
        self.chunk_rows, self.max_rows, self.max_errors = chunk_rows(), max_rows(), max_stored_errors()

    def _error(self, row: int, issue: Issue) -> None:
        f = self.figures
        f.error_count += 1
        if len(f.errors) < self.max_errors:
            f.errors.append({"row": row, "column": issue.column, "code": issue.code, "text": message(issue.code, **issue.params)})

    def _row_failed(self, row: int, issues: list[Issue], cells: dict[str, Any]) -> None:
        self.figures.error_rows += 1
        for issue in issues:
            self._error(row, issue)
        self._show(row, cells, "error")

    def _show(self, row: int, cells: dict[str, Any], status: str) -> None:
        if len(self.figures.preview) < PREVIEW_ROWS:
            self.figures.preview.append({"row": row, "status": status, "cells": {k: _shown(v) for k, v in cells.items()}})

    def run(self, fileobj: Any, name: str) -> Figures:
        """Read the whole file; raises ``FileRefused`` for a file that cannot be read."""
        self.spec.prepare()
        with open_sheet(fileobj, name) as sheet:
            self.figures.format = sheet.format
            self.figures.total = sheet.total
            mapped, self.figures.ignored = _map_header(self.spec, sheet.header)
            chunk: list[Parsed] = []
            rows_read = 0
            for number, cells in sheet.rows:
                rows_read += 1
                if rows_read > self.max_rows:
                    raise FileRefused("too_many_rows", limit=self.max_rows)
                by_key = {key: cells[i] if i < len(cells) else None for i, key in mapped.items()}
                try:
                    key, values = self.spec.clean(by_key)
                except RowInvalid as exc:
                    self._row_failed(number, exc.issues, by_key)
                else:
                    digest = _digest(key)
                    if digest in self.seen:
                        self._row_failed(number, [self.spec.duplicate_issue(key, self.key_labels)], by_key)
                    else:
                        self.seen.add(digest)
                        chunk.append(Parsed(row=number, key=key, values=values, cells=by_key))
                if len(chunk) >= self.chunk_rows:
                    self._flush(chunk, rows_read)
                    chunk = []
            self._flush(chunk, rows_read)
        return self.figures

    def _flush(self, chunk: list[Parsed], rows_read: int) -> None:
        f = self.figures
        failed = self.spec.resolve(chunk) if chunk else {}
        valid = []
        for parsed in chunk:
            if parsed.row in failed:
                self._row_failed(parsed.row, failed[parsed.row], parsed.cells)
            else:
                valid.append(parsed)
        stored = self.spec.existing([p.key for p in valid]) if valid else {}
        new: list[Parsed] = []
        changed: list[tuple[int, dict[str, Any]]] = []
        changed_rows: list[tuple[Parsed, dict[str, Any], set[str]]] = []  # for the audit: before, changed fields
        fields: set[str] = set()
        for parsed in valid:
            current = stored.get(parsed.key)
            if current is None:
                new.append(parsed)
                status = "new"
            else:
                pk, values = current
                diff = self.spec.changes(values, parsed.values)
                if diff:
                    fields |= diff
                    changed.append((pk, self.spec.merge(values, parsed.values)))
                    changed_rows.append((parsed, values, diff))
                    status = "changed"
                else:
                    status = "unchanged"
            self._show(parsed.row, parsed.cells, status)
        f.new += len(new)
        f.changed += len(changed)
        f.unchanged += len(valid) - len(new) - len(changed)
        f.rows = rows_read
        if self.write and rows_read > self.start_after:
            with transaction.atomic():
                if new:
                    self._audit_created(new, self.spec.create(new, actor=self.actor))
                if changed:
                    written = self.spec.update(changed, sorted(fields))
                    self._audit_changed(changed, changed_rows, set(written))
                f.written_new += len(new)
                f.written_changed += len(changed)
                if self.on_chunk:
                    self.on_chunk(f)
        elif self.on_chunk and (not self.write):
            self.on_chunk(f)

    def _audit_created(self, rows: list[Parsed], pks: list[int]) -> None:
        """One audit event per record created: the import and the row it came from."""
        audit_record_many(
            action=self.spec.audited_created,
            object_type=self.spec.model._meta.label_lower,
            entries=[(pk, _key_text(r.key), {"import": self.job_id, "row": r.row}) for r, pk in zip(rows, pks, strict=True)],
            actor=self.actor,
        )

    def _audit_changed(
        self,
        changed: list[tuple[int, dict[str, Any]]],
        rows: list[tuple[Parsed, dict[str, Any], set[str]]],
        written: set[int],
    ) -> None:
        """One audit event per record changed: the import, the row, each changed field's value
        before and after (a free-text field: "changed"; a part of the record that is not a field,
        such as an address added: its new value)."""
        entries = []
        for (pk, after), (parsed, before, diff) in zip(changed, rows, strict=True):
            if pk not in written:
                continue
            changes: dict[str, Any] = {"import": self.job_id, "row": parsed.row}
            for name in sorted(diff):
                if name in self.spec.unlogged_values:
                    changes[name] = "changed"
                elif name.startswith("_"):
                    changes[name.lstrip("_")] = _jsonable(after.get(name))
                else:
                    changes[name] = [_jsonable(before.get(name)), _jsonable(after.get(name))]
            entries.append((pk, _key_text(parsed.key), changes))
        audit_record_many(
            action=self.spec.audited_changed, object_type=self.spec.model._meta.label_lower, entries=entries, actor=self.actor
        )


def _key_text(key: Hashable) -> str:
    return " / ".join(str(part) for part in key) if isinstance(key, tuple) else str(key)


def _jsonable(value: Any) -> Any:
    """A stored value as the audit log's JSON keeps it (dates as ISO text, amounts as text, sets
    as sorted lists)."""
    if isinstance(value, dt.date | Decimal):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, frozenset | set):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def _shown(value: Any) -> str:
    return text(value)[:80]
