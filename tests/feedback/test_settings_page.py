"""The administrator's survey settings page (both languages, saved as a new version, errors
next to their field, administrators only) and the customer's survey page showing only the
configured questions, with the administrator's comment prompt in the reader's language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.feedback.models import SendDelay, SurveySettings, SurveyStatus
from aftersales.feedback.services import survey_link
from tests.clients import client_for_language
from tests.factories import UserFactory

from .helpers import administrator, pending, resolved, save

pytestmark = pytest.mark.django_db

URL = reverse("feedback:settings")


def _in(client, language: str):  # type: ignore[no-untyped-def]
    """The anonymous customer's browser asking for ``language`` (the language switch's cookie)."""
    client.cookies["django_language"] = language
    return client


def _form(**changes: object) -> dict[str, object]:
    """The page's fields as the defaults fill them, with ``changes``."""
    data: dict[str, object] = {
        "ask_solved": "on",
        "ask_nps": "on",
        "delay": SendDelay.IMMEDIATELY,
        "send_time": "10:00",
        "valid_days": "30",
        "expected_version": "0",
    }
    for place, name in enumerate(("overall", "speed", "attitude", "professionalism", "result"), start=1):
        data[f"ask_{name}"] = "on"
        data[f"order_{name}"] = str(place)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["满意度", "提醒"]),
        ("en", ["Satisfaction survey settings", "Reminder after (days)", "In force: the defaults"]),
    ],
)
def test_the_page_reads_in_both_languages(language, words):
    response = client_for_language(administrator(), language).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-test-id="survey-settings-form"' in page and 'data-test-id="field-delay"' in page
    for word in words:
        assert word in page


def test_saving_makes_a_version_with_the_aspects_in_their_places():
    client = client_for_language(administrator(), "en")
    response = client.post(
        URL,
        _form(
            ask_speed=None,
            ask_attitude=None,
            order_result="1",
            order_overall="2",
            ask_solved=None,
            delay=SendDelay.HOURS,
            delay_hours="2",
            reminder_days="3",
            comment_prompt_zh="还有什么建议？",
            comment_prompt_en="Any suggestions?",
        ),
    )
    assert response.status_code == 302
    row = SurveySettings.objects.get()
    assert row.aspects == ["result", "overall", "professionalism"]
    assert (row.ask_solved, row.ask_nps, row.delay, row.delay_hours, row.reminder_days) == (False, True, "hours", 2, 3)
    page = client.get(URL).content.decode()
    assert "In force: version 1" in page and 'data-test-id="survey-settings-version-1"' in page


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"delay": SendDelay.HOURS, "delay_hours": None}, "delay_hours"),
        ({"reminder_days": "30", "valid_days": "30"}, "reminder_days"),
        ({"comment_prompt_zh": "建议？"}, "comment_prompt_en"),
        ({"valid_days": "abc"}, "valid_days"),
    ],
)
def test_a_mistake_is_shown_next_to_its_field(changes, field):
    response = client_for_language(administrator(), "en").post(URL, _form(**changes))
    assert response.status_code == 200
    assert f'data-test-id="error-{field}"' in response.content.decode()
    assert not SurveySettings.objects.exists()


def test_no_aspect_is_said_on_top_of_the_form():
    off = {f"ask_{name}": None for name in ("overall", "speed", "attitude", "professionalism", "result")}
    response = client_for_language(administrator(), "en").post(URL, _form(**off))
    assert response.status_code == 200 and "Ask at least one aspect." in response.content.decode()
    assert not SurveySettings.objects.exists()


def test_a_stale_form_is_refused_with_who_changed_it():
    save(administrator(display_name="李管理"), valid_days=20)
    response = client_for_language(administrator(), "en").post(URL, _form(expected_version="0"))
    assert response.status_code == 200 and "李管理" in response.content.decode()
    assert SurveySettings.objects.count() == 1


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.CUSTOMER])
def test_only_administrators_open_the_page(role):
    client = client_for_language(UserFactory(role=role, data_scope=DataScope.ALL))
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(valid_days="9")).status_code == 403
    assert not SurveySettings.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


# --- The customer's survey page -------------------------------------------------------------------


@pytest.mark.parametrize(("language", "prompt"), [("zh-hans", "还有什么建议？"), ("en", "Any suggestions?")])
def test_the_survey_page_shows_only_the_configured_questions(client, language, prompt):
    save(
        administrator(),
        aspects=["result", "overall"],
        ask_solved=False,
        ask_nps=True,
        comment_prompt_zh="还有什么建议？",
        comment_prompt_en="Any suggestions?",
    )
    survey = pending(resolved())
    page = _in(client, language).get(survey_link(survey=survey)).content.decode()
    for shown in ("result", "overall", "nps", "comment"):
        assert f'data-test-id="field-{shown}"' in page
    for hidden in ("solved", "speed", "attitude", "professionalism"):
        assert f'data-test-id="field-{hidden}"' not in page
    assert prompt in page
    assert page.index('data-test-id="field-result"') < page.index('data-test-id="field-overall"')


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", ["满意度", "推荐"]), ("en", ["How likely are you to recommend us", "Was your problem solved?"])],
)
def test_the_default_survey_page_reads_in_both_languages(client, language, words):
    page = _in(client, language).get(survey_link(survey=pending(resolved()))).content.decode()
    for word in words:
        assert word in page


def test_the_customer_answers_the_nps_on_the_page(client):
    survey = pending(resolved())
    response = client.post(survey_link(survey=survey), {"solved": "yes", "overall": "5", "nps": "9"})
    assert 'data-test-id="survey-done"' in response.content.decode()
    survey.refresh_from_db()
    assert (survey.status, survey.nps) == (SurveyStatus.SUBMITTED, 9)


def test_a_missing_answer_is_named_on_the_page(client):
    save(administrator(), aspects=["speed", "overall"], ask_solved=False)
    survey = pending(resolved())
    response = client.post(survey_link(survey=survey), {"speed": "4", "nps": "11"})
    page = response.content.decode()
    assert 'data-test-id="error-overall"' in page and 'data-test-id="error-nps"' in page
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.PENDING
