"""Business-time arithmetic on the office calendar: weekends, Chinese public holidays, make-up
workdays (调休), the administrator's days, and the 24×7 calendar. Pure functions, no database."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest

from aftersales.sla.calendar import (
    BusinessCalendar,
    NoWorkingTime,
    add_business_time,
    business_time_between,
    is_workday,
    package_holiday_name,
    package_knows_year,
    parse_hours,
    statutory_holidays,
)

SH = ZoneInfo("Asia/Shanghai")
HOURS = parse_hours({str(d): [["09:00", "18:00"]] for d in range(5)})
OFFICE = BusinessCalendar(tz=SH, hours=HOURS, chinese_holidays=True)
TWO_HOURS = dt.timedelta(hours=2)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def test_a_friday_1700_ticket_with_two_working_hours_is_due_monday_1000():
    assert add_business_time(OFFICE, at(2026, 11, 20, 17, 0), TWO_HOURS) == at(2026, 11, 23, 10, 0)


def test_time_before_opening_starts_counting_at_0900():
    assert add_business_time(OFFICE, at(2026, 11, 23, 7, 30), TWO_HOURS) == at(2026, 11, 23, 11, 0)
    assert add_business_time(OFFICE, at(2026, 11, 22, 23, 0), TWO_HOURS) == at(2026, 11, 23, 11, 0)  # Sunday night


def test_national_day_2026_is_skipped():
    # Oct 1–7 2026 are public holidays (chinesecalendar); Oct 8 is back to work.
    assert not any(is_workday(OFFICE, dt.date(2026, 10, day)) for day in range(1, 8))
    assert add_business_time(OFFICE, at(2026, 9, 30, 17, 0), TWO_HOURS) == at(2026, 10, 8, 10, 0)


def test_the_make_up_saturday_after_national_day_is_a_workday():
    assert dt.date(2026, 10, 10).weekday() == 5
    assert is_workday(OFFICE, dt.date(2026, 10, 10))
    # Friday 17:00 + 2 h: one hour on Friday, one on the make-up Saturday (with Monday's hours).
    assert add_business_time(OFFICE, at(2026, 10, 9, 17, 0), TWO_HOURS) == at(2026, 10, 10, 10, 0)
    # Without the package the Saturday is a weekend day.
    plain = BusinessCalendar(tz=SH, hours=HOURS)
    assert add_business_time(plain, at(2026, 10, 9, 17, 0), TWO_HOURS) == at(2026, 10, 12, 10, 0)


def test_the_administrators_days_win_over_the_package():
    cal = BusinessCalendar(
        tz=SH,
        hours=HOURS,
        chinese_holidays=True,
        overrides={dt.date(2026, 11, 20): False, dt.date(2026, 10, 10): False, dt.date(2026, 11, 22): True},
    )
    assert not is_workday(cal, dt.date(2026, 11, 20))  # a company holiday on a Friday
    assert not is_workday(cal, dt.date(2026, 10, 10))  # the make-up Saturday given off
    assert is_workday(cal, dt.date(2026, 11, 22))  # an extra working Sunday
    assert add_business_time(cal, at(2026, 11, 19, 17, 0), TWO_HOURS) == at(2026, 11, 22, 10, 0)


def test_a_year_the_package_does_not_know_falls_back_to_the_statutory_holidays_and_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="aftersales.sla.calendar"):
        assert not is_workday(OFFICE, dt.date(2099, 1, 1))  # a Thursday, but New Year's Day by law
        assert is_workday(OFFICE, dt.date(2099, 1, 2))  # a Friday: a bridge day only a notice could give
        assert not is_workday(OFFICE, dt.date(2099, 1, 3))  # a Saturday
    assert "no data for 2099" in caplog.text
    # … until the administrator enters the schedule: their days win.
    cal = BusinessCalendar(
        tz=SH, hours=HOURS, chinese_holidays=True, overrides={dt.date(2099, 1, 1): True, dt.date(2099, 1, 2): False}
    )
    assert is_workday(cal, dt.date(2099, 1, 1))
    assert not is_workday(cal, dt.date(2099, 1, 2))


def test_2027_spring_festival_counts_as_days_off_before_its_notice_is_entered():
    """The package knows 2004–2026 only; the law's days of 2027 (lunar dates) still count."""
    assert not package_knows_year(2027)
    statutory = statutory_holidays(2027)
    assert statutory[dt.date(2027, 2, 5)] == "农历除夕"  # the eve, a statutory day since 2025
    assert [d for d, name in statutory.items() if name == "春节"] == [dt.date(2027, 2, d) for d in (6, 7, 8)]
    assert statutory_holidays(2027, "en_US")[dt.date(2027, 10, 1)] == "National Day"
    assert len(statutory) == 13  # the law's 13 days (2024 revision)
    # Thursday 4 February 2027 17:00 + two working hours: one that day; the eve (Friday), the
    # weekend and Monday the 8th (初三) are off; the second hour is Tuesday 09:00–10:00.
    assert add_business_time(OFFICE, at(2027, 2, 4, 17, 0), TWO_HOURS) == at(2027, 2, 9, 10, 0)
    # A calendar without Chinese holidays ignores them.
    plain = BusinessCalendar(tz=SH, hours=HOURS, chinese_holidays=False)
    assert is_workday(plain, dt.date(2027, 2, 5))


def test_a_year_the_package_knows_is_not_second_guessed_by_the_statutory_list():
    assert package_knows_year(2026)
    assert not is_workday(OFFICE, dt.date(2026, 1, 2))  # a bridge day of the 2026 notice
    assert is_workday(OFFICE, dt.date(2026, 1, 4))  # a make-up Sunday
    assert package_holiday_name(dt.date(2026, 1, 4)) == "元旦"
    assert package_holiday_name(dt.date(2026, 2, 17), "en_US") == "Spring Festival"
    assert package_holiday_name(dt.date(2026, 3, 3)) == ""
    assert package_holiday_name(dt.date(2027, 1, 1)) == ""


def test_the_24x7_calendar_counts_every_hour():
    always = BusinessCalendar(tz=SH, always_open=True)
    start = at(2026, 9, 30, 17, 0)
    assert add_business_time(always, start, dt.timedelta(hours=48)) == start + dt.timedelta(hours=48)
    assert business_time_between(always, start, at(2026, 10, 2, 17, 0)) == dt.timedelta(hours=48)


def test_working_time_between_two_instants():
    assert business_time_between(OFFICE, at(2026, 11, 20, 17, 0), at(2026, 11, 23, 10, 0)) == TWO_HOURS
    assert business_time_between(OFFICE, at(2026, 9, 30, 12, 0), at(2026, 10, 8, 12, 0)) == dt.timedelta(hours=9)
    assert business_time_between(OFFICE, at(2026, 11, 23, 10, 0), at(2026, 11, 23, 9, 0)) == dt.timedelta(0)
    # Instants in other zones are the same instants.
    utc_start = at(2026, 11, 20, 17, 0).astimezone(dt.UTC)
    assert business_time_between(OFFICE, utc_start, at(2026, 11, 23, 10, 0)) == TWO_HOURS


def test_adding_and_measuring_agree():
    start = at(2026, 9, 25, 16, 20)
    for minutes in (1, 59, 540, 541, 2700, 9000):
        due = add_business_time(OFFICE, start, dt.timedelta(minutes=minutes))
        assert business_time_between(OFFICE, start, due) == dt.timedelta(minutes=minutes)


def test_split_shifts_and_bad_hours():
    lunch = parse_hours({"0": [["13:00", "18:00"], ["09:00", "12:00"]]})
    cal = BusinessCalendar(tz=SH, hours=lunch)
    assert add_business_time(cal, at(2026, 11, 23, 11, 0), TWO_HOURS) == at(2026, 11, 23, 14, 0)
    with pytest.raises(ValueError):
        parse_hours({"0": [["09:00", "12:00"], ["11:00", "18:00"]]})
    with pytest.raises(ValueError):
        parse_hours({"7": [["09:00", "12:00"]]})
    with pytest.raises(NoWorkingTime):
        add_business_time(BusinessCalendar(tz=SH), at(2026, 11, 23, 11, 0), TWO_HOURS)
