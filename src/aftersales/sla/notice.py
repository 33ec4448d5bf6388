"""Reading the State Council's yearly holiday notice (国务院办公厅关于 YYYY 年部分节假日安排的通知).

Pure functions, no database. The administrator pastes the notice's items as published, e.g.::

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。

and ``parse_notice`` returns the days off and the make-up workdays it states, each named after
its item (元旦, 春节…), or the problems that stop it, each naming the line. What it understands,
as the notices have written it since 2008:

* an item is a line (or a part of one) starting ``一、``, ``二、``…; its name is what stands
  before the colon;
* a sentence (up to ``。``) with ``放假`` or ``休`` (不调休 aside) gives days off: a range
  ``M月D日 … 至 [M月]D日`` (the end's month and year default to the start's; a range crossing
  the new year is understood) or single dates;
* a sentence with ``上班`` gives make-up workdays: every date in it;
* a date may carry its year (``2022年12月31日``); otherwise it is in the notice's year;
* the weekday in brackets after a date (``（周四）``, ``（农历腊月二十八、周日）``, ``星期四``) is
  checked against the date: a mismatch is a problem, since it means the wrong year was chosen or
  a digit was mistyped.

A problem stops the whole notice (nothing half-entered). Beside the problems, ``missing_statutory``
says which statutory holidays the notice leaves as workdays (a truncated paste, usually).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

MAX_NOTICE_CHARS = 5000
# Days the notice may name around its year: New Year's Day may start on 31 December before it,
# and a make-up Saturday of the next year's New Year may fall in early January after it.
EDGE = dt.timedelta(days=31)

_ITEM = re.compile(r"(?:^|\s|。)(?=[一二三四五六七八九十]+、)")
_NUMBERING = re.compile(r"^[一二三四五六七八九十]+、")
_DATE = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日")
_BRACKET = re.compile(r"\s*[（(](?P<inner>[^）)]*)[）)]")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)(?P<w>[一二三四五六日天])")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_RANGE_WORDS = ("至", "到", "—", "－", "-", "~", "～")


@dataclass(frozen=True)
class NoticeDay:
    date: dt.date
    is_workday: bool
    name: str


@dataclass(frozen=True)
class NoticeProblem:
    line: int  # 1-based line of the pasted text
    text: str  # that line, shortened
    message: Any  # lazily translated


@dataclass
class Notice:
    year: int
    days: list[NoticeDay] = field(default_factory=list)
    problems: list[NoticeProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.days)

    @property
    def days_off(self) -> list[NoticeDay]:
        return [d for d in self.days if not d.is_workday]

    @property
    def workdays(self) -> list[NoticeDay]:
        return [d for d in self.days if d.is_workday]


@dataclass(frozen=True)
class _Found:
    date: dt.date | None
    start: int
    end: int
    weekday_said: int | None
    error: Any = None


def _items(text: str) -> Iterator[tuple[int, str, str]]:
    """(line number, item name, item body) of every item of the pasted text."""
    for number, raw in enumerate(text.splitlines(), start=1):
        for part in _ITEM.split(raw.strip()):
            part = part.strip()
            if not part:
                continue
            body = _NUMBERING.sub("", part)
            name, rest = _split_name(body)
            yield number, name, rest


def _split_name(body: str) -> tuple[str, str]:
    """An item's name (what stands before its colon: 元旦, 国庆节、中秋节) and the rest."""
    for colon in ("：", ":"):
        if colon in body:
            name, rest = body.split(colon, 1)
            if len(name) <= 20 and not _DATE.search(name):
                return name.strip(), rest
    return "", body


def _dates(sentence: str, year: int, *, after: dt.date | None = None) -> list[_Found]:
    """Every date in ``sentence``: a missing month is the previous date's (or ``after``'s), a
    missing year the previous date's (or the notice's); a month before the previous date's
    month, without a year, is in the next year (a range across the new year)."""
    found: list[_Found] = []
    previous = after
    for match in _DATE.finditer(sentence):
        y, m, d = match["y"], match["m"], match["d"]
        if m is None and previous is None:
            found.append(_Found(None, match.start(), match.end(), None, _("a day without its month")))
            continue
        month = int(m) if m else previous.month  # type: ignore[union-attr]
        the_year = int(y) if y else (previous.year if previous else year)
        if not y and previous and month < previous.month:
            the_year = previous.year + 1
        said = None
        bracket = _BRACKET.match(sentence, match.end())
        if bracket:
            weekday = _WEEKDAY.search(bracket["inner"])
            if weekday:
                said = _WEEKDAYS[weekday["w"]]
        try:
            date = dt.date(the_year, month, int(d))
        except ValueError:
            found.append(_Found(None, match.start(), match.end(), said, _("%(text)s is not a date") % {"text": match[0]}))
            continue
        found.append(_Found(date, match.start(), match.end(), said))
        previous = date
    return found


def _line_text(text: str, line: int) -> str:
    lines = text.splitlines()
    value = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return value if len(value) <= 80 else value[:79] + "…"


def parse_notice(text: str, *, year: int) -> Notice:
    """The days the notice for ``year`` states; see the module docstring."""
    notice = Notice(year=year)
    if len(text) > MAX_NOTICE_CHARS:
        notice.problems.append(NoticeProblem(0, "", _("The notice is longer than %(n)s characters.") % {"n": MAX_NOTICE_CHARS}))
        return notice
    lowest, highest = dt.date(year, 1, 1) - EDGE, dt.date(year, 12, 31) + EDGE
    seen: dict[dt.date, NoticeDay] = {}

    def problem(line: int, message: Any) -> None:
        notice.problems.append(NoticeProblem(line, _line_text(text, line), message))

    for line, name, body in _items(text):
        for sentence in re.split(r"[。；;]", body):
            if not sentence.strip():
                continue
            working = "上班" in sentence
            off = ("放假" in sentence or "休" in sentence.replace("不调休", "")) and not working
            if not working and not off:
                continue
            found = _dates(sentence, year)
            if not found:
                continue
            days: list[dt.date] = []
            for item in found:
                if item.error is not None:
                    problem(line, item.error)
                    continue
                assert item.date is not None
                if item.weekday_said is not None and item.weekday_said != item.date.weekday():
                    problem(
                        line,
                        _("%(date)s is a %(actual)s, the notice says %(said)s: is the year %(year)s right?")
                        % {
                            "date": item.date.isoformat(),
                            "actual": WEEKDAYS[item.date.weekday()],
                            "said": WEEKDAYS[item.weekday_said],
                            "year": year,
                        },
                    )
                    continue
                if not lowest <= item.date <= highest:
                    problem(line, _("%(date)s is not in or next to %(year)s.") % {"date": item.date.isoformat(), "year": year})
                    continue
                days.append(item.date)
            if off and len(found) == 2 and len(days) == 2 and _is_range(sentence, found):
                first, last = days
                if last < first:
                    problem(line, _("The range ends before it starts."))
                    continue
                if (last - first).days > 15:
                    problem(line, _("A holiday of more than 16 days: check the dates."))
                    continue
                days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
            for date in days:
                earlier = seen.get(date)
                if earlier is not None and earlier.is_workday != working:
                    problem(line, _("%(date)s is both a day off and a workday.") % {"date": date.isoformat()})
                    continue
                seen[date] = NoticeDay(date=date, is_workday=working, name=(name or ("上班" if working else "放假"))[:64])
    if not seen and not notice.problems:
        problem(1, _("No day off or make-up workday found: paste the notice's items as published."))
    notice.days = sorted(seen.values(), key=lambda d: d.date)
    return notice


def _is_range(sentence: str, found: list[_Found]) -> bool:
    between = sentence[found[0].end : found[1].start]
    between = _BRACKET.sub("", between).strip()
    return any(word in between for word in _RANGE_WORDS)


def missing_statutory(notice: Notice, statutory: dict[dt.date, str]) -> list[tuple[dt.date, str]]:
    """The statutory holidays the notice leaves as workdays (a truncated paste, usually): a date
    neither named as a day off nor (being on a weekend) a day off anyway."""
    off = {d.date for d in notice.days_off}
    named_work = {d.date for d in notice.workdays}
    return [(date, name) for date, name in statutory.items() if date not in off and (date in named_work or date.weekday() < 5)]
