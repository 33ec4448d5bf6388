"""Shared pieces of the routers: documented problem responses and common header parameters."""

from typing import Any

from ..schemas import Problem


def problems(*codes: int) -> dict[int, Any]:
    """Every operation documents 401 (no or bad credentials), 429 (rate limit) and these codes."""
    return dict.fromkeys(sorted({401, 429, *codes}), Problem)
