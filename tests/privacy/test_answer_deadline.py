"""A personal data request is answered within PRIVACY_ANSWER_DAYS (15) working days
(《App违法违规收集使用个人信息行为认定方法》), counted on the product's Chinese calendar: National
Day's week off does not count, a make-up Saturday (调休) does, the day the request came does not."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from aftersales.accounts.models import Role
from aftersales.privacy.deadlines import WEEKDAYS, add_working_days, privacy_calendar
from aftersales.privacy.models import RequestChannel, RequestKind
from aftersales.privacy.services import privacy_request_create
from aftersales.sla.calendar import BusinessCalendar
from aftersales.sla.models import Calendar, CalendarDay
from tests.clock import freeze_time
from tests.factories import CustomerFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINESE = BusinessCalendar(tz=SHANGHAI, hours=WEEKDAYS, chinese_holidays=True)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> dt.datetime:
    return at(year, month, day, 23, 59, 59)


def test_fifteen_working_days_skip_national_day_and_count_the_make_up_saturday():
    # Tue 29 Sep 2026: 30 Sep (1); 1–7 Oct off; 8, 9 Oct (2, 3); Sat 10 Oct is a make-up workday (4);
    # 12–16 Oct (5–9), 19–23 Oct (10–14), Mon 26 Oct (15). Calendar days would give 14 Oct.
    assert add_working_days(CHINESE, at(2026, 9, 29, 10), 15) == end_of(2026, 10, 26)
    # The same fortnight without the package's holidays: plain weekdays, no make-up Saturday.
    plain = BusinessCalendar(tz=SHANGHAI, hours=WEEKDAYS)
    assert add_working_days(plain, at(2026, 9, 29, 10), 15) == end_of(2026, 10, 20)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (at(2026, 10, 9, 16), end_of(2026, 10, 10)),  # Friday → the make-up Saturday
        (at(2026, 9, 19, 9), end_of(2026, 9, 20)),  # Saturday → the make-up Sunday before National Day
        (at(2026, 9, 30, 23, 30), end_of(2026, 10, 8)),  # the eve of National Day → the first day back
        (at(2026, 10, 3, 11), end_of(2026, 10, 8)),  # during the holiday: the day it came is not counted
    ],
)
def test_one_working_day(received, due):
    assert add_working_days(CHINESE, received, 1) == due


@pytest.mark.django_db
def test_a_request_received_before_national_day_is_due_fifteen_working_days_later_and_the_page_says_so(settings):
    settings.PRIVACY_ANSWER_DAYS = 15
    assert Calendar.objects.filter(code="office").exists()  # the seeded office calendar is the one counted on
    customer = CustomerFactory()
    with freeze_time(at(2026, 9, 29, 10)):
        request = privacy_request_create(customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.STAFF, actor=None)
    assert request.due_at == end_of(2026, 10, 26)

    supervisor = UserFactory(role=Role.SUPERVISOR)
    client = Client()
    client.force_login(supervisor)
    with freeze_time(at(2026, 10, 20, 10)):
        assert "2026-10-26" in client.get(f"/privacy/{request.pk}/").content.decode()
        listed = client.get("/privacy/").content.decode()
    assert "2026-10-26" in listed


@pytest.mark.django_db
def test_an_administrators_calendar_day_counts_too(settings):
    settings.PRIVACY_ANSWER_DAYS = 1
    office = Calendar.objects.get(code="office")
    CalendarDay.objects.create(calendar=office, date=dt.date(2026, 10, 8), is_workday=False)
    customer = CustomerFactory()
    with freeze_time(at(2026, 9, 30, 10)):
        request = privacy_request_create(customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.STAFF, actor=None)
    assert add_working_days(privacy_calendar(), at(2026, 9, 30, 10), 1) == end_of(2026, 10, 9)
    assert request.due_at == end_of(2026, 10, 9)
