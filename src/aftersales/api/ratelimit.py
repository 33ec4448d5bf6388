"""Requests per minute per caller (API key, or user for session calls), in Django's cache.

A fixed one-minute window counted by ``core.throttle.throttle_hit`` (``cache.add`` +
``cache.incr``: atomic on Redis, and on the local-memory cache within one process). Over the limit: 429 with ``Retry-After`` seconds.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftersales.core.throttle import throttle_hit

from .caller import Caller
from .problems import ApiProblem

WINDOW_SECONDS = 60


def limit_for(caller: Caller) -> int:
    if caller.key is not None and caller.key.rate_limit_per_minute:
        return int(caller.key.rate_limit_per_minute)
    return int(settings.API_RATE_LIMIT_PER_MINUTE)


def check_rate_limit(caller: Caller, *, now: float | None = None) -> None:
    """Count this request; raise a 429 problem when the caller is over its limit (the counter:
    ``core.throttle``, shared with the staff pages' lookups)."""
    limit = limit_for(caller)
    if limit <= 0:  # 0 switches limiting off (not for production)
        return
    result = throttle_hit(key=f"api:{caller.rate_limit_id}", limit=limit, window_seconds=WINDOW_SECONDS, now=now)
    if not result.allowed:
        retry_after = result.retry_after
        raise ApiProblem(
            429,
            _("Too many requests: at most %(limit)d per minute. Try again in %(seconds)d s.")
            % {"limit": limit, "seconds": retry_after},
            code="rate_limited",
            headers={"Retry-After": str(retry_after)},
        )
