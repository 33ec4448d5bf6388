"""Requests per minute per caller (API key, or user for session calls), in Django's cache.

A fixed one-minute window counted by ``core.throttle.throttle_hit`` (``cache.add`` +
``cache.incr``: atomic on Redis, and on the local-memory cache within one process). Over the
limit: 429 with ``Retry-After`` seconds. Every answer to a counted call says where the caller
stands, in the IETF draft's headers (draft-ietf-httpapi-ratelimit-headers, as GitHub's and
others' ``X-RateLimit-*``): ``RateLimit-Limit`` (the calls of a window), ``RateLimit-Remaining``
(left in this one) and ``RateLimit-Reset`` (seconds until it ends), written by ``add_rate_limit_headers`` (``edge.py``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from aftersales.core.throttle import throttle_hit

from .caller import Caller
from .problems import ApiProblem

WINDOW_SECONDS = 60
REQUEST_ATTRIBUTE = "_api_rate_limit"


@dataclass(frozen=True)
class RateLimitState:
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


def limit_for(caller: Caller) -> int:
    if caller.key is not None and caller.key.rate_limit_per_minute:
        return int(caller.key.rate_limit_per_minute)
    return int(settings.API_RATE_LIMIT_PER_MINUTE)


def check_rate_limit(caller: Caller, *, request: HttpRequest | None = None, now: float | None = None) -> None:
    """Count this request; raise a 429 problem when the caller is over its limit (the counter:
    ``core.throttle``, shared with the staff pages' lookups). The state is kept on ``request``
    for the answer's headers (``rate_limit_headers``)."""
    limit = limit_for(caller)
    if limit <= 0:  # 0 switches limiting off (not for production)
        return
    moment = time.time() if now is None else now
    result = throttle_hit(key=f"api:{caller.rate_limit_id}", limit=limit, window_seconds=WINDOW_SECONDS, now=moment)
    reset = max(1, math.ceil((moment // WINDOW_SECONDS + 1) * WINDOW_SECONDS - moment))
    state = RateLimitState(limit=limit, remaining=max(0, limit - result.count), reset_seconds=reset)
    if request is not None:
        setattr(request, REQUEST_ATTRIBUTE, state)
    if not result.allowed:
        retry_after = result.retry_after
        raise ApiProblem(
            429,
            _("Too many requests: at most %(limit)d per minute. Try again in %(seconds)d s.")
            % {"limit": limit, "seconds": retry_after},
            code="rate_limited",
            headers={"Retry-After": str(retry_after), **state.headers()},
        )


def add_rate_limit_headers(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """The caller's standing on ``response``, when this request was counted."""
    state: RateLimitState | None = getattr(request, REQUEST_ATTRIBUTE, None)
    if state is not None:
        for name, value in state.headers().items():
            response[name] = value
    return response
