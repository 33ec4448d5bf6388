"""Opening what ``write_xlsx`` wrote, for the exports tests."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from aftersales.accounts.models import User
from aftersales.exports.services import write_xlsx


def export_sheet(kind: str, user: User, filters: dict[str, str] | None = None) -> tuple[Worksheet, int]:
    buffer = io.BytesIO()
    rows = write_xlsx(kind=kind, user=user, filters=filters or {}, target=buffer)
    buffer.seek(0)
    return load_workbook(buffer).worksheets[0], rows


def header(sheet: Worksheet) -> list[Any]:
    return [c.value for c in sheet[1]]


def column(sheet: Worksheet, name: str) -> list[Any]:
    index = header(sheet).index(name)
    return [row[index].value for row in sheet.iter_rows(min_row=2)]
