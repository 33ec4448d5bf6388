"""Business-time arithmetic: pure functions over a ``BusinessCalendar`` value.

No database and no clock here: the services build a ``BusinessCalendar`` from the stored
``Calendar`` and its ``CalendarDay`` overrides and pass instants in; these functions answer.

Which days are workdays, in this order (the first that answers wins):

1. an administrator's override for that date (``CalendarDay``: a holiday or a make-up workday);
2. the ``chinesecalendar`` package, when the calendar uses Chinese public holidays: it knows the
   State Council's holidays and the make-up workdays (调休) for the years it was released for;
3. for a year the package does not know yet, the **statutory** public holidays of that year
   (《全国年节及纪念日放假办法》: New Year's Day, the Spring Festival's eve and first three days,
   Qingming, Labour Day's two days, Dragon Boat, Mid-Autumn, National Day's three days), dated
   by the ``holidays`` package (the lunar calendar's holidays move every year). They are days off
   whatever the State Council's schedule adds; its bridge days and make-up workdays are not
   known until the administrator enters them (``sla/notice.py`` reads the published notice);
4. otherwise: a day is a workday when its weekday has working hours.

For a year the package does not know, a warning is logged once per year; the calendars page
(``/sla/calendars/``) and the administrator's overview say which calendar lacks which year, and
the administrator pastes the State Council's notice there (or the project upgrades
``chinesecalendar`` once a release knows the year).

A make-up workday falls on a weekday without working hours (a Saturday or Sunday): it uses the
hours of the first weekday that has some (Monday, normally).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

logger = logging.getLogger(__name__)

Hours = Sequence[tuple[dt.time, dt.time]]
# Far enough for any target (years of business time); a calendar with no working day at all
# would otherwise loop for ever.
MAX_DAYS = 3 * 366


class NoWorkingTime(ValueError):
    """The calendar has no working time within ``MAX_DAYS``: no deadline can be computed."""


@dataclass(frozen=True)
class BusinessCalendar:
    """What the arithmetic needs to know about one calendar.

    ``hours`` maps weekday (0 = Monday) to the day's working intervals in local time, in order and
    not overlapping; a missing or empty weekday is a day off. ``overrides`` maps a date to True
    (a workday) or False (a day off). ``always_open`` means 24×7: every instant counts.
    """

    tz: ZoneInfo
    hours: Mapping[int, Hours] = field(default_factory=dict)
    overrides: Mapping[dt.date, bool] = field(default_factory=dict)
    chinese_holidays: bool = False
    always_open: bool = False


def parse_hours(value: Mapping[str, Sequence[Sequence[str]]]) -> dict[int, list[tuple[dt.time, dt.time]]]:
    """``{"0": [["09:00", "18:00"]], …}`` (weekday → intervals) into times; raises ValueError."""
    result: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for key, intervals in value.items():
        weekday = int(key)
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {key!r} is not 0–6")
        parsed = []
        for start, end in intervals:
            begin, finish = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
            if begin >= finish:
                raise ValueError(f"{start}–{end} does not end after it starts")
            parsed.append((begin, finish))
        parsed.sort()
        for (_, first_end), (second_start, _) in itertools.pairwise(parsed):
            if second_start < first_end:
                raise ValueError("working intervals overlap")
        if parsed:
            result[weekday] = parsed
    return result


@lru_cache(maxsize=64)
def _warn_unknown_year(year: int) -> None:
    logger.warning(
        "chinesecalendar has no data for %s: counting weekends and the statutory holidays only, plus the "
        "administrator's calendar days. Enter %s's schedule (the State Council's notice) on /sla/calendars/.",
        year,
        year,
    )


@lru_cache(maxsize=8192)
def package_is_workday(day: dt.date) -> bool | None:
    """What ``chinesecalendar`` says about ``day``; None for a year it does not know. The
    package's data is fixed for the process (it changes with a package upgrade, i.e. a restart),
    so the answer is cached per day: business-time arithmetic asks it for every day it walks
    (133,000 calls, 4.6 s, in one demo load before the cache)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return None


def package_holiday_name(day: dt.date, language: str = "zh_CN") -> str:
    """The holiday a day off or a make-up workday of the package belongs to ("" if none)."""
    try:
        _off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    if not name:
        return ""
    holiday = chinese_calendar.Holiday(name)
    return str(holiday.chinese) if language.startswith("zh") else str(holiday.value)


def package_knows_year(year: int) -> bool:
    """Whether ``chinesecalendar`` holds the State Council's schedule for ``year``."""
    return package_is_workday(dt.date(year, 6, 1)) is not None


@lru_cache(maxsize=64)
def statutory_holidays(year: int, language: str = "zh_CN") -> dict[dt.date, str]:
    """The statutory public holidays of ``year`` by date, named in ``language`` (``zh_CN`` or
    ``en_US``): the days the law gives, without the days a yearly schedule moves or bridges.
    The package is imported on first use only (it loads every country's rules: 0.1 s)."""
    from holidays.countries.china import China  # heavy (every country), needed for unknown years only

    return dict(sorted(China(years=year, observed=False, language=language).items()))


def is_workday(cal: BusinessCalendar, day: dt.date) -> bool:
    """Whether ``day`` is a working day on ``cal`` (see the module docstring for the order)."""
    if cal.always_open:
        return True
    if day in cal.overrides:
        return cal.overrides[day]
    if cal.chinese_holidays:
        known = package_is_workday(day)
        if known is not None:
            return known
        if day in statutory_holidays(day.year):
            return False
    return bool(cal.hours.get(day.weekday()))


def day_hours(cal: BusinessCalendar, day: dt.date) -> Hours:
    """The working intervals of ``day`` in local time; empty on a day off."""
    if not is_workday(cal, day):
        return ()
    own = cal.hours.get(day.weekday())
    if own:
        return own
    # A make-up workday on a weekend: a normal day's hours.
    for weekday in range(7):
        if cal.hours.get(weekday):
            return cal.hours[weekday]
    return ()


def _intervals(cal: BusinessCalendar, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    return [
        (dt.datetime.combine(day, start, tzinfo=cal.tz), dt.datetime.combine(day, end, tzinfo=cal.tz))
        for start, end in day_hours(cal, day)
    ]


def add_business_time(cal: BusinessCalendar, start: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """The instant when ``delta`` of working time has passed on ``cal`` since ``start``.

    A zero delta started outside working hours gives ``start`` itself. The result is aware, in
    the calendar's zone. Raises ``NoWorkingTime`` when the calendar has no working time ahead.
    """
    if start.tzinfo is None:
        raise ValueError("start must be aware")
    if cal.always_open or delta <= dt.timedelta(0):
        return (start + max(delta, dt.timedelta(0))).astimezone(cal.tz)
    local = start.astimezone(cal.tz)
    remaining = delta
    day = local.date()
    for _ in range(MAX_DAYS):
        for begin, end in _intervals(cal, day):
            if end <= local:
                continue
            begin = max(begin, local)
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += dt.timedelta(days=1)
    raise NoWorkingTime(f"no working time within {MAX_DAYS} days of {start.isoformat()}")


def business_time_between(cal: BusinessCalendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time on ``cal`` from ``start`` to ``end`` (zero when ``end`` is not after ``start``)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("instants must be aware")
    if end <= start:
        return dt.timedelta(0)
    if cal.always_open:
        return end - start
    local_start, local_end = start.astimezone(cal.tz), end.astimezone(cal.tz)
    total = dt.timedelta(0)
    day = local_start.date()
    while day <= local_end.date():
        for begin, finish in _intervals(cal, day):
            overlap = min(finish, local_end) - max(begin, local_start)
            if overlap > dt.timedelta(0):
                total += overlap
        day += dt.timedelta(days=1)
    return total
