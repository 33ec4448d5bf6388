"""Riding out a database outage in the long-running processes (the worker and the scheduler).

A web request that meets a broken connection fails alone and the next request opens a new one
(Django closes unusable connections at the end of each request). A loop that never ends a
request must do the same by itself: drop the broken connection, wait, and try again — with a
growing pause, so that a database that is down for minutes is not hammered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from django.db import DatabaseError, InterfaceError, OperationalError, connections

logger = logging.getLogger("aftersales.outage")

# The errors of a database that is down or a connection that broke. Not IntegrityError and the
# like: those are bugs or bad data, and retrying would repeat them.
DATABASE_DOWN: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 30.0
# A run that lasted this long before failing was a recovery: the next outage starts afresh.
HEALTHY_RUN = 60.0

T = TypeVar("T")


def drop_broken_connections() -> None:
    """Close every connection so that the next query opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        with suppress(DatabaseError):  # closing a connection to a server that is gone may fail too
            connection.close()


def pause(seconds: float) -> None:
    time.sleep(seconds)


def run_through_outages(what: str, run: Callable[[], T]) -> T:
    """Call ``run`` until it returns; when the database is down, wait and call it again."""
    wait = FIRST_PAUSE
    while True:
        started = time.monotonic()
        try:
            return run()
        except DATABASE_DOWN as exc:
            if time.monotonic() - started >= HEALTHY_RUN:
                wait = FIRST_PAUSE
            logger.warning("%s: the database is unavailable (%s); trying again in %.0f s", what, exc, wait)
            drop_broken_connections()
            pause(wait)
            wait = min(wait * 2, LONGEST_PAUSE)
