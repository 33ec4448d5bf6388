"""Changing the satisfaction survey's settings (administrators): each save is a new version.

Surveys already created keep the version (and the questions) they were sent with; the new
version applies to the surveys of resolutions from now on. Every change writes an audit row with
what changed; a save over another administrator's newer version is refused (``Conflict``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.sla.models import Calendar

from .audit_actions import FeedbackAudit
from .config import SurveyConfig
from .models import RATING_FIELDS, SendDelay, SurveySettings
from .selectors import require_survey_settings_editor, survey_settings_current

MAX_DELAY_HOURS = 720
MAX_VALID_DAYS = 365
PROMPT_LIMIT = 200


@dataclass(frozen=True)
class SurveySettingsInput:
    """What the administrator's page and the API send."""

    aspects: list[str] = field(default_factory=lambda: list(RATING_FIELDS))
    ask_solved: bool = True
    ask_nps: bool = True
    comment_prompt_zh: str = ""
    comment_prompt_en: str = ""
    delay: str = SendDelay.IMMEDIATELY
    delay_hours: int | None = None
    send_time: dt.time | None = None
    calendar_id: int | None = None
    reminder_days: int | None = None
    valid_days: int | None = 30


def _int_between(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _validate(data: SurveySettingsInput) -> dict[str, Any]:
    errors: dict[str, list[object]] = {}
    aspects = list(data.aspects or [])
    if any(name not in RATING_FIELDS for name in aspects) or len(set(aspects)) != len(aspects):
        errors["aspects"] = [_("Choose aspects from the list, each once.")]
    elif not aspects:
        errors["aspects"] = [_("Ask at least one aspect.")]
    zh, en = (data.comment_prompt_zh or "").strip(), (data.comment_prompt_en or "").strip()
    for name, text in (("comment_prompt_zh", zh), ("comment_prompt_en", en)):
        if len(text) > PROMPT_LIMIT:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": PROMPT_LIMIT}]
    if bool(zh) != bool(en):
        missing = "comment_prompt_en" if zh else "comment_prompt_zh"
        errors.setdefault(missing, [_("Enter the prompt in both languages, or leave both empty.")])
    if data.delay not in SendDelay.values:
        errors["delay"] = [_("Choose when the survey is sent.")]
    hours = data.delay_hours or 0
    if data.delay == SendDelay.HOURS and not _int_between(data.delay_hours, 1, MAX_DELAY_HOURS):
        errors["delay_hours"] = [_("Enter a number of hours from 1 to %(limit)d.") % {"limit": MAX_DELAY_HOURS}]
    send_time = data.send_time or dt.time(10, 0)
    if data.delay == SendDelay.NEXT_WORKING_DAY and data.send_time is None:
        errors["send_time"] = [_("Enter the time of day the survey is sent.")]
    if data.calendar_id is not None and not Calendar.objects.filter(pk=data.calendar_id).exists():
        errors["calendar"] = [_("Choose a business calendar from the list.")]
    if not _int_between(data.valid_days, 1, MAX_VALID_DAYS):
        errors["valid_days"] = [_("Enter a number of days from 1 to %(limit)d.") % {"limit": MAX_VALID_DAYS}]
    if data.reminder_days is not None:
        if not _int_between(data.reminder_days, 1, MAX_VALID_DAYS):
            errors["reminder_days"] = [_("Enter a number of days from 1 to %(limit)d.") % {"limit": MAX_VALID_DAYS}]
        elif _int_between(data.valid_days, 1, MAX_VALID_DAYS) and data.reminder_days >= int(data.valid_days or 0):
            errors["reminder_days"] = [_("The reminder must come before the link expires.")]
    if errors:
        raise ValidationFailed(errors, code="survey_settings_invalid")
    return {
        "aspects": aspects,
        "ask_solved": bool(data.ask_solved),
        "ask_nps": bool(data.ask_nps),
        "comment_prompt_zh": zh,
        "comment_prompt_en": en,
        "delay": data.delay,
        "delay_hours": hours if data.delay == SendDelay.HOURS else 0,
        "send_time": send_time,
        "calendar_id": data.calendar_id,
        "reminder_days": data.reminder_days,
        "valid_days": data.valid_days,
    }


def _values(config: SurveyConfig) -> dict[str, Any]:
    return {
        "aspects": list(config.aspects),
        "ask_solved": config.ask_solved,
        "ask_nps": config.ask_nps,
        "comment_prompt_zh": config.comment_prompt_zh,
        "comment_prompt_en": config.comment_prompt_en,
        "delay": config.delay,
        "delay_hours": config.delay_hours,
        "send_time": config.send_time,
        "calendar_id": config.calendar_id,
        "reminder_days": config.reminder_days,
        "valid_days": config.valid_days,
    }


def _stale(config: SurveyConfig) -> Conflict:
    row = config.row
    who = str(row.saved_by) if row is not None and row.saved_by is not None else "—"
    when = timezone.localtime(row.saved_at).strftime("%Y-%m-%d %H:%M") if row is not None else "—"
    return Conflict(
        _("The survey settings were changed by %(who)s at %(when)s; reload the page and make your change again.")
        % {"who": who, "when": when},
        code="survey_settings_stale",
    )


def _audit_value(value: Any) -> Any:
    return value.isoformat(timespec="minutes") if isinstance(value, dt.time) else value


@transaction.atomic
def survey_settings_save(*, actor: User, data: SurveySettingsInput, expected_version: int | None = None) -> SurveySettings | None:
    """Save the settings as a new version (from now on every new survey uses it); returns it,
    or the version in force unchanged (None while the defaults apply) when nothing changed.

    ``expected_version``: the version the administrator read (0 for the defaults); another
    administrator's save since then is refused with ``Conflict``."""
    require_survey_settings_editor(actor)
    values = _validate(data)
    current = survey_settings_current()
    if expected_version is not None and expected_version != current.version:
        raise _stale(current)
    before = _values(current)
    changes = {name: [_audit_value(before[name]), _audit_value(value)] for name, value in values.items() if before[name] != value}
    if not changes and current.row is not None:
        return current.row
    try:
        with transaction.atomic():
            row = SurveySettings.objects.create(version=current.version + 1, saved_by=actor, saved_at=clock.now(), **values)
    except IntegrityError:  # another administrator saved the same version a moment earlier
        raise _stale(survey_settings_current()) from None
    audit_record(action=FeedbackAudit.SETTINGS_SAVED, obj=row, actor=actor, changes={"version": row.version, **changes})
    return row
