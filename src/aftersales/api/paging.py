"""Keyset pagination on the primary key, with opaque cursors (the work-order and stock lists).

A cursor is the last key of the page, base64url-encoded; a cursor that does not decode is a 422
naming the ``cursor`` parameter."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed

from .selectors import Page

CURSOR_ERROR = _("This cursor is not valid; start from the first page.")


def encode_cursor(value: str | int) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def decode_cursor(value: str) -> str:
    try:
        return base64.urlsafe_b64decode((value + "=" * (-len(value) % 4)).encode()).decode()
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ValidationFailed({"cursor": [CURSOR_ERROR]}, code="cursor_invalid") from None


def _int_cursor(value: str) -> int:
    text = decode_cursor(value)
    if not text.isdigit():
        raise ValidationFailed({"cursor": [CURSOR_ERROR]}, code="cursor_invalid")
    return int(text)


def page_by_id(qs: QuerySet[Any], *, cursor: str | None, limit: int, descending: bool = True) -> Page[Any]:
    """Keyset pagination on the primary key (newest first unless ``descending`` is false)."""
    qs = qs.order_by("-id" if descending else "id")
    if cursor:
        after = _int_cursor(cursor)
        qs = qs.filter(id__lt=after) if descending else qs.filter(id__gt=after)
    rows = list(qs[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return Page(rows=rows[:limit], next_cursor=next_cursor)
