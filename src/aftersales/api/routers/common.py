"""Shared pieces of the routers: the documented problem responses, the Idempotency-Key header,
the staff-only caller and the paging limits."""

from typing import Any

from django.http import HttpRequest
from ninja import Header

from ..auth import caller_of
from ..schemas import Problem

MAX_PAGE_SIZE = 100
MAX_ID = 2**31 - 1
IDEMPOTENCY_DOC = "Retry safely: the same key and body return the first response; another body with the key is a 409."


def idempotency_header() -> Any:
    """The optional ``Idempotency-Key`` header of a create or state change."""
    return Header(None, alias="Idempotency-Key", min_length=1, max_length=128, description=IDEMPOTENCY_DOC)


def staff_caller(request: HttpRequest, scope: str) -> Any:
    """The authenticated caller holding ``scope``, refused unless it acts for staff."""
    caller = caller_of(request, scope)
    caller.require_staff()
    return caller


def problems(*codes: int) -> dict[int, Any]:
    """Every operation documents 400 (unreadable request), 401 (no or bad credentials), 422
    (invalid parameters), 429 (rate limit) and these codes."""
    return dict.fromkeys(sorted({400, 401, 422, 429, *codes}), Problem)
