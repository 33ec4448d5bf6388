"""Shared pieces of the routers: the documented problem responses."""

from typing import Any

from ..schemas import Problem


def problems(*codes: int) -> dict[int, Any]:
    """Every operation documents 400 (unreadable request), 401 (no or bad credentials), 422
    (invalid parameters), 429 (rate limit) and these codes."""
    return dict.fromkeys(sorted({400, 401, 422, 429, *codes}), Problem)
