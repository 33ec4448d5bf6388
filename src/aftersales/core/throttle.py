"""A fixed-window counter in Django's cache: at most N hits per window per key.

The one throttle of the project: the API's per-caller limit (``api/ratelimit.py``) and the staff
pages' lookups (``tickets.views.customer_lookup``) count with it. ``cache.add`` + ``cache.incr``
are atomic on Redis (production) and within one process on the local-memory cache.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class ThrottleResult:
    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the window ends (0 when allowed)


def throttle_hit(*, key: str, limit: int, window_seconds: int = 60, now: float | None = None) -> ThrottleResult:
    """Count one hit for ``key``; ``allowed`` is false once more than ``limit`` hits fell into
    the current window. ``limit <= 0`` switches counting off."""
    if limit <= 0:
        return ThrottleResult(allowed=True, count=0, limit=limit, retry_after=0)
    moment = time.time() if now is None else now
    window = int(moment // window_seconds)
    cache_key = f"throttle:{key}:{window_seconds}:{window}"
    if cache.add(cache_key, 1, timeout=window_seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window_seconds + 5)
            count = 1
    if count <= limit:
        return ThrottleResult(allowed=True, count=count, limit=limit, retry_after=0)
    retry_after = max(1, int((window + 1) * window_seconds - moment + 0.999))
    return ThrottleResult(allowed=False, count=count, limit=limit, retry_after=retry_after)
