"""The survey settings in force, as plain values: the newest ``SurveySettings`` version or the
built-in defaults (the five aspects, "solved?" and the 0–10 recommendation, sent at once, the
link valid for 30 days, no reminder)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import NPS, RATING_FIELDS, SOLVED, SendDelay, SurveySettings

DEFAULT_VALID_DAYS = 30
DEFAULT_SEND_TIME = dt.time(10, 0)
DEFAULT_COMMENT_PROMPT = _("Comment")

# The question labels, on the survey page and the settings page (read in the reader's language).
QUESTION_LABELS = {
    SOLVED: _("Was your problem solved?"),
    "overall": _("Overall satisfaction"),
    "speed": _("Speed"),
    "attitude": _("Attitude"),
    "professionalism": _("Professionalism"),
    "result": _("Result"),
    NPS: _("How likely are you to recommend us to a friend or colleague?"),
}


@dataclass(frozen=True)
class SurveyConfig:
    """What a survey sent now asks and when it goes out. ``row`` is the version in force (None:
    the defaults, never saved)."""

    row: SurveySettings | None
    aspects: tuple[str, ...] = RATING_FIELDS
    ask_solved: bool = True
    ask_nps: bool = True
    comment_prompt_zh: str = ""
    comment_prompt_en: str = ""
    delay: str = SendDelay.IMMEDIATELY
    delay_hours: int = 0
    send_time: dt.time = DEFAULT_SEND_TIME
    calendar_id: int | None = None
    reminder_days: int | None = None
    valid_days: int = DEFAULT_VALID_DAYS

    @property
    def version(self) -> int:
        return self.row.version if self.row is not None else 0

    @property
    def questions(self) -> tuple[str, ...]:
        """In the order the page shows them: solved, the aspects in their order, the NPS."""
        return (*((SOLVED,) if self.ask_solved else ()), *self.aspects, *((NPS,) if self.ask_nps else ()))


DEFAULTS = SurveyConfig(row=None)


def config_of(row: SurveySettings | None) -> SurveyConfig:
    if row is None:
        return DEFAULTS
    return SurveyConfig(
        row=row,
        aspects=tuple(name for name in row.aspects if name in RATING_FIELDS),
        ask_solved=row.ask_solved,
        ask_nps=row.ask_nps,
        comment_prompt_zh=row.comment_prompt_zh,
        comment_prompt_en=row.comment_prompt_en,
        delay=row.delay,
        delay_hours=row.delay_hours,
        send_time=row.send_time,
        calendar_id=row.calendar_id,
        reminder_days=row.reminder_days,
        valid_days=row.valid_days,
    )


def comment_prompt(row: SurveySettings | None) -> str:
    """The comment question in the reader's language: the administrator's words, else "Comment"."""
    if row is not None:
        typed = row.comment_prompt_zh if (get_language() or "zh-hans").startswith("zh") else row.comment_prompt_en
        if typed.strip():
            return typed.strip()
    return str(DEFAULT_COMMENT_PROMPT)
