"""Files we hand out: the template of each kind (.csv or .xlsx, the headers in the reader's
language and one example row) and the error report of an import (.csv). Every cell written is
neutralised against formula injection (``columns.safe_cell``)."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from .columns import safe_cell
from .kinds import KINDS
from .models import ImportJob
from .selectors import import_errors


def template_csv(kind: str) -> bytes:
    spec = KINDS[kind]()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header() for c in spec.columns])
    writer.writerow([safe_cell(c.example) for c in spec.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel then opens it as UTF-8


def template_xlsx(kind: str) -> bytes:
    spec = KINDS[kind]()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind)
    sheet.append([c.header() for c in spec.columns])
    sheet.append([safe_cell(c.example) for c in spec.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def error_report_csv(job: ImportJob, *, headers: tuple[str, str, str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for e in import_errors(job):
        writer.writerow([e.row, safe_cell(e.column_label), e.code, safe_cell(e.text)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
