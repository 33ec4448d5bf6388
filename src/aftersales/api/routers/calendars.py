"""API v1: business calendars (administrators and supervisors read; administrators write).

``GET /calendars`` lists every calendar with the state of this year and the next;
``GET /calendars/{id}/years/{year}`` gives a year's days off on working weekdays and its make-up
workdays, each with its source; ``PUT /calendars/{id}/years/{year}`` enters the year's official
schedule, either as the State Council's notice (the text, read as on the page) or as a list of
days (an HR system's own feed). A PUT replaces the year's schedule, so repeating it is harmless.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Path, Router, Schema
from pydantic import Field

from aftersales.core import clock as system_clock
from aftersales.core.errors import ValidationFailed
from aftersales.sla.calendar_selectors import YearView, calendar_year_view, calendars_overview, holiday_language
from aftersales.sla.models import ScheduleSource
from aftersales.sla.notice import MAX_NOTICE_CHARS, NoticeDay, parse_notice
from aftersales.sla.services.calendars import FIRST_YEAR, LAST_YEAR, calendar_enter_year

from ..models import Scope
from .common import MAX_ID, problems, staff_caller

router = Router(tags=["Calendars"])

CalendarId = Annotated[int, Path(ge=1, le=MAX_ID)]
Year = Annotated[int, Path(ge=FIRST_YEAR, le=LAST_YEAR)]


class YearStateOut(Schema):
    year: int
    state: str = Field(
        description="package (the holiday package knows it), entered, assumed (statutory holidays only), weekdays (no Chinese holidays), always (24×7)."
    )
    label: str
    entered_at: dt.datetime | None = None
    entered_by: str = ""


class CalendarOut(Schema):
    id: int
    name: str
    timezone: str
    chinese_holidays: bool
    is_24x7: bool
    policies: list[str] = Field(description="The active service levels counted on it.")
    years: list[YearStateOut]


class DayOut(Schema):
    date: dt.date
    workday: bool
    name: str
    source: str = Field(description="schedule (entered with the year), hand (one day entered), package, statutory.")


class YearOut(YearStateOut):
    calendar: int
    days: list[DayOut]


class DayIn(Schema):
    date: dt.date
    workday: bool = Field(description="true: a make-up workday; false: a day off.")
    name: str = Field("", max_length=64)


class ScheduleIn(Schema):
    notice: str = Field("", max_length=MAX_NOTICE_CHARS, description="The notice's items as published; or send days.")
    days: list[DayIn] = Field(default_factory=list, max_length=120)


def _state_out(status: Any) -> dict[str, Any]:
    record = status.record
    return {
        "year": status.year,
        "state": status.state,
        "label": status.label,
        "entered_at": record.entered_at if record else None,
        "entered_by": str(record.entered_by or "") if record else "",
    }


def _year_out(view: YearView) -> YearOut:
    return YearOut(
        calendar=view.calendar.pk,
        days=[DayOut(date=line.date, workday=line.is_workday, name=line.name, source=line.source) for line in view.lines],
        **_state_out(view.status),
    )


@router.get("/calendars", response={200: list[CalendarOut], **problems(403)}, summary="Business calendars and their years")
def list_calendars(request: HttpRequest) -> Any:
    caller = staff_caller(request, Scope.CALENDARS_READ)
    rows = calendars_overview(user=caller.user, today=system_clock.local_today())
    return [
        CalendarOut(
            id=row.calendar.pk,
            name=row.calendar.name,
            timezone=row.calendar.timezone,
            chinese_holidays=row.calendar.uses_chinese_holidays,
            is_24x7=row.calendar.is_24x7,
            policies=row.policies,
            years=[YearStateOut(**_state_out(y)) for y in row.years],
        )
        for row in rows
    ]


@router.get(
    "/calendars/{calendar_id}/years/{year}",
    response={200: YearOut, **problems(403, 404)},
    summary="A year of a calendar: its days off on working weekdays and its make-up workdays, with their sources",
)
def get_calendar_year(request: HttpRequest, calendar_id: CalendarId, year: Year) -> Any:
    caller = staff_caller(request, Scope.CALENDARS_READ)
    return _year_out(calendar_year_view(user=caller.user, calendar_id=calendar_id, year=year, language=holiday_language()))


@router.put(
    "/calendars/{calendar_id}/years/{year}",
    response={200: YearOut, **problems(403, 404, 422)},
    summary="Enter a year's official schedule: the State Council's notice or a list of days (replaces the year's)",
)
def put_calendar_year(request: HttpRequest, calendar_id: CalendarId, year: Year, payload: ScheduleIn) -> Any:
    caller = staff_caller(request, Scope.CALENDARS_WRITE)
    if bool(payload.notice.strip()) == bool(payload.days):
        raise ValidationFailed(
            {"notice": [_("Send either the notice or the days, not both and not neither.")]}, code="schedule_input"
        )
    if payload.notice.strip():
        notice = parse_notice(payload.notice, year=year)
        if not notice.ok:
            raise ValidationFailed(
                {"notice": [_("Line %(line)s: %(message)s") % {"line": p.line, "message": p.message} for p in notice.problems]},
                code="notice_unreadable",
            )
        days, source, text = notice.days, ScheduleSource.NOTICE, payload.notice
    else:
        days = [NoticeDay(date=d.date, is_workday=d.workday, name=d.name) for d in payload.days]
        source, text = ScheduleSource.API, ""
    calendar_enter_year(actor=caller.user, calendar_id=calendar_id, year=year, days=days, source=source, notice=text)
    return _year_out(calendar_year_view(user=caller.user, calendar_id=calendar_id, year=year, language=holiday_language()))
