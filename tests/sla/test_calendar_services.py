"""Entering a year's official schedule, one day by hand, removing a day; who may; the audit; and
the open SLA clocks whose deadlines the change moves (recomputed in the background, once)."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks import default_task_backend

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed
from aftersales.notifications.models import Notification
from aftersales.sla.calendar_selectors import calendar_year_view, calendars_needing_schedule, year_status
from aftersales.sla.models import Calendar, CalendarDay, CalendarYear, ScheduleSource, SlaClock, SlaMetric
from aftersales.sla.notice import NoticeDay
from aftersales.sla.services import calendars as calendars_module
from aftersales.sla.services.calendars import (
    calendar_enter_year,
    calendar_remove_day,
    calendar_set_day,
    sla_on_calendar_change,
)
from aftersales.sla.services.readiness import calendars_remind_missing_schedule
from aftersales.sla.tasks import recompute_calendar_clocks
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.states import TicketStatus as S
from tests.clock import freeze_time
from tests.factories import UserFactory, make_ticket

from .calendar_world import EXAMPLE_2027, day, example_days
from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.ADMINISTRATOR, username="calendar-admin")


@pytest.fixture
def office() -> Calendar:
    return Calendar.objects.get(is_24x7=False)


def recompute_jobs() -> list[tuple[int, str, str]]:
    return [tuple(r.args) for r in default_task_backend.results if r.task.name == recompute_calendar_clocks.name]  # type: ignore[misc]


def test_the_administrator_enters_a_year_and_it_is_recorded_audited_and_recomputed_later(
    admin, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record, change = calendar_enter_year(
            actor=admin, calendar_id=office.pk, year=2027, days=example_days(), source=ScheduleSource.NOTICE, notice=EXAMPLE_2027
        )
    assert (record.days_off, record.workdays, record.entered_by, record.notice) == (12, 1, admin, EXAMPLE_2027)
    days = {d.date: d for d in CalendarDay.objects.filter(calendar=office)}
    assert len(days) == 13 and all(d.schedule_id == record.pk for d in days.values())
    assert days[day("2027-02-14")].is_workday and days[day("2027-02-14")].name == "春节"
    assert change.span == (day("2027-01-01"), day("2027-02-14"))
    event = AuditEvent.objects.get(action="sla.calendar_year_entered")
    assert event.actor == admin and event.changes["year"] == 2027 and event.changes["days_off"] == 12
    assert event.changes["added"][0] == "2027-01-01"
    assert recompute_jobs() == [(office.pk, "2027-01-01", "2027-02-14")]


def test_entering_the_year_again_replaces_its_schedule_but_keeps_the_days_entered_by_hand(admin, office):
    calendar_enter_year(actor=admin, calendar_id=office.pk, year=2027, days=example_days(), source=ScheduleSource.NOTICE)
    calendar_set_day(actor=admin, calendar_id=office.pk, date=day("2027-03-08"), is_workday=False, name="公司年会")
    calendar_set_day(actor=admin, calendar_id=office.pk, date=day("2027-01-04"), is_workday=False, name="盘点")
    shorter = [
        NoticeDay(day("2027-01-01"), False, "元旦"),
        NoticeDay(day("2027-01-04"), False, "元旦"),  # the hand-entered day, now named by the schedule
        NoticeDay(day("2027-02-14"), False, "春节"),  # was a make-up workday
    ]
    record, change = calendar_enter_year(actor=admin, calendar_id=office.pk, year=2027, days=shorter, source=ScheduleSource.API)
    rows = {d.date: (d.is_workday, d.name, d.schedule_id) for d in CalendarDay.objects.filter(calendar=office)}
    assert rows == {
        day("2027-01-01"): (False, "元旦", record.pk),
        day("2027-01-04"): (False, "元旦", record.pk),
        day("2027-02-14"): (False, "春节", record.pk),
        day("2027-03-08"): (False, "公司年会", None),
    }
    assert change.changed == [day("2027-02-14")]
    assert day("2027-02-05") in change.removed and day("2027-01-02") in change.removed
    assert CalendarYear.objects.get().source == ScheduleSource.API


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.FINANCE])
def test_only_administrators_change_calendars(role, office):
    user = UserFactory(role=role)
    with pytest.raises(PermissionDenied):
        calendar_enter_year(actor=user, calendar_id=office.pk, year=2027, days=example_days(), source=ScheduleSource.NOTICE)
    with pytest.raises(PermissionDenied):
        calendar_set_day(actor=user, calendar_id=office.pk, date=day("2027-03-08"), is_workday=False)
    assert not CalendarDay.objects.exists()


def test_bad_schedules_are_refused_naming_the_field(admin, office):
    with pytest.raises(ValidationFailed) as empty:
        calendar_enter_year(actor=admin, calendar_id=office.pk, year=2027, days=[], source=ScheduleSource.API)
    assert "days" in empty.value.errors
    with pytest.raises(ValidationFailed) as far:
        calendar_enter_year(
            actor=admin,
            calendar_id=office.pk,
            year=2027,
            days=[NoticeDay(day("2029-01-01"), False, "")],
            source=ScheduleSource.API,
        )
    assert "2029-01-01" in str(far.value.errors["days"][0])
    with pytest.raises(ValidationFailed) as twice:
        calendar_enter_year(
            actor=admin,
            calendar_id=office.pk,
            year=2027,
            days=[NoticeDay(day("2027-01-01"), False, ""), NoticeDay(day("2027-01-01"), True, "")],
            source=ScheduleSource.API,
        )
    assert twice.value.code == "calendar_day_twice"
    with pytest.raises(ValidationFailed) as year:
        calendar_enter_year(actor=admin, calendar_id=office.pk, year=1999, days=example_days(), source=ScheduleSource.API)
    assert "year" in year.value.errors
    with pytest.raises(NotFound):
        calendar_enter_year(actor=admin, calendar_id=999999, year=2027, days=example_days(), source=ScheduleSource.API)
    with pytest.raises(NotFound):
        calendar_remove_day(actor=admin, calendar_id=office.pk, date=day("2027-05-05"))
    assert not CalendarYear.objects.exists()


def test_removing_a_schedule_day_updates_the_years_counts(admin, office, django_capture_on_commit_callbacks):
    record, _change = calendar_enter_year(
        actor=admin, calendar_id=office.pk, year=2027, days=example_days(), source=ScheduleSource.NOTICE
    )
    with django_capture_on_commit_callbacks(execute=True):
        change = calendar_remove_day(actor=admin, calendar_id=office.pk, date=day("2027-02-14"))
    assert change.removed == [day("2027-02-14")]
    record.refresh_from_db()
    assert (record.days_off, record.workdays) == (12, 0)
    assert AuditEvent.objects.filter(action="sla.calendar_day_removed").count() == 1
    assert recompute_jobs()[-1] == (office.pk, "2027-02-14", "2027-02-14")


def test_open_clocks_move_with_the_entered_schedule_once_and_closed_ones_stay(admin, office):
    with freeze_time(at(2027, 2, 4, 16, 0)):  # a Thursday, before the example Spring Festival
        ticket = make_ticket()  # default policy: first response in 9 working hours
        done = make_ticket(phone="13900000001")
    first = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE)
    # Statutory days only: Thursday 16–18, then the eve (Fri), the weekend and 初三 (Mon) are off.
    assert first.due_at == at(2027, 2, 9, 16, 0)
    with freeze_time(at(2027, 2, 4, 17, 0)):
        ticket_transition(ticket=done, to_status=S.CANCELLED, actor=admin)
    closed_before = {c.pk: c.due_at for c in SlaClock.objects.filter(ticket=done)}
    calendar_enter_year(actor=admin, calendar_id=office.pk, year=2027, days=example_days(), source=ScheduleSource.NOTICE)
    with freeze_time(at(2027, 2, 4, 18, 0)):
        moved = sla_on_calendar_change(calendar_id=office.pk, first=day("2027-01-01"), last=day("2027-02-14"))
    first.refresh_from_db()
    assert first.due_at == at(2027, 2, 14, 16, 0)  # the make-up Sunday, 09:00 + the 7 hours left
    assert moved == 3  # first response, solution, resolution
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == first.due_at
    assert {c.pk: c.due_at for c in SlaClock.objects.filter(ticket=done)} == closed_before
    retargeted = AuditEvent.objects.filter(action="sla.retargeted", object_id=str(ticket.pk))
    assert retargeted.count() == 3 and all(e.changes["reason"] == "calendar" for e in retargeted)
    assert recompute_calendar_clocks.call(office.pk, "2027-01-01", "2027-02-14") == 0  # the job: a rerun moves nothing


def test_a_change_outside_a_clocks_window_leaves_it_alone(admin, office):
    with freeze_time(at(2027, 2, 4, 16, 0)):
        ticket = make_ticket()
    before = {c.pk: c.due_at for c in SlaClock.objects.filter(ticket=ticket)}
    calendar_set_day(actor=admin, calendar_id=office.pk, date=day("2027-06-01"), is_workday=False, name="company day")
    assert sla_on_calendar_change(calendar_id=office.pk, first=day("2027-06-01"), last=day("2027-06-01")) == 0
    assert {c.pk: c.due_at for c in SlaClock.objects.filter(ticket=ticket)} == before
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_the_overview_warns_of_a_calendar_in_use_without_next_years_schedule(admin, office):
    always = Calendar.objects.get(is_24x7=True)
    assert calendars_needing_schedule(today=dt.date(2026, 10, 31)) == []  # 2026 is known; 2027 not asked yet
    assert calendars_needing_schedule(today=dt.date(2026, 12, 7)) == [(office, 2027)]  # the 24×7 one never
    assert year_status(always, 2027, {}).state == "always"
    assert calendars_needing_schedule(today=dt.date(2027, 3, 1)) == [(office, 2027)]
    unused = Calendar.objects.create(name="unused", working_hours=office.working_hours)
    calendar_enter_year(actor=admin, calendar_id=office.pk, year=2027, days=example_days(), source=ScheduleSource.NOTICE)
    assert calendars_needing_schedule(today=dt.date(2026, 12, 7)) == []  # and "unused" has no policy
    assert always.pk != unused.pk


def test_a_years_view_says_where_each_day_comes_from(admin, office):
    known = calendar_year_view(user=admin, calendar_id=office.pk, year=2026)
    assert known.status.state == "package"
    lines = {line.date: line for line in known.lines}
    assert lines[day("2026-01-02")].source == "package" and not lines[day("2026-01-02")].is_workday
    assert lines[day("2026-01-04")].is_workday and lines[day("2026-01-04")].name == "元旦"
    assert day("2026-01-03") not in lines  # a Saturday off is not news
    assumed = calendar_year_view(user=admin, calendar_id=office.pk, year=2027, language="en_US")
    assert assumed.status.state == "assumed" and assumed.status.needs_schedule
    assert {(line.date, line.name) for line in assumed.lines if line.date.month == 1} == {(day("2027-01-01"), "New Year's Day")}
    assert all(line.source == "statutory" for line in assumed.lines)
    calendar_enter_year(actor=admin, calendar_id=office.pk, year=2027, days=example_days(), source=ScheduleSource.NOTICE)
    calendar_set_day(actor=admin, calendar_id=office.pk, date=day("2027-03-08"), is_workday=False, name="年会")
    entered = calendar_year_view(user=admin, calendar_id=office.pk, year=2027)
    sources = {line.date: line.source for line in entered.lines}
    assert entered.status.state == "entered"
    assert sources[day("2027-02-05")] == "schedule" and sources[day("2027-03-08")] == "hand"
    assert sources[day("2027-04-05")] == "statutory"  # Qingming: not in the example notice, still off by law
    with pytest.raises(PermissionDenied):
        calendar_year_view(user=UserFactory(role=Role.AGENT), calendar_id=office.pk, year=2027)


def test_the_administrators_are_reminded_of_a_missing_schedule_every_two_weeks_until_it_is_entered(admin, office):
    other_admin = UserFactory(role=Role.ADMINISTRATOR, username="second-admin", language="en")
    UserFactory(role=Role.SUPERVISOR)
    with freeze_time(at(2026, 10, 20, 9, 0)):
        assert calendars_remind_missing_schedule() == 0  # 2026 is known; 2027 is not asked for yet
    with freeze_time(at(2026, 11, 2, 9, 0)):
        assert calendars_remind_missing_schedule() == 1
        assert calendars_remind_missing_schedule() == 0  # the same day: nothing more
    sent = Notification.objects.filter(template="sla.calendar_schedule_missing")
    assert sorted(n.user_id for n in sent) == sorted([admin.pk, other_admin.pk])
    mine = sent.get(user=admin)
    assert "2027" in mine.subject and office.name in mine.body
    assert f"/sla/calendars/{office.pk}/2027/notice/" in mine.body
    assert "holiday schedule" in sent.get(user=other_admin).subject  # each in their own language
    with freeze_time(at(2026, 11, 15, 9, 0)):
        assert calendars_remind_missing_schedule() == 0  # 13 days later
    with freeze_time(at(2026, 11, 17, 9, 0)):
        assert calendars_remind_missing_schedule() == 1  # two weeks on
    calendar_enter_year(actor=admin, calendar_id=office.pk, year=2027, days=example_days(), source=ScheduleSource.NOTICE)
    with freeze_time(at(2026, 12, 7, 9, 0)):
        assert calendars_remind_missing_schedule() == 0
    assert sent.all().count() == 4  # a fresh query (iterating "sent" above cached its first two)


def test_the_recompute_walks_every_affected_ticket_batch_by_batch(admin, office, monkeypatch):
    monkeypatch.setattr(calendars_module, "RECOMPUTE_BATCH", 1)  # one ticket (three clocks) a batch
    with freeze_time(at(2027, 2, 4, 16, 0)):
        tickets = [make_ticket(phone=f"1390000000{i}") for i in range(3)]
    calendar_enter_year(actor=admin, calendar_id=office.pk, year=2027, days=example_days(), source=ScheduleSource.NOTICE)
    assert sla_on_calendar_change(calendar_id=office.pk, first=day("2027-01-01"), last=day("2027-02-14")) == 9
    firsts = SlaClock.objects.filter(ticket__in=tickets, metric=SlaMetric.FIRST_RESPONSE)
    assert {c.due_at for c in firsts} == {at(2027, 2, 14, 16, 0)}
