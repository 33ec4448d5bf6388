"""Where the demo's open tickets stand on their SLA clocks: spread around "now", as in a real
service department on an ordinary day.

Most open tickets are on track, some fall due within hours, a few are past their deadline, and
tickets waiting for the customer or for parts have their clocks paused. The demo cannot simply
pick registration times at random (most open tickets would be long overdue); it picks, for each
open ticket, how much of its tightest running clock's target it has used, and then works out
when the ticket must have been registered for its story to end there (``stories`` plays it).

Everything here is pure: business time on the ticket's SLA calendar, no database.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
from dataclasses import dataclass

from aftersales.sla.calendar import MAX_DAYS, BusinessCalendar, NoWorkingTime, day_hours

# A running resolution clock "on track" leaves at least this much working time, so it is not due
# within 24 clock hours (on the office calendar 11 working hours reach past the next morning),
# and has not reached its warning.
ON_TRACK_MARGIN = dt.timedelta(hours=11)
ON_TRACK_MARGIN_24X7 = dt.timedelta(hours=25)
ON_TRACK_MAX_SHARE = 0.7  # the policies warn at 75 %
DUE_SOON_SHARE = (0.8, 0.95)  # warned, due within hours (never minutes: the demo must still show them)
BREACHED_SHARE = (1.1, 1.5)  # past the deadline by a tenth to a half of the target
# On a 24×7 clock "due soon" means due within this many clock hours (a few hours' notice).
DUE_SOON_HOURS_24X7 = (1.5, 6.0)


class Standing(enum.StrEnum):
    """Where a ticket's tightest running clock stands when the demo is loaded."""

    FRESH = "fresh"  # just registered (the last hour and a half)
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    BREACHED = "breached"


@dataclass(frozen=True)
class Target:
    """The working time a ticket has used of its clock: ``share`` of ``minutes``."""

    standing: Standing
    share: float
    minutes: int

    @property
    def used(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.share * self.minutes)


def business_before(cal: BusinessCalendar, end: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """The instant ``delta`` of working time before ``end`` on ``cal`` (``add_business_time``
    backwards): the earliest start from which ``delta`` of working time has passed at ``end``."""
    if end.tzinfo is None:
        raise ValueError("end must be aware")
    if cal.always_open:
        return (end - max(delta, dt.timedelta(0))).astimezone(cal.tz)
    local = end.astimezone(cal.tz)
    remaining = max(delta, dt.timedelta(0))
    day = local.date()
    for _ in range(MAX_DAYS):
        intervals = [
            (dt.datetime.combine(day, start, tzinfo=cal.tz), dt.datetime.combine(day, finish, tzinfo=cal.tz))
            for start, finish in day_hours(cal, day)
        ]
        for begin, finish in reversed(intervals):
            if begin >= local:
                continue
            finish = min(finish, local)
            available = finish - begin
            if remaining <= available:
                return finish - remaining
            remaining -= available
        day -= dt.timedelta(days=1)
    raise NoWorkingTime(f"no working time within {MAX_DAYS} days before {end.isoformat()}")


def draw_target(
    rng: random.Random,
    *,
    standing: Standing,
    minutes: int,
    share_range: tuple[float, float],
    always_open: bool,
    resolution: bool,
) -> Target:
    """How much of a clock of ``minutes`` a ticket in ``standing`` has used.

    ``share_range`` is the ticket's status's usual range when on track; ``resolution`` says the
    clock is the resolution clock (then "on track" also keeps it more than a day from its due time).
    """
    if standing == Standing.FRESH:
        return Target(standing, 0.0, minutes)
    if standing == Standing.BREACHED:
        return Target(standing, rng.uniform(*BREACHED_SHARE), minutes)
    if standing == Standing.DUE_SOON:
        if always_open:
            hours = rng.uniform(*DUE_SOON_HOURS_24X7)
            return Target(standing, max(1 - hours * 60 / minutes, 0.5), minutes)
        return Target(standing, rng.uniform(*DUE_SOON_SHARE), minutes)
    high = min(share_range[1], ON_TRACK_MAX_SHARE)
    if resolution:
        margin = ON_TRACK_MARGIN_24X7 if always_open else ON_TRACK_MARGIN
        high = min(high, 1 - margin / dt.timedelta(minutes=minutes))
    low = min(share_range[0], high)
    return Target(standing, rng.uniform(max(low, 0.0), max(high, 0.0)), minutes)
