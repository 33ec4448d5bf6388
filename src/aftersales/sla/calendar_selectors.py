"""Reads of the business calendars for their pages and the API: which years each calendar knows
and from where, a year's days off and make-up workdays with the source of each, and which
calendars still lack a year's official schedule (the administrator's overview warns of them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import NotFound, PermissionDenied

from .calendar import package_holiday_name, package_is_workday, package_knows_year, statutory_holidays
from .models import Calendar, CalendarDay, CalendarYear, SlaPolicy

# From this month on, next year's schedule is looked for too (the State Council publishes it in
# late October or November).
NEXT_YEAR_FROM_MONTH = 11


class YearState:
    PACKAGE = "package"  # the chinesecalendar package knows the year
    ENTERED = "entered"  # an administrator entered the State Council's schedule
    ASSUMED = "assumed"  # statutory holidays only: the bridge days and make-up workdays are unknown
    WEEKDAYS = "weekdays"  # a calendar without Chinese holidays: its weekdays and its own days
    ALWAYS = "always"  # 24×7: every hour counts, no holidays


STATE_LABELS = {
    YearState.PACKAGE: _("published schedule (holiday package)"),
    YearState.ENTERED: _("published schedule (entered)"),
    YearState.ASSUMED: _("not entered yet: statutory holidays only"),
    YearState.WEEKDAYS: _("working hours and the days entered"),
    YearState.ALWAYS: _("every hour of every day"),
}


@dataclass(frozen=True)
class YearStatus:
    year: int
    state: str
    record: CalendarYear | None = None

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def needs_schedule(self) -> bool:
        return self.state == YearState.ASSUMED


@dataclass(frozen=True)
class CalendarRow:
    calendar: Calendar
    policies: list[str]  # their names as stored (the API's)
    years: list[YearStatus]
    policy_labels: list[str] = field(default_factory=list)  # as pages show them (``SlaPolicy.label``)

    @property
    def needs_schedule(self) -> list[YearStatus]:
        return [y for y in self.years if y.needs_schedule]


@dataclass(frozen=True)
class DayLine:
    date: dt.date
    is_workday: bool
    name: str
    source: str  # "schedule", "hand", "package", "statutory"
    entry: CalendarDay | None = None

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS[self.source])


SOURCE_LABELS = {
    "schedule": _("entered schedule"),
    "hand": _("entered by hand"),
    "package": _("holiday package"),
    "statutory": _("statutory holiday (assumed)"),
}


@dataclass
class YearView:
    calendar: Calendar
    year: int
    status: YearStatus
    lines: list[DayLine] = field(default_factory=list)

    @property
    def days_off(self) -> list[DayLine]:
        return [line for line in self.lines if not line.is_workday]

    @property
    def workdays(self) -> list[DayLine]:
        return [line for line in self.lines if line.is_workday]


def holiday_language() -> str:
    """The language the holiday names are given in: the reader's (``zh_CN`` or ``en_US``)."""
    return "zh_CN" if (get_language() or "zh-hans").startswith("zh") else "en_US"


def can_read_calendars(user: User) -> bool:
    """Administrators change calendars; supervisors read them (their teams' deadlines hang on them)."""
    return bool(
        user.is_authenticated
        and not user.is_customer
        and (user.is_superuser or user.role in (Role.ADMINISTRATOR, Role.SUPERVISOR))
    )


def require_calendar_reader(user: User) -> None:
    if not can_read_calendars(user):
        raise PermissionDenied(_("Only administrators and supervisors see business calendars."), code="calendars_not_allowed")


def years_of_interest(today: dt.date) -> list[int]:
    """This year, and next year from November on."""
    return [today.year, today.year + 1] if today.month >= NEXT_YEAR_FROM_MONTH else [today.year]


def year_status(calendar: Calendar, year: int, records: dict[int, CalendarYear]) -> YearStatus:
    if calendar.is_24x7:
        return YearStatus(year, YearState.ALWAYS)
    if not calendar.uses_chinese_holidays:
        return YearStatus(year, YearState.WEEKDAYS, records.get(year))
    if year in records:
        return YearStatus(year, YearState.ENTERED, records[year])
    if package_knows_year(year):
        return YearStatus(year, YearState.PACKAGE)
    return YearStatus(year, YearState.ASSUMED)


def _with_years() -> list[Calendar]:
    return list(
        Calendar.objects.prefetch_related(
            Prefetch("years", queryset=CalendarYear.objects.select_related("entered_by")),
            Prefetch("policies", queryset=SlaPolicy.objects.filter(active=True).order_by("position", "pk")),
        ).order_by("name")
    )


def calendars_overview(*, user: User, today: dt.date) -> list[CalendarRow]:
    """Every calendar with its active policies and the state of this year and the next."""
    require_calendar_reader(user)
    rows = []
    for calendar in _with_years():
        records = {r.year: r for r in calendar.years.all()}
        years = [today.year, today.year + 1]  # the page shows both, whatever the month
        policies = calendar.policies.all()
        rows.append(
            CalendarRow(
                calendar=calendar,
                policies=[p.name for p in policies],
                years=[year_status(calendar, y, records) for y in years],
                policy_labels=[p.label for p in policies],
            )
        )
    return rows


def calendars_needing_schedule(*, today: dt.date) -> list[tuple[Calendar, int]]:
    """(calendar, year) pairs in use (an active policy) whose year of interest lacks the official
    schedule: what the administrator's overview warns of."""
    found = []
    for calendar in _with_years():
        if not calendar.policies.all():
            continue
        records = {r.year: r for r in calendar.years.all()}
        for year in years_of_interest(today):
            if year_status(calendar, year, records).needs_schedule:
                found.append((calendar, year))
    return found


def calendar_get(*, user: User, calendar_id: int) -> Calendar:
    require_calendar_reader(user)
    calendar = Calendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(_("No such calendar."), code="calendar_not_found")
    return calendar


def calendar_year_view(*, user: User, calendar_id: int, year: int, language: str = "zh_CN") -> YearView:
    """The year's days that differ from the plain week (a day off on a weekday with working hours,
    a workday on a weekend), each with where it comes from, plus every day the administrator
    entered (even one that agrees with the plain week)."""
    calendar = calendar_get(user=user, calendar_id=calendar_id)
    records = {r.year: r for r in CalendarYear.objects.filter(calendar=calendar, year=year).select_related("entered_by")}
    status = year_status(calendar, year, records)
    entries = {d.date: d for d in CalendarDay.objects.filter(calendar=calendar, date__year=year)}
    view = YearView(calendar=calendar, year=year, status=status)
    if calendar.is_24x7:
        return view
    hours = calendar.working_hours or {}
    chinese = calendar.uses_chinese_holidays
    statutory = statutory_holidays(year, language) if chinese and not package_knows_year(year) else {}
    day = dt.date(year, 1, 1)
    while day.year == year:
        plain = bool(hours.get(str(day.weekday())))
        entry = entries.get(day)
        if entry is not None:
            source = "schedule" if entry.schedule_id else "hand"
            view.lines.append(DayLine(day, entry.is_workday, entry.name, source, entry))
        elif chinese and (known := package_is_workday(day)) is not None:
            if known != plain:
                view.lines.append(DayLine(day, known, package_holiday_name(day, language), "package"))
        elif day in statutory and plain:
            view.lines.append(DayLine(day, False, statutory[day], "statutory"))
        day += dt.timedelta(days=1)
    return view
