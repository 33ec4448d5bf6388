"""What the calendar tests share: an example schedule shaped like the State Council's notice.

It is NOT the official 2027 schedule (unpublished when this was written): its days are chosen to
test the arithmetic — New Year's Day Friday to Sunday, the Spring Festival from the eve (Friday
5 February) to Saturday 13 February, and a make-up Sunday on the 14th."""

from __future__ import annotations

import datetime as dt

from aftersales.sla.notice import NoticeDay, parse_notice

EXAMPLE_2027 = (
    "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
    "二、春节：2月5日（农历除夕、周五）至13日（农历正月初八、周六）放假调休，共9天。2月14日（周日）上班。\n"
)


def example_days() -> list[NoticeDay]:
    notice = parse_notice(EXAMPLE_2027, year=2027)
    assert notice.ok, notice.problems
    return notice.days


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
