"""A calendar's days (``CalendarDay``: the administrator's holidays and make-up workdays), read
once into Django's cache instead of for every deadline computed.

Every intake, classification, pause and resume computes deadlines on a calendar
(``selectors.calendar_spec``); the demo load read the same calendars' days 1,527 times. The days
are cached under the calendar's ``days_version``, a column that takes a new random value whenever
one of its days is saved or deleted (the services, the admin, anything through the ORM: the
signals below, in the same transaction as the change). So:

- every process, with a shared cache (Redis) or one per process (locmem), reads the days again
  as soon as it reads the calendar row after the change committed: the version travels with
  the row the caller already read (``select_related("calendar")``), at no extra query;
- the transaction that changed a day sees its change (the calendar row it reads has the new
  version, and so has the instance the change was made through);
- a rolled-back change leaves a version nobody reads again: a value is never reused.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from .models import Calendar, CalendarDay

# The days of a version never change; the limit only frees the memory of versions nobody reads.
CACHE_SECONDS = 24 * 3600


def _key(calendar: Calendar) -> str:
    return f"sla:calendar-days:{calendar.pk}:{calendar.days_version.hex}"


def calendar_days(calendar: Calendar) -> dict[dt.date, bool]:
    """The calendar's days as ``{date: is_workday}``: from the cache, or read (one query)."""
    if calendar.pk is None:
        return {}
    key = _key(calendar)
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    days = dict(CalendarDay.objects.filter(calendar_id=calendar.pk).values_list("date", "is_workday"))
    cache.set(key, days, CACHE_SECONDS)
    return days


def calendar_days_changed(*, instance: CalendarDay, **_kwargs: Any) -> None:
    """A day was saved or deleted: its calendar takes a new version (and so does the instance the
    change came through, for the rest of the caller's transaction)."""
    version = uuid.uuid4()
    Calendar.objects.filter(pk=instance.calendar_id).update(days_version=version)
    if CalendarDay.calendar.is_cached(instance):
        instance.calendar.days_version = version


post_save.connect(calendar_days_changed, sender=CalendarDay, dispatch_uid="sla-calendar-days-saved")
post_delete.connect(calendar_days_changed, sender=CalendarDay, dispatch_uid="sla-calendar-days-deleted")
