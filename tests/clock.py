"""A frozen clock for tests: ``freeze_time(moment)`` as a context manager or a decorator.

It is time-machine (C-level patches of the standard library's clock functions). freezegun, used
before, scanned every loaded module for references to ``datetime`` at each start: with Django and
the product loaded that was 20–80 ms per freeze, and tests that create rows at many moments
(the ticket list, the crisis replay) spent most of their time in it.

The moment is read as freezegun read it: a naive datetime or ISO string is UTC (time-machine
would read a naive string as local time), and an aware one is converted to UTC first, so that
the process's time zone is never changed (time-machine mocks it for a ``ZoneInfo`` moment).
"""

from __future__ import annotations

import datetime as dt
from contextlib import ContextDecorator
from types import TracebackType

import time_machine


def _utc(moment: dt.datetime | dt.date | str) -> dt.datetime:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


class FrozenClock:
    """What ``with freeze_time(...) as clock`` gives: the clock can be moved while frozen."""

    def __init__(self, coordinates: time_machine.Coordinates) -> None:
        self._coordinates = coordinates

    def move_to(self, moment: dt.datetime | dt.date | str) -> None:
        self._coordinates.move_to(_utc(moment), tick=False)


class freeze_time(ContextDecorator):
    def __init__(self, moment: dt.datetime | dt.date | str) -> None:
        self._moment = _utc(moment)
        self._travel: time_machine.travel | None = None

    def __enter__(self) -> FrozenClock:
        self._travel = time_machine.travel(self._moment, tick=False)
        return FrozenClock(self._travel.__enter__())

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self._travel is not None
        self._travel.__exit__(exc_type, exc, tb)
        self._travel = None
