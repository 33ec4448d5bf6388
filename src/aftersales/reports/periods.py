"""The periods of a schedule, in the configured zone (Asia/Shanghai): pure functions.

A period is a local day (daily), a week from Monday (weekly) or a calendar month (monthly); its
key is its first day. Its report is due at ``send_time`` on the period's day (the day itself;
the ``weekday`` of the week; ``day_of_month`` of the month, or the month's last day when the
month is shorter). ``latest_due_period`` is the period whose report should exist at ``now``: the
current one once its moment has passed, else the one before (so a run just after midnight still
sends yesterday's report when the run before it came a minute too early).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Schedule:
    frequency: str  # "daily" | "weekly" | "monthly"
    send_time: dt.time
    weekday: int | None = None  # 0 = Monday
    day_of_month: int | None = None  # 1..31


@dataclass(frozen=True)
class Period:
    start: dt.date  # the key: first day of the period
    end: dt.date  # the day after its last day
    due_at: dt.datetime  # aware


def _zone() -> dt.tzinfo:
    return timezone.get_default_timezone()


def period_start(schedule: Schedule, day: dt.date) -> dt.date:
    """The first day of the period containing the local ``day``."""
    if schedule.frequency == "daily":
        return day
    if schedule.frequency == "weekly":
        return day - dt.timedelta(days=day.weekday())
    if schedule.frequency == "monthly":
        return day.replace(day=1)
    raise ValueError(f"unknown frequency {schedule.frequency!r}")


def period_end(schedule: Schedule, start: dt.date) -> dt.date:
    if schedule.frequency == "daily":
        return start + dt.timedelta(days=1)
    if schedule.frequency == "weekly":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def due_day(schedule: Schedule, start: dt.date) -> dt.date:
    if schedule.frequency == "daily":
        return start
    if schedule.frequency == "weekly":
        return start + dt.timedelta(days=schedule.weekday or 0)
    last = calendar.monthrange(start.year, start.month)[1]
    return start.replace(day=min(schedule.day_of_month or 1, last))


def period_of(schedule: Schedule, day: dt.date) -> Period:
    start = period_start(schedule, day)
    at = dt.datetime.combine(due_day(schedule, start), schedule.send_time).replace(tzinfo=_zone())
    return Period(start=start, end=period_end(schedule, start), due_at=at)


def latest_due_period(schedule: Schedule, now: dt.datetime) -> Period:
    """The latest period whose report is due at ``now`` (aware)."""
    local_day = timezone.localtime(now, _zone()).date()
    current = period_of(schedule, local_day)
    if now >= current.due_at:
        return current
    return period_of(schedule, current.start - dt.timedelta(days=1))


def next_due_at(schedule: Schedule, now: dt.datetime) -> dt.datetime:
    """When the next report is due after ``now`` (for the page)."""
    local_day = timezone.localtime(now, _zone()).date()
    current = period_of(schedule, local_day)
    if now < current.due_at:
        return current.due_at
    return period_of(schedule, current.end).due_at
