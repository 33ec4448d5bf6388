"""Reading the State Council's holiday notice (``sla/notice.py``): the 2025 and 2026 notices as
published give, day for day, what the chinesecalendar package knows of those years; the forms a
notice takes (a range over two months or over the new year, 不调休, 与周末连休, two holidays in
one item); and the problems that stop a notice (a weekday that does not match its date, a
date that does not exist, a day both off and worked, nothing found). Pure functions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest

from aftersales.sla.calendar import statutory_holidays
from aftersales.sla.notice import MAX_NOTICE_CHARS, missing_statutory, parse_notice

NOTICES = Path(__file__).parent / "notices"


def _days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_a_published_notice_gives_every_day_of_the_year_as_the_package_knows_it(year):
    notice = parse_notice((NOTICES / f"{year}.txt").read_text(encoding="utf-8"), year=year)
    assert notice.ok, notice.problems
    said = {d.date: d.is_workday for d in notice.days}
    wrong = [day for day in _days_of(year) if said.get(day, day.weekday() < 5) != chinese_calendar.is_workday(day)]
    assert wrong == []
    assert missing_statutory(notice, statutory_holidays(year)) == []


def test_the_2026_notice_names_each_day_after_its_holiday():
    notice = parse_notice((NOTICES / "2026.txt").read_text(encoding="utf-8"), year=2026)
    named = {d.date: (d.name, d.is_workday) for d in notice.days}
    assert named[dt.date(2026, 2, 15)] == ("春节", False)
    assert named[dt.date(2026, 2, 28)] == ("春节", True)  # the make-up Saturday after the festival
    assert named[dt.date(2026, 10, 10)] == ("国庆节", True)
    assert (len(notice.days_off), len(notice.workdays)) == (33, 6)


def test_a_range_over_the_new_year_with_years_written_out():
    text = "一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。"
    notice = parse_notice(text, year=2023)
    assert notice.ok
    assert [d.date for d in notice.days_off] == [dt.date(2022, 12, 31), dt.date(2023, 1, 1), dt.date(2023, 1, 2)]


def test_a_range_over_the_new_year_without_the_second_year_and_two_holidays_in_one_item():
    notice = parse_notice("一、元旦：12月30日至1月1日放假。", year=2024)
    assert [d.date for d in notice.days_off] == [dt.date(2024, 12, 30), dt.date(2024, 12, 31), dt.date(2025, 1, 1)]
    notice = parse_notice("六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。", year=2025)
    assert notice.ok and notice.days[0].name == "国庆节、中秋节" and len(notice.days) == 8


def test_single_days_with_no_shift_and_with_the_weekend():
    notice = parse_notice(
        "一、元旦：1月1日放假，与周末连休。\n二、清明节：4月4日（周四）至6日（周六）放假调休，共3天。4月7日（周日）上班。",
        year=2024,
    )
    assert notice.ok
    assert [(d.date.isoformat(), d.is_workday) for d in notice.days] == [
        ("2024-01-01", False),
        ("2024-04-04", False),
        ("2024-04-05", False),
        ("2024-04-06", False),
        ("2024-04-07", True),
    ]


def test_the_preamble_the_closing_words_and_a_dated_signature_are_not_days():
    text = (
        "经国务院批准，现将2026年元旦放假调休日期的具体安排通知如下。\n"
        "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。\n"
        "节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。\n"
        "国务院办公厅 2025年11月1日\n"
    )
    notice = parse_notice(text, year=2026)
    assert notice.ok
    assert [d.date.day for d in notice.days] == [1, 2, 3]


def test_a_weekday_that_does_not_match_its_date_names_the_line_and_the_year():
    # The 2026 New Year item entered as 2027's by mistake: 1 January 2027 is a Friday.
    notice = parse_notice("\n一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。", year=2027)
    assert not notice.ok
    problem = notice.problems[0]
    assert problem.line == 2
    assert "元旦" in problem.text
    assert "2027-01-01" in str(problem.message) and "2027" in str(problem.message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一、春节：2月30日放假。", "2月30日"),
        ("一、春节：2月10日至2月3日放假。", "ends before"),
        ("一、春节：2月1日至3月30日放假。", "16 days"),
        ("一、春节：2月10日放假。2月10日上班。", "both"),
        ("一、春节：7月10日放假。", None),
        ("今年不放假。", "No day off"),
        ("一、元旦：2029年1月1日放假。", "not in or next to"),
    ],
)
def test_a_notice_with_a_problem_is_not_ok(text, expected):
    notice = parse_notice(text, year=2027)
    if expected is None:  # a plain date is fine: the notice says what it says
        assert notice.ok
        return
    assert not notice.ok
    assert any(expected in str(p.message) for p in notice.problems), [str(p.message) for p in notice.problems]


def test_a_notice_too_long_is_refused_whole():
    notice = parse_notice("一、元旦：1月1日放假。" * (MAX_NOTICE_CHARS // 10), year=2027)
    assert not notice.ok and not notice.days


def test_a_truncated_paste_is_warned_of_by_the_statutory_days_it_leaves_as_workdays():
    notice = parse_notice("一、元旦：1月1日（周五）至3日（周日）放假，共3天。", year=2027)
    assert notice.ok
    missing = dict(missing_statutory(notice, statutory_holidays(2027)))
    assert dt.date(2027, 2, 5) in missing  # the Spring Festival's eve, a Friday
    assert dt.date(2027, 2, 6) not in missing  # a Saturday: a day off anyway
    assert dt.date(2027, 1, 1) not in missing
