"""The periods of a schedule in Beijing time: daily, weekly from Monday, monthly with a day past
the month's end falling on its last day, and the latest period due at a moment."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.reports.periods import Schedule, latest_due_period, next_due_at, period_of

from .helpers import at

EIGHT = dt.time(8, 0)


def test_a_daily_report_is_due_at_its_time_in_beijing_not_utc():
    daily = Schedule("daily", EIGHT)
    # 08:00 in Beijing is 00:00 UTC: at 07:59 Beijing the day's report is not due, yesterday's is.
    assert latest_due_period(daily, at("2026-03-10 07:59")).start == dt.date(2026, 3, 9)
    period = latest_due_period(daily, at("2026-03-10 08:00"))
    assert period.start == dt.date(2026, 3, 10)
    assert period.end == dt.date(2026, 3, 11)
    assert period.due_at == dt.datetime(2026, 3, 10, 0, 0, tzinfo=dt.UTC)


def test_a_daily_period_crosses_the_month_and_year_end():
    daily = Schedule("daily", dt.time(23, 30))
    assert latest_due_period(daily, at("2027-01-01 00:10")).start == dt.date(2026, 12, 31)
    assert next_due_at(daily, at("2026-12-31 23:31")) == at("2027-01-01 23:30")


def test_a_weekly_period_starts_on_monday_and_is_due_on_its_weekday():
    friday = Schedule("weekly", EIGHT, weekday=4)
    # 2026-03-02 is a Monday.
    assert period_of(friday, dt.date(2026, 3, 8)).start == dt.date(2026, 3, 2)
    assert period_of(friday, dt.date(2026, 3, 8)).due_at == at("2026-03-06 08:00")
    assert latest_due_period(friday, at("2026-03-06 07:00")).start == dt.date(2026, 2, 23)
    assert latest_due_period(friday, at("2026-03-06 08:00")).start == dt.date(2026, 3, 2)
    # Sunday night still belongs to the week from Monday 2 March.
    assert latest_due_period(friday, at("2026-03-08 23:59")).start == dt.date(2026, 3, 2)
    assert next_due_at(friday, at("2026-03-08 23:59")) == at("2026-03-13 08:00")


def test_a_week_across_the_month_end_keeps_its_monday():
    monday = Schedule("weekly", EIGHT, weekday=0)
    period = latest_due_period(monday, at("2026-04-01 12:00"))  # a Wednesday
    assert period.start == dt.date(2026, 3, 30)
    assert period.end == dt.date(2026, 4, 6)


@pytest.mark.parametrize(
    ("now", "start", "due"),
    [
        ("2026-01-31 09:00", dt.date(2026, 1, 1), "2026-01-31 08:00"),
        ("2026-02-27 23:00", dt.date(2026, 1, 1), "2026-01-31 08:00"),  # February's is on its 28th
        ("2026-02-28 08:00", dt.date(2026, 2, 1), "2026-02-28 08:00"),
        ("2028-02-29 08:00", dt.date(2028, 2, 1), "2028-02-29 08:00"),  # leap year
        ("2026-04-30 08:00", dt.date(2026, 4, 1), "2026-04-30 08:00"),
        ("2026-12-31 10:00", dt.date(2026, 12, 1), "2026-12-31 08:00"),
        ("2027-01-01 07:00", dt.date(2026, 12, 1), "2026-12-31 08:00"),
    ],
)
def test_a_monthly_report_on_the_31st_falls_on_each_months_last_day(now, start, due):
    monthly = Schedule("monthly", EIGHT, day_of_month=31)
    period = latest_due_period(monthly, at(now))
    assert period.start == start
    assert period.due_at == at(due)


def test_the_monthly_period_ends_on_the_next_months_first_day():
    monthly = Schedule("monthly", EIGHT, day_of_month=1)
    assert period_of(monthly, dt.date(2026, 12, 15)).end == dt.date(2027, 1, 1)
    assert period_of(monthly, dt.date(2026, 2, 15)).end == dt.date(2026, 3, 1)
    assert latest_due_period(monthly, at("2026-03-01 07:59")).start == dt.date(2026, 2, 1)
