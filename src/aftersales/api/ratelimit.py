"""Requests per minute per caller (API key, or user for session calls), in Django's cache.

A fixed one-minute window counted with ``cache.add`` + ``cache.incr`` (atomic on Redis, and on
the local-memory cache within one process). Over the limit: 429 with ``Retry-After`` seconds.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .caller import Caller
from .problems import ApiProblem

WINDOW_SECONDS = 60


def limit_for(caller: Caller) -> int:
    if caller.key is not None and caller.key.rate_limit_per_minute:
        return int(caller.key.rate_limit_per_minute)
    return int(settings.API_RATE_LIMIT_PER_MINUTE)


def check_rate_limit(caller: Caller, *, now: float | None = None) -> None:
    """Count this request; raise a 429 problem when the caller is over its limit."""
    limit = limit_for(caller)
    if limit <= 0:  # 0 switches limiting off (not for production)
        return
    moment = time.time() if now is None else now
    window = int(moment // WINDOW_SECONDS)
    cache_key = f"api:rate:{caller.rate_limit_id}:{window}"
    if cache.add(cache_key, 1, timeout=WINDOW_SECONDS + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
    if count > limit:
        retry_after = max(1, int((window + 1) * WINDOW_SECONDS - moment + 0.999))
        raise ApiProblem(
            429,
            _("Too many requests: at most %(limit)d per minute. Try again in %(seconds)d s.")
            % {"limit": limit, "seconds": retry_after},
            code="rate_limited",
            headers={"Retry-After": str(retry_after)},
        )
