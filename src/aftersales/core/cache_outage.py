"""Django's Redis cache, riding out a Redis outage (docs/operations.md, "A Redis outage").

The cache holds nothing that is not also somewhere else: read-through copies of rows (regions,
rules, overviews), the throttles' counters, cached sessions' copies. Django's ``RedisCache``
raises ``redis.ConnectionError`` from every call while Redis is down, and every page that reads
the cache answers 500. ``OutageTolerantRedisCache`` treats an unreachable Redis as an empty cache
that forgets what it is given: a read misses (the caller reads the database), a write is
dropped, ``incr`` finds no key; a warning is logged at most once a minute. Pages are slower for
the outage, not broken; throttles count from zero again (they let requests through rather than
refusing everyone).

It also bounds how long a call may wait for a Redis that does not answer (a cut network rather
than a stopped server): ``socket_connect_timeout`` / ``socket_timeout`` default to 0.5 s / 1 s
unless ``OPTIONS`` sets them.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("aftersales.outage")

REDIS_DOWN: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_SECONDS = 60.0
_last_warning = [0.0]


def _warn(exc: Exception) -> None:
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY_SECONDS:
        _last_warning[0] = now
        logger.warning("the cache (Redis) is unavailable, pages read the database instead: %s", exc)


def _tolerant(when_down: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the cache call; while Redis is down, answer ``when_down(*args, **kwargs)`` instead."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except REDIS_DOWN as exc:
                _warn(exc)
                return when_down(*args, **kwargs)

        return call

    return decorate


def _missing_key(key: Any, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"Key '{key}' not found (the cache is unavailable)")


class OutageTolerantRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, {**params, "OPTIONS": options})

    # add() answers True: "stored", as far as the caller can tell (a throttle counts 1).
    add = _tolerant(lambda *a, **k: True)(RedisCache.add)
    get = _tolerant(lambda key, default=None, *a, **k: default)(RedisCache.get)
    set = _tolerant(lambda *a, **k: None)(RedisCache.set)
    touch = _tolerant(lambda *a, **k: False)(RedisCache.touch)
    delete = _tolerant(lambda *a, **k: False)(RedisCache.delete)
    get_many = _tolerant(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _tolerant(lambda *a, **k: False)(RedisCache.has_key)
    incr = _tolerant(_missing_key)(RedisCache.incr)
    set_many = _tolerant(lambda *a, **k: [])(RedisCache.set_many)
    delete_many = _tolerant(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _tolerant(lambda *a, **k: False)(RedisCache.clear)
