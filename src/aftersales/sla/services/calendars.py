"""Writes of the business calendars' days: a year's official schedule (the State Council's notice,
read by ``sla/notice.py``, or days sent by the API), one day entered by hand, one day removed;
then the open SLA clocks whose deadlines the change can move are recomputed in the background.

Administrators only. The calendar row is locked while its days change, so two administrators
entering the same year one after the other leave the second's schedule, never a mix. Entering a
year again replaces that year's schedule: its days that the new one no longer names are removed;
a day entered by hand that the schedule names becomes the schedule's (the later word wins).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock as system_clock
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed
from aftersales.core.jobs import enqueue_with_transaction
from aftersales.tickets.locking import lock_tickets
from aftersales.tickets.models import Ticket

from ..audit_actions import SlaAudit
from ..calendar import BusinessCalendar
from ..models import Calendar, CalendarDay, CalendarYear, ClockStatus, ScheduleSource, SlaClock, SlaMetric
from ..notice import EDGE, NoticeDay
from ..selectors import calendar_spec
from .common import OPEN_CLOCK, save_clock, schedule, set_deadlines, sync_ticket_deadlines

FIRST_YEAR, LAST_YEAR = 2000, 2100
RECOMPUTE_BATCH = 200
# Dates listed in an audit row at most (the counts are always there).
AUDIT_DATES = 40


def can_edit_calendars(user: User) -> bool:
    """Administrators (SPEC §1: "configures … SLA policies, calendars")."""
    return bool(user.is_authenticated and not user.is_customer and (user.is_superuser or user.role == Role.ADMINISTRATOR))


def require_calendar_editor(user: User) -> None:
    if not can_edit_calendars(user):
        raise PermissionDenied(_("Only administrators change business calendars."), code="calendars_not_allowed")


@dataclass(frozen=True)
class DaysChange:
    """What a write did to a calendar's days, and the span of dates whose status changed."""

    added: list[dt.date]
    changed: list[dt.date]
    removed: list[dt.date]

    @property
    def dates(self) -> list[dt.date]:
        return sorted({*self.added, *self.changed, *self.removed})

    @property
    def span(self) -> tuple[dt.date, dt.date] | None:
        dates = self.dates
        return (dates[0], dates[-1]) if dates else None


def _locked_calendar(calendar_id: int) -> Calendar:
    calendar = Calendar.objects.select_for_update().filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(_("No such calendar."), code="calendar_not_found")
    return calendar


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(
            {"year": [_("Enter a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}]},
            code="calendar_year_invalid",
        )


def _dates_listed(dates: list[dt.date]) -> list[str]:
    return [d.isoformat() for d in dates[:AUDIT_DATES]]


@transaction.atomic
def calendar_enter_year(
    *,
    actor: User,
    calendar_id: int,
    year: int,
    days: Sequence[NoticeDay],
    source: ScheduleSource,
    notice: str = "",
) -> tuple[CalendarYear, DaysChange]:
    """Enter (or enter again) ``year``'s official schedule on the calendar; see the module docstring."""
    require_calendar_editor(actor)
    _check_year(year)
    if not days:
        raise ValidationFailed({"days": [_("A schedule needs at least one day.")]}, code="calendar_year_empty")
    lowest, highest = dt.date(year, 1, 1) - EDGE, dt.date(year, 12, 31) + EDGE
    wanted: dict[dt.date, NoticeDay] = {}
    for day in days:
        if not lowest <= day.date <= highest:
            raise ValidationFailed(
                {"days": [_("%(date)s is not in or next to %(year)s.") % {"date": day.date.isoformat(), "year": year}]},
                code="calendar_day_outside_year",
            )
        if day.date in wanted and wanted[day.date].is_workday != day.is_workday:
            raise ValidationFailed(
                {"days": [_("%(date)s is both a day off and a workday.") % {"date": day.date.isoformat()}]},
                code="calendar_day_twice",
            )
        wanted[day.date] = day
    calendar = _locked_calendar(calendar_id)
    now = system_clock.now()
    record, _created = CalendarYear.objects.update_or_create(
        calendar=calendar,
        year=year,
        defaults={
            "source": source,
            "notice": notice,
            "days_off": sum(1 for d in wanted.values() if not d.is_workday),
            "workdays": sum(1 for d in wanted.values() if d.is_workday),
            "entered_by": actor,
            "entered_at": now,
        },
    )
    existing = {d.date: d for d in CalendarDay.objects.filter(calendar=calendar, date__in=list(wanted))}
    stale = list(CalendarDay.objects.filter(calendar=calendar, schedule=record).exclude(date__in=list(wanted)))
    added, changed = [], []
    for date, day in sorted(wanted.items()):
        row = existing.get(date)
        name = day.name[:64]
        if row is None:
            CalendarDay.objects.create(calendar=calendar, date=date, is_workday=day.is_workday, name=name, schedule=record)
            added.append(date)
            continue
        if row.is_workday != day.is_workday:
            changed.append(date)
        if (row.is_workday, row.name, row.schedule_id) != (day.is_workday, name, record.pk):
            row.is_workday, row.name, row.schedule = day.is_workday, name, record
            row.save(update_fields=["is_workday", "name", "schedule"])
    removed = sorted(d.date for d in stale)
    CalendarDay.objects.filter(pk__in=[d.pk for d in stale]).delete()
    change = DaysChange(added=added, changed=changed, removed=removed)
    audit_record(
        action=SlaAudit.CALENDAR_YEAR_ENTERED,
        obj=calendar,
        actor=actor,
        changes={
            "year": year,
            "source": str(source),
            "days_off": record.days_off,
            "workdays": record.workdays,
            "added": _dates_listed(added),
            "changed": _dates_listed(changed),
            "removed": _dates_listed(removed),
        },
    )
    _recompute_later(calendar, change)
    return record, change


@transaction.atomic
def calendar_set_day(*, actor: User, calendar_id: int, date: dt.date, is_workday: bool, name: str = "") -> DaysChange:
    """One day entered by hand: a day off (a company closure, a local holiday) or a workday."""
    require_calendar_editor(actor)
    _check_year(date.year)
    calendar = _locked_calendar(calendar_id)
    row = CalendarDay.objects.filter(calendar=calendar, date=date).first()
    before = None if row is None else row.is_workday
    if row is None:
        CalendarDay.objects.create(calendar=calendar, date=date, is_workday=is_workday, name=name[:64])
    else:
        row.is_workday, row.name, row.schedule = is_workday, name[:64], None
        row.save(update_fields=["is_workday", "name", "schedule"])
    change = DaysChange(
        added=[date] if row is None else [], changed=[date] if before not in (None, is_workday) else [], removed=[]
    )
    audit_record(
        action=SlaAudit.CALENDAR_DAY_SET,
        obj=calendar,
        actor=actor,
        changes={"date": date.isoformat(), "workday": [before, is_workday], "name": name[:64]},
    )
    _recompute_later(calendar, change)
    return change


@transaction.atomic
def calendar_remove_day(*, actor: User, calendar_id: int, date: dt.date) -> DaysChange:
    """Remove the calendar's word on ``date``: the holiday package and the weekday decide again."""
    require_calendar_editor(actor)
    calendar = _locked_calendar(calendar_id)
    row = CalendarDay.objects.filter(calendar=calendar, date=date).first()
    if row is None:
        raise NotFound(_("The calendar has no entry for %(date)s.") % {"date": date.isoformat()}, code="calendar_day_not_found")
    row.delete()
    if row.schedule_id:
        CalendarYear.objects.filter(pk=row.schedule_id).update(
            days_off=CalendarDay.objects.filter(schedule_id=row.schedule_id, is_workday=False).count(),
            workdays=CalendarDay.objects.filter(schedule_id=row.schedule_id, is_workday=True).count(),
        )
    change = DaysChange(added=[], changed=[], removed=[date])
    audit_record(
        action=SlaAudit.CALENDAR_DAY_REMOVED,
        obj=calendar,
        actor=actor,
        changes={"date": date.isoformat(), "workday": row.is_workday, "name": row.name},
    )
    _recompute_later(calendar, change)
    return change


def _recompute_later(calendar: Calendar, change: DaysChange) -> None:
    span = change.span
    if span is None:
        return
    from ..tasks import recompute_calendar_clocks  # the jobs import these services

    calendar_id, first, last = calendar.pk, span[0].isoformat(), span[1].isoformat()
    enqueue_with_transaction(recompute_calendar_clocks, lambda: recompute_calendar_clocks.enqueue(calendar_id, first, last))


def _affected_ticket_ids(calendar: Calendar, start: dt.datetime, end: dt.datetime, after: int) -> list[int]:
    """Tickets with an open clock on ``calendar`` whose window (start to escalation) meets the
    changed dates, by id after ``after``: the clocks are walked in ticket order on their unique
    (ticket, metric) index and the walk stops after a batch, so each batch costs its own rows,
    not a sort of every open clock (a calendar change at 10 M tickets walks them once)."""
    rows = (
        SlaClock.objects.filter(
            ticket_id__gt=after, calendar=calendar, status__in=OPEN_CLOCK, started_at__lt=end, escalate_at__gte=start
        )
        .order_by("ticket_id")
        .values_list("ticket_id", flat=True)[: RECOMPUTE_BATCH * len(SlaMetric)]
    )
    return list(dict.fromkeys(rows))


def sla_on_calendar_change(*, calendar_id: int, first: dt.date, last: dt.date, now: dt.datetime | None = None) -> int:
    """The calendar's days from ``first`` to ``last`` changed: every open clock on it whose window
    meets those dates gets its deadlines again, counted from its start with its paused time kept
    (as for a new priority: warnings and breaches already recorded stay). One transaction per
    ticket (its row locked first, then its clocks). Idempotent: a clock whose deadlines do not
    move is left alone. Returns how many clocks moved."""
    calendar = Calendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        return 0
    tz = ZoneInfo(calendar.timezone)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    spec = calendar_spec(calendar=calendar)
    moved, after = 0, 0
    while ticket_ids := _affected_ticket_ids(calendar, start, end, after):
        for ticket_id in ticket_ids:
            moved += _recompute_ticket(ticket_id, calendar, spec, now or system_clock.now())
        after = ticket_ids[-1]
    return moved


@transaction.atomic
def _recompute_ticket(ticket_id: int, calendar: Calendar, spec: BusinessCalendar, now: dt.datetime) -> int:
    try:
        ticket = lock_tickets(ticket_id)[ticket_id]
    except Ticket.DoesNotExist:  # deleted meanwhile: nothing to move
        return 0
    clocks = list(SlaClock.objects.select_for_update().filter(ticket_id=ticket_id).order_by("pk"))
    moved = 0
    for clock in clocks:
        if clock.status not in OPEN_CLOCK or clock.calendar_id != calendar.pk:
            continue
        before = (clock.warn_at, clock.due_at, clock.escalate_at)
        set_deadlines(clock, spec)
        if (clock.warn_at, clock.due_at, clock.escalate_at) == before:
            continue
        if clock.status == ClockStatus.RUNNING:
            schedule(clock)
        save_clock(clock, now)
        moved += 1
        audit_record(
            action=SlaAudit.RETARGETED,
            obj=ticket,
            actor_label="SLA",
            changes={"metric": clock.metric, "due_at": [before[1].isoformat(), clock.due_at.isoformat()], "reason": "calendar"},
        )
    if moved:
        sync_ticket_deadlines(ticket, clocks)
    return moved
