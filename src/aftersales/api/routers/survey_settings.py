"""API v1: the satisfaction survey's settings (administrators): read the version in force with
the questions a survey sent now asks, and save a new version (``feedback.settings_services``:
validated per field, audited, refused with 409 when ``expected_version`` is stale). docs/surveys.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from aftersales.feedback.config import SurveyConfig
from aftersales.feedback.models import RATING_FIELDS, SendDelay
from aftersales.feedback.selectors import require_survey_settings_editor, survey_settings_current
from aftersales.feedback.settings_services import SurveySettingsInput, survey_settings_save

from ..models import Scope
from .common import problems, staff_caller

router = Router(tags=["Surveys"])


class SurveySettingsOut(Schema):
    version: int = Field(description="The version in force; 0: the built-in defaults (never saved).")
    questions: list[str] = Field(description="What a survey sent now asks, in order: solved, the aspects, nps.")
    aspects: list[str] = Field(description=f"The 1–5 aspects asked, in order; of {', '.join(RATING_FIELDS)}.")
    ask_solved: bool
    ask_nps: bool
    comment_prompt_zh: str
    comment_prompt_en: str
    delay: str = Field(description="immediately | hours | next_working_day")
    delay_hours: int
    send_time: dt.time
    calendar: int | None = Field(description="The business calendar of next_working_day; null: the office calendar.")
    reminder_days: int | None = Field(description="One reminder this many days after the invitation; null: none.")
    valid_days: int


class SurveySettingsIn(Schema):
    aspects: list[str] = Field(min_length=1, max_length=len(RATING_FIELDS))
    ask_solved: bool = True
    ask_nps: bool = True
    comment_prompt_zh: str = Field("", max_length=200)
    comment_prompt_en: str = Field("", max_length=200)
    delay: SendDelay = SendDelay.IMMEDIATELY
    delay_hours: int | None = Field(None, ge=1, le=720)
    send_time: dt.time | None = None
    calendar: int | None = Field(None, ge=1)
    reminder_days: int | None = Field(None, ge=1, le=365)
    valid_days: int = Field(30, ge=1, le=365)
    expected_version: int | None = Field(
        None, ge=0, description="The version read; another administrator's save since then is a 409."
    )


def _out(config: SurveyConfig) -> SurveySettingsOut:
    return SurveySettingsOut(
        version=config.version,
        questions=list(config.questions),
        aspects=list(config.aspects),
        ask_solved=config.ask_solved,
        ask_nps=config.ask_nps,
        comment_prompt_zh=config.comment_prompt_zh,
        comment_prompt_en=config.comment_prompt_en,
        delay=config.delay,
        delay_hours=config.delay_hours,
        send_time=config.send_time,
        calendar=config.calendar_id,
        reminder_days=config.reminder_days,
        valid_days=config.valid_days,
    )


@router.get(
    "/surveys/settings",
    response={200: SurveySettingsOut, **problems(403)},
    summary="The satisfaction survey's settings in force (administrators)",
)
def get_survey_settings(request: HttpRequest) -> Any:
    caller = staff_caller(request, Scope.SURVEYS_READ)
    require_survey_settings_editor(caller.user)
    return _out(survey_settings_current())


@router.put(
    "/surveys/settings",
    response={200: SurveySettingsOut, **problems(403, 409, 422)},
    summary="Save the satisfaction survey's settings as a new version (administrators)",
)
def put_survey_settings(request: HttpRequest, payload: SurveySettingsIn) -> Any:
    caller = staff_caller(request, Scope.SURVEYS_WRITE)
    data = SurveySettingsInput(
        aspects=list(payload.aspects),
        ask_solved=payload.ask_solved,
        ask_nps=payload.ask_nps,
        comment_prompt_zh=payload.comment_prompt_zh,
        comment_prompt_en=payload.comment_prompt_en,
        delay=str(payload.delay),
        delay_hours=payload.delay_hours,
        send_time=payload.send_time,
        calendar_id=payload.calendar,
        reminder_days=payload.reminder_days,
        valid_days=payload.valid_days,
    )
    survey_settings_save(actor=caller.user, data=data, expected_version=payload.expected_version)
    return _out(survey_settings_current())
