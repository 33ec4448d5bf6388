"""When a survey goes out, is reminded and expires: plain arithmetic on the settings in force.

"The next working day at 10:00" reads the business calendar of the settings (else the seeded
office calendar, else Monday to Friday): the first working day after the day of the resolution,
at the set time in the calendar's time zone; public holidays and make-up workdays count as the
SLA counts them (``sla.calendar.is_workday``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from aftersales.sla.calendar import MAX_DAYS, BusinessCalendar, is_workday
from aftersales.sla.models import Calendar
from aftersales.sla.selectors import calendar_spec

from .config import SurveyConfig
from .models import SendDelay

OFFICE_CALENDAR = "office"  # the seeded calendar's code (sla/seeded.py)
WEEKDAYS = {day: [(dt.time(9), dt.time(18))] for day in range(5)}


def survey_calendar(config: SurveyConfig) -> BusinessCalendar:
    """The calendar the "next working day" is counted on."""
    chosen = Calendar.objects.filter(pk=config.calendar_id).first() if config.calendar_id else None
    chosen = chosen or Calendar.objects.filter(code=OFFICE_CALENDAR).first()
    if chosen is not None:
        return calendar_spec(calendar=chosen)
    return BusinessCalendar(tz=ZoneInfo(settings.TIME_ZONE), hours=WEEKDAYS, chinese_holidays=True)


def next_working_day_at(cal: BusinessCalendar, *, after: dt.datetime, at: dt.time) -> dt.datetime:
    """``at`` on the first working day of ``cal`` after the (local) day of ``after``."""
    day = after.astimezone(cal.tz).date()
    for _ in range(MAX_DAYS):
        day += dt.timedelta(days=1)
        if is_workday(cal, day):
            return dt.datetime.combine(day, at, tzinfo=cal.tz).astimezone(dt.UTC)
    return after  # a calendar without any working day: at once rather than never


def send_at(config: SurveyConfig, *, resolved_at: dt.datetime) -> dt.datetime:
    """When the invitation of a survey for a resolution at ``resolved_at`` goes out."""
    if config.delay == SendDelay.HOURS:
        return resolved_at + dt.timedelta(hours=config.delay_hours)
    if config.delay == SendDelay.NEXT_WORKING_DAY:
        return next_working_day_at(survey_calendar(config), after=resolved_at, at=config.send_time)
    return resolved_at


def expires_at(config: SurveyConfig, *, sent_at: dt.datetime) -> dt.datetime:
    return sent_at + dt.timedelta(days=config.valid_days)


def remind_at(reminder_days: int | None, *, notified_at: dt.datetime, expires: dt.datetime | None) -> dt.datetime | None:
    """The reminder's time, ``reminder_days`` after the invitation; none when it would come
    after the link expired."""
    if not reminder_days:
        return None
    when = notified_at + dt.timedelta(days=reminder_days)
    return None if expires is not None and when >= expires else when
