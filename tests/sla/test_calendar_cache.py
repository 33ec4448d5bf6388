"""A calendar's days are read once into the cache, under the calendar's ``days_version``: a day
entered or removed (by the service or through the ORM) is seen by the next deadline, in every
process that reads the calendar row; a rolled-back change leaves nothing behind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import Role
from aftersales.sla.models import Calendar, CalendarDay, SlaPolicy
from aftersales.sla.selectors import calendar_spec
from aftersales.sla.services.calendars import calendar_remove_day, calendar_set_day
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLOSURE = dt.date(2027, 3, 8)  # a Monday: a workday by the weekday and the package


def _day_reads(queries: CaptureQueriesContext) -> int:
    return sum('"sla_calendarday"' in q["sql"] for q in queries.captured_queries)


def _office() -> Calendar:
    return Calendar.objects.get(is_24x7=False)


def test_deadlines_read_the_days_once_whatever_instance_of_the_calendar():
    CalendarDay.objects.create(calendar=_office(), date=CLOSURE, is_workday=False, name="公司假日")
    with CaptureQueriesContext(connection) as queries:
        specs = [calendar_spec(calendar=_office()) for _ in range(3)]
        specs += [
            calendar_spec(calendar=p.calendar) for p in SlaPolicy.objects.select_related("calendar") if not p.calendar.is_24x7
        ]
    assert all(spec.overrides == {CLOSURE: False} for spec in specs)
    assert _day_reads(queries) == 1


def test_a_day_entered_or_removed_is_seen_by_the_next_deadline():
    admin = UserFactory(role=Role.ADMINISTRATOR)
    office = _office()
    assert CLOSURE not in calendar_spec(calendar=office).overrides
    calendar_set_day(actor=admin, calendar_id=office.pk, date=CLOSURE, is_workday=False, name="公司假日")
    assert calendar_spec(calendar=_office()).overrides[CLOSURE] is False
    calendar_set_day(actor=admin, calendar_id=office.pk, date=CLOSURE, is_workday=True, name="加班")
    assert calendar_spec(calendar=_office()).overrides[CLOSURE] is True
    calendar_remove_day(actor=admin, calendar_id=office.pk, date=CLOSURE)
    assert CLOSURE not in calendar_spec(calendar=_office()).overrides


def test_a_day_saved_through_the_orm_moves_the_version_of_the_instance_it_came_through():
    office = _office()
    before = office.days_version
    assert calendar_spec(calendar=office).overrides == {}
    CalendarDay.objects.create(calendar=office, date=CLOSURE, is_workday=False)
    assert office.days_version != before
    assert _office().days_version == office.days_version
    assert calendar_spec(calendar=office).overrides == {CLOSURE: False}
    CalendarDay.objects.filter(date=CLOSURE).delete()  # a queryset's delete sends the signal too
    assert calendar_spec(calendar=_office()).overrides == {}


def test_a_rolled_back_day_leaves_the_version_and_the_days_as_they_were():
    office = _office()
    assert calendar_spec(calendar=office).overrides == {}
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarDay.objects.create(calendar=_office(), date=CLOSURE, is_workday=False)
        assert calendar_spec(calendar=_office()).overrides == {CLOSURE: False}  # its own change
        raise RuntimeError
    reread = _office()
    assert reread.days_version == office.days_version
    with CaptureQueriesContext(connection) as queries:
        assert calendar_spec(calendar=reread).overrides == {}
    assert _day_reads(queries) == 0
