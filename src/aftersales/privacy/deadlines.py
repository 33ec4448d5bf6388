"""When a personal data request must be answered: within ``PRIVACY_ANSWER_DAYS`` (15) **working
days**, the limit of 《App违法违规收集使用个人信息行为认定方法》 (a request to copy, correct or
delete personal information answered within the promised time, at most 15 working days).

Working days are those of the product's Chinese business calendar (the SLA's seeded "office"
calendar: Chinese public holidays and the make-up workdays of 调休, plus the administrator's own
calendar days; ``sla.calendar.is_workday``); without it, Monday to Friday with the Chinese
holidays. As periods are counted in days (《民法典》第二百零一条), the day the request came is not
counted: the answer is due at the end (23:59:59, local) of the N-th working day after it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from aftersales.sla.calendar import MAX_DAYS, BusinessCalendar, NoWorkingTime, is_workday
from aftersales.sla.models import Calendar
from aftersales.sla.selectors import calendar_spec

OFFICE_CALENDAR = "office"  # the seeded calendar's code (sla/seeded.py)
WEEKDAYS = {day: [(dt.time(9), dt.time(18))] for day in range(5)}
END_OF_DAY = dt.time(23, 59, 59)


def answer_days() -> int:
    """Working days to answer a request (PRIVACY_ANSWER_DAYS, default 15)."""
    return int(getattr(settings, "PRIVACY_ANSWER_DAYS", 15))


def privacy_calendar() -> BusinessCalendar:
    """The calendar the working days are counted on: the office calendar, else Mon–Fri with the
    Chinese public holidays and make-up workdays."""
    office = Calendar.objects.filter(code=OFFICE_CALENDAR).first()
    if office is not None:
        return calendar_spec(calendar=office)
    return BusinessCalendar(tz=ZoneInfo(settings.TIME_ZONE), hours=WEEKDAYS, chinese_holidays=True)


def add_working_days(cal: BusinessCalendar, start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local) of the ``days``-th working day of ``cal`` after the local day of
    ``start`` (that day itself not counted); ``days`` 0: the end of that day. Aware, in the
    calendar's zone. Raises ``NoWorkingTime`` for a calendar without enough working days."""
    if start.tzinfo is None:
        raise ValueError("start must be aware")
    day = start.astimezone(cal.tz).date()
    remaining = max(days, 0)
    for _ in range(MAX_DAYS):
        if remaining == 0:
            return dt.datetime.combine(day, END_OF_DAY, tzinfo=cal.tz)
        day += dt.timedelta(days=1)
        if is_workday(cal, day):
            remaining -= 1
    raise NoWorkingTime(f"fewer than {days} working days within {MAX_DAYS} days of {start.isoformat()}")


def answer_due(*, received_at: dt.datetime, cal: BusinessCalendar | None = None) -> dt.datetime:
    """When a request received at ``received_at`` must be answered (``answer_days`` working days)."""
    calendar = cal or privacy_calendar()
    try:
        return add_working_days(calendar, received_at, answer_days())
    except NoWorkingTime:  # a calendar with no working day: calendar days rather than no deadline
        return received_at + dt.timedelta(days=answer_days())
