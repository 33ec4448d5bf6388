"""The columns of an import file: their keys, their names in Chinese and English (both accepted
in the header row), and the conversion of one cell to a value. A cell that cannot be converted
raises ``CellError`` with a code of ``messages.MESSAGES``.

Cells are values, never formulas: a text cell is stored as the text it holds (a leading ``=``,
``+``, ``-``, ``@`` or tab included: nothing here or later evaluates it, and files we write out
neutralise it, ``safe_cell``); a typed cell (date, number) that holds a formula is refused."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from django.utils import translation
from django.utils.functional import Promise


class CellError(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise  # the English header, translated: the Chinese header
    zh: str  # the Chinese header of the templates (the catalogue's translation of ``label``)
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    example: str | Promise = ""  # the template's sample value; a label is lazy: the reader's language

    @cached_property
    def english(self) -> str:
        with translation.override("en"):
            return str(self.label)

    @cached_property
    def names(self) -> frozenset[str]:
        """Every header spelling that names this column, as compared (``header_key``)."""
        return frozenset(header_key(s) for s in (self.key, self.english, self.zh, *self.aliases))

    def header(self, language: str | None = None) -> str:
        """The column's header in ``language`` (the active one by default)."""
        lang = language or translation.get_language() or "zh-hans"
        return self.english if lang.startswith("en") else self.zh


_HEADER_NOISE = re.compile(r"[\s_\-*（）()\[\]【】:：/]+")


def header_key(text: object) -> str:
    """A header cell as compared: without spaces, underscores, required markers or brackets,
    lower case (``Serial number *`` = ``serial_number`` = ``序列号``)."""
    return _HEADER_NOISE.sub("", str(text or "").replace("\ufeff", "")).lower()


INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A value written into a CSV or sheet we produce: one a spreadsheet would run as a formula
    (``=``, ``+``, ``-``, ``@``, tab) is prefixed with an apostrophe (OWASP's CSV injection
    advice), so it opens as text."""
    text = "" if value is None else str(value)
    if text.startswith(INJECTION_PREFIXES):
        return "'" + text
    return text


def text(cell: Any) -> str:
    """Any cell as text: numbers without a trailing ``.0`` (a phone or serial typed as a number),
    dates as ISO dates, surrounding spaces removed."""
    if type(cell) is str:  # the common case (every CSV cell): first
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if not isinstance(cell, str | int):
        cell = getattr(cell, "text", None) or str(cell)  # an array formula object: its text
    return str(cell).strip()


def _is_formula(value: str) -> bool:
    return value.startswith("=")


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")


def to_date(cell: Any) -> dt.date | None:
    """A date cell, or text written 2025-07-31, 2025/7/31, 2025.07.31, 20250731, 2025年7月31日."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    value = text(cell)
    if not value:
        return None
    if _is_formula(value):
        raise CellError("formula", value=value[:60])
    match = _DATE.match(value) or _COMPACT_DATE.match(value)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise CellError("date_invalid", value=value[:60])


def to_month(cell: Any) -> dt.date | None:
    """The first day of a month: a date cell, or 2025-07, 2025/7, 202507, 2025年7月, a full date."""
    if isinstance(cell, dt.date):
        day = cell.date() if isinstance(cell, dt.datetime) else cell
        return day.replace(day=1)
    value = text(cell)
    if not value:
        return None
    if _is_formula(value):
        raise CellError("formula", value=value[:60])
    match = _MONTH.match(value) or _COMPACT_MONTH.match(value)
    if match and 1 <= int(match[2]) <= 12:
        return dt.date(int(match[1]), int(match[2]), 1)
    try:
        full = to_date(value)
    except CellError:
        raise CellError("month_invalid", value=value[:60]) from None
    return full.replace(day=1) if full else None


def to_int(cell: Any) -> int | None:
    """A whole number: a number cell or text with optional thousands separators (1,200)."""
    if isinstance(cell, bool):
        raise CellError("number_invalid", value=text(cell))
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if cell.is_integer():
            return int(cell)
        raise CellError("number_invalid", value=text(cell))
    value = text(cell)
    if not value:
        return None
    if _is_formula(value):
        raise CellError("formula", value=value[:60])
    cleaned = value.replace(",", "").replace("，", "").replace(" ", "")
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    if re.fullmatch(r"[+-]?\d+", cleaned):
        return int(cleaned)
    raise CellError("number_invalid", value=value[:60])


# The largest amount a money column stores (``max_digits=12, decimal_places=2``).
MAX_AMOUNT = Decimal("9999999999.99")
_CURRENCY = re.compile(r"^[¥￥]|(元|rmb|cny)$", re.IGNORECASE)


def to_decimal(cell: Any) -> Decimal | None:
    """An amount of money: a number cell or text like 1200, 1,200.50, ¥12.5, 12.50元; at most two
    decimals and ``MAX_AMOUNT``."""
    if isinstance(cell, bool):
        raise CellError("amount_invalid", value=text(cell))
    if isinstance(cell, int):
        value = Decimal(cell)
    elif isinstance(cell, float):
        value = Decimal(repr(cell))
    elif isinstance(cell, Decimal):
        value = cell
    else:
        raw = text(cell)
        if not raw:
            return None
        if _is_formula(raw):
            raise CellError("formula", value=raw[:60])
        cleaned = _CURRENCY.sub("", raw.replace(",", "").replace("，", "").replace(" ", "")).strip()
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise CellError("amount_invalid", value=raw[:60]) from None
    if not value.is_finite() or abs(value) > MAX_AMOUNT or value != value.quantize(Decimal("0.01")):
        raise CellError("amount_invalid", value=text(cell)[:60])
    return value.quantize(Decimal("0.01"))


def checked_text(cell: Any, column: Column) -> str:
    value = text(cell)
    if column.max_length is not None and len(value) > column.max_length:
        raise CellError("too_long", limit=column.max_length)
    return value
