"""The survey settings: versioned (a save is a new version; nothing changed, nothing saved),
audited, refused when stale, validated per field, and only administrators change them."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, PermissionDenied, ValidationFailed
from aftersales.feedback.models import RATING_FIELDS, SendDelay, SurveySettings
from aftersales.feedback.selectors import survey_settings_current
from aftersales.feedback.settings_services import SurveySettingsInput, survey_settings_save
from tests.factories import UserFactory

from .helpers import administrator, save

pytestmark = pytest.mark.django_db


def test_without_a_saved_version_the_defaults_ask_everything_at_once():
    config = survey_settings_current()
    assert config.row is None and config.version == 0
    assert config.questions == ("solved", *RATING_FIELDS, "nps")
    assert (config.delay, config.reminder_days, config.valid_days) == (SendDelay.IMMEDIATELY, None, 30)


def test_each_save_is_a_new_audited_version_and_an_unchanged_one_is_none():
    admin = administrator()
    first = save(admin, aspects=["result", "overall"], ask_nps=False)
    second = save(admin, aspects=["result", "overall"], ask_nps=False, reminder_days=3, valid_days=10)
    again = save(admin, aspects=["result", "overall"], ask_nps=False, reminder_days=3, valid_days=10)

    assert (first.version, second.version) == (1, 2)
    assert again == second and SurveySettings.objects.count() == 2
    assert survey_settings_current().row == second
    first.refresh_from_db()
    assert first.aspects == ["result", "overall"] and first.reminder_days is None  # never changed
    events = list(AuditEvent.objects.filter(action="feedback.settings_saved").order_by("pk"))
    assert [e.object_id for e in events] == [str(first.pk), str(second.pk)]
    assert events[0].actor == admin
    assert events[0].changes["aspects"] == [list(RATING_FIELDS), ["result", "overall"]]
    assert events[0].changes["ask_nps"] == [True, False]
    assert events[1].changes == {"version": 2, "reminder_days": [None, 3], "valid_days": [30, 10]}


def test_a_save_over_a_newer_version_is_refused():
    admin, other = administrator(), administrator(display_name="王管理")
    save(admin, valid_days=20)  # version 1: both read it
    survey_settings_save(actor=other, data=SurveySettingsInput(valid_days=15), expected_version=1)

    with pytest.raises(Conflict) as stale:
        survey_settings_save(actor=admin, data=SurveySettingsInput(valid_days=25), expected_version=1)

    assert stale.value.code == "survey_settings_stale" and "王管理" in str(stale.value.message)
    assert survey_settings_current().valid_days == 15


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"aspects": []}, "aspects"),
        ({"aspects": ["overall", "overall"]}, "aspects"),
        ({"aspects": ["overall", "mood"]}, "aspects"),
        ({"delay": "tomorrow"}, "delay"),
        ({"delay": SendDelay.HOURS, "delay_hours": None}, "delay_hours"),
        ({"delay": SendDelay.HOURS, "delay_hours": 721}, "delay_hours"),
        ({"delay": SendDelay.NEXT_WORKING_DAY, "send_time": None}, "send_time"),
        ({"calendar_id": 987654}, "calendar"),
        ({"valid_days": 0}, "valid_days"),
        ({"valid_days": None}, "valid_days"),
        ({"reminder_days": 30, "valid_days": 30}, "reminder_days"),
        ({"reminder_days": 0}, "reminder_days"),
        ({"comment_prompt_zh": "还有什么想说的？"}, "comment_prompt_en"),
        ({"comment_prompt_en": "Anything else?"}, "comment_prompt_zh"),
        ({"comment_prompt_zh": "长" * 201, "comment_prompt_en": "x"}, "comment_prompt_zh"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(values, field):
    with pytest.raises(ValidationFailed) as invalid:
        save(administrator(), **values)
    assert field in invalid.value.errors
    assert not SurveySettings.objects.exists()


def test_a_delay_keeps_only_what_it_needs():
    row = save(administrator(), delay=SendDelay.NEXT_WORKING_DAY, send_time=dt.time(9, 30), delay_hours=5)
    assert (row.delay_hours, row.send_time) == (0, dt.time(9, 30))


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.CUSTOMER])
def test_only_administrators_change_the_settings(role):
    with pytest.raises(PermissionDenied):
        save(UserFactory(role=role, data_scope=DataScope.ALL), valid_days=9)
    assert not SurveySettings.objects.exists()


def test_a_superuser_may():
    assert save(UserFactory(role=Role.AGENT, is_superuser=True), valid_days=9).version == 1
