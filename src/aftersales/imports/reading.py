"""Reading an import file row by row with bounded memory: .xlsx through openpyxl's read-only
mode (streams the sheet's XML; formula cells come back as their formula text, never a computed
value) and .csv through the csv module (UTF-8 with or without BOM, or GB18030 — a superset of
GBK, what Chinese Excel writes — detected from the first 64 KiB).

``open_sheet`` yields a ``Sheet``: the header cells and an iterator of (row number, cells),
row 1 being the header as in the spreadsheet. A file that cannot be read raises
``FileRefused`` with a code of ``messages.MESSAGES``."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

XLSX, CSV = "xlsx", "csv"
SNIFF_BYTES = 64 * 1024
csv.field_size_limit(1024 * 1024)


class FileRefused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Sheet:
    format: str
    header: list[Any]
    rows: Iterator[tuple[int, list[Any]]]
    total: int | None  # data rows, when the file says so up front (an .xlsx's dimension)


def detect_format(head: bytes, name: str) -> str:
    """``xlsx`` or ``csv`` from the first bytes (the name only breaks no tie: a .xlsx that is
    no zip is corrupt, a binary file is no CSV)."""
    lower = name.lower()
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    if lower.endswith((".xlsx", ".xlsm")):
        raise FileRefused("corrupt_xlsx")
    if head.startswith(b"\xd0\xcf\x11\xe0") or (b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise FileRefused("wrong_type")  # an old .xls, or any other binary file
    if lower.endswith((".csv", ".txt", ".tsv")) or not lower.rpartition(".")[1]:
        return CSV
    raise FileRefused("wrong_type")


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _csv_rows(fileobj: IO[bytes], encoding: str) -> tuple[list[Any], Iterator[tuple[int, list[Any]]]]:
    stream = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    try:
        first = stream.readline()
    except UnicodeDecodeError:
        raise FileRefused("encoding") from None
    if not first.strip():
        raise FileRefused("empty")
    delimiter = _delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter), [])
    reader = csv.reader(stream, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if not _blank(cells):
                    yield number, cells
        except UnicodeDecodeError:
            raise FileRefused("encoding") from None
        except csv.Error:
            raise FileRefused("wrong_type") from None

    return header, rows()


def _xlsx_rows(fileobj: IO[bytes]) -> tuple[Any, list[Any], Iterator[tuple[int, list[Any]]], int | None]:
    try:
        book = load_workbook(fileobj, read_only=True, data_only=False)
        sheet = book.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        header = list(next(iterator, ()) or ())
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError, TypeError):
        raise FileRefused("corrupt_xlsx") from None
    if _blank(header):
        book.close()
        raise FileRefused("empty")
    try:
        total = max((sheet.max_row or 1) - 1, 0)
    except (TypeError, ValueError):
        total = None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        try:
            for cells in iterator:
                number += 1
                values = list(cells)
                if not _blank(values):
                    yield number, values
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
            raise FileRefused("corrupt_xlsx") from None

    return book, header, rows(), total or None


@contextmanager
def open_sheet(fileobj: IO[bytes], name: str) -> Iterator[Sheet]:
    """The first sheet of an .xlsx or the rows of a .csv (``fileobj`` opened in binary)."""
    fileobj.seek(0)
    head = fileobj.read(SNIFF_BYTES)
    fileobj.seek(0)
    if not head:
        raise FileRefused("empty")
    fmt = detect_format(head, name)
    if fmt == XLSX:
        book, header, rows, total = _xlsx_rows(fileobj)
        try:
            yield Sheet(format=XLSX, header=header, rows=rows, total=total)
        finally:
            book.close()
        return
    header, rows = _csv_rows(fileobj, detect_encoding(head))
    yield Sheet(format=CSV, header=header, rows=rows, total=None)
