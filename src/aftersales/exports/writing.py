"""The .xlsx writer: one kind's rows for one user, streamed into a workbook with bounded memory.

xlsxwriter's ``constant_memory`` mode flushes each row to a temporary file as soon as the next
row starts, so a million rows cost the memory of one row (plus the shared strings it does not
keep in this mode: strings are written inline). Every text value is written with
``write_string`` — a value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR is never a
formula (formula injection), and gets Excel's quote prefix so editing the cell keeps it text.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound

from .registry import KINDS, CellType, Column, ExportKind, kind_for_user

# How often ``progress`` is called (rows); the background job stores it for the progress bar.
PROGRESS_EVERY = 5000
# Excel's limits: a sheet of 1,048,576 rows (one is the header), cells of 32,767 characters.
MAX_ROWS = 1_048_575
MAX_CELL = 32_767
_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def user_language(user: User) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in codes else settings.LANGUAGE_CODE


def sheet_name(title: str) -> str:
    return (str(title).translate(_SHEET_FORBIDDEN).strip() or "Sheet1")[:31]


def write_rows(
    *,
    kind: ExportKind,
    user: User,
    filters: Mapping[str, str],
    target: IO[bytes],
    progress: Callable[[int], None] | None,
    on_total: Callable[[int | None], None] | None = None,
) -> int:
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "in_memory": False,
        },
    )
    try:
        header_fmt = workbook.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1, "text_wrap": True})
        date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
        datetime_fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        money_fmt = workbook.add_format({"num_format": "#,##0.00"})
        number_fmt = workbook.add_format({"num_format": "General"})
        risky_fmt = workbook.add_format({"quote_prefix": True})
        title = str(kind.title)
        sheet = workbook.add_worksheet(sheet_name(title))
        columns: tuple[Column, ...] = kind.columns
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
        for index, column in enumerate(columns):
            sheet.write_string(0, index, str(column.header), header_fmt)
        sheet.freeze_panes(1, 0)
        if columns:
            sheet.autofilter(0, 0, 0, len(columns) - 1)

        tz = timezone.get_default_timezone()
        write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime

        def text(row_no: int, col_no: int, value: Any) -> None:
            value = value if type(value) is str else str(value)
            if len(value) > MAX_CELL:
                value = value[:MAX_CELL]
            if value.startswith(_RISKY_START):  # never a formula, and stays text when edited
                write_string(row_no, col_no, value, risky_fmt)
            else:
                write_string(row_no, col_no, value)

        def when(fmt: Any) -> Callable[[int, int, Any], None]:
            def write(row_no: int, col_no: int, value: Any) -> None:
                if isinstance(value, dt.datetime):
                    if value.tzinfo is not None:
                        value = value.astimezone(tz).replace(tzinfo=None)  # Asia/Shanghai wall time
                    write_datetime(row_no, col_no, value, fmt)
                elif isinstance(value, dt.date):
                    day = dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 - Excel dates have no zone
                    write_datetime(row_no, col_no, day, fmt)
                else:
                    text(row_no, col_no, value)

            return write

        def number(fmt: Any) -> Callable[[int, int, Any], None]:
            def write(row_no: int, col_no: int, value: Any) -> None:
                if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
                    write_number(row_no, col_no, float(value), fmt)
                else:
                    text(row_no, col_no, value)

            return write

        writers: dict[CellType, Callable[[int, int, Any], None]] = {
            CellType.TEXT: text,
            CellType.DATE: when(date_fmt),
            CellType.DATETIME: when(datetime_fmt),
            CellType.NUMBER: number(number_fmt),
            CellType.MONEY: number(money_fmt),
        }
        plan = [(col_no, column.value, writers[column.type]) for col_no, column in enumerate(columns)]

        rows = kind.rows(user, filters)
        if on_total is not None:
            on_total(rows.total)
        written = 0
        for item in rows.items:
            if written >= MAX_ROWS:
                break
            written += 1
            for col_no, get, write in plan:
                value = get(item, user)
                if value is not None and value != "":  # empty: no cell at all
                    write(written, col_no, value)
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
    finally:
        workbook.close()
    if progress is not None:
        progress(written)
    return written


def usable_kind(kind: str, user: User) -> ExportKind:
    """The declaration of ``kind`` if ``user`` may use it; ``NotFound`` otherwise (an unknown
    kind and a forbidden one answer alike)."""
    spec = kind_for_user(kind, user) if kind in KINDS else None
    if spec is None:
        raise NotFound(_("There is no such export, or you may not use it."), code="export_kind_unknown", field="kind")
    return spec


def write_xlsx(
    *,
    kind: str,
    user: User,
    filters: Mapping[str, str],
    target: IO[bytes],
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int | None], None] | None = None,
) -> int:
    """Write export ``kind`` for ``user`` (their scope, masking and language) with the page's
    query-string ``filters`` as one .xlsx into ``target``; returns the number of rows written.
    ``progress(rows_written)`` is called every ``PROGRESS_EVERY`` rows and at the end;
    ``on_total(n)`` once with the number of rows expected (None when unknown).
    Raises ``NotFound`` for an unknown kind or one the user may not use."""
    spec = usable_kind(kind, user)
    with translation.override(user_language(user)), timezone.override(timezone.get_default_timezone()):
        return write_rows(kind=spec, user=user, filters=filters, target=target, progress=progress, on_total=on_total)
