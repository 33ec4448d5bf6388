"""Telling the administrators that a calendar in use lacks a year's official holiday schedule
(``calendar_selectors.calendars_needing_schedule``: this year, and next year from November):
the editable staff event ``sla.calendar_schedule_missing``, in-app in each one's language with the
absolute link to the notice page; first when the year starts to be needed, then every
``REMIND_EVERY_DAYS`` days until it is entered (or the holiday package knows it).

Run daily by the scheduler (``sla.tasks.remind_missing_schedules``). Safe with several workers
and reruns: each (calendar, year) is claimed by one conditional ``UPDATE`` (or one ``INSERT``
against its unique constraint) in its own transaction, and only the run that claimed it sends.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from aftersales.accounts.models import Role, User
from aftersales.core import clock as system_clock
from aftersales.notifications.services import notify_staff

from ..calendar_selectors import calendars_needing_schedule
from ..models import Calendar, ScheduleReminder

logger = logging.getLogger(__name__)

REMIND_EVERY_DAYS = 14
EVENT = "sla.calendar_schedule_missing"


def calendar_administrators() -> list[User]:
    """Who enters the schedule: every active administrator (superusers only when there is none)."""
    admins = list(User.objects.filter(is_active=True, role=Role.ADMINISTRATOR).order_by("pk"))
    return admins or list(User.objects.filter(is_active=True, is_superuser=True).order_by("pk"))


@transaction.atomic
def _claim(calendar: Calendar, year: int, now: dt.datetime) -> bool:
    again_before = now - dt.timedelta(days=REMIND_EVERY_DAYS)
    claimed = ScheduleReminder.objects.filter(Q(reminded_at__lt=again_before), calendar=calendar, year=year).update(
        reminded_at=now
    )
    if claimed:
        return True
    if ScheduleReminder.objects.filter(calendar=calendar, year=year).exists():
        return False  # reminded within the period
    try:
        with transaction.atomic():
            ScheduleReminder.objects.create(calendar=calendar, year=year, reminded_at=now)
    except IntegrityError:  # another worker claimed it first
        return False
    return True


def calendars_remind_missing_schedule(*, now: dt.datetime | None = None) -> int:
    """Remind the administrators of every (calendar in use, year) without its schedule that was
    not reminded in the last ``REMIND_EVERY_DAYS`` days; returns how many reminders went out."""
    now = now or system_clock.now()
    today = system_clock.local_today()
    admins = calendar_administrators()
    if not admins:
        return 0
    sent = 0
    for calendar, year in calendars_needing_schedule(today=today):
        with transaction.atomic():
            if not _claim(calendar, year, now):
                continue
            notify_staff(
                users=admins,
                template=EVENT,
                params={"calendar": calendar.name, "year": str(year)},
                link=reverse("sla:calendar_notice", args=[calendar.pk, year]),
            )
            sent += 1
            logger.info("sla: reminded %s administrator(s) of %s's %s schedule", len(admins), calendar.name, year)
    return sent
