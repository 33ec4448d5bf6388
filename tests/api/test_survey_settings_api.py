"""API v1 ``/surveys/settings``: administrators read the satisfaction survey's settings in force
and save a new version (docs/surveys.md); a stale ``expected_version`` is a 409, a bad value a 422
naming the field, other roles a 403; every save is audited."""

from __future__ import annotations

import json

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.feedback.models import SurveySettings
from tests.factories import UserFactory

from .conftest import api_client

pytestmark = pytest.mark.django_db
PATH = "/api/v1/surveys/settings"
SCOPES = ["surveys:read", "surveys:write"]


def _put(api, body: dict):
    return api.client.put(PATH, json.dumps(body), content_type="application/json", headers=api._headers(None))


def test_an_administrator_reads_the_defaults_then_saves_a_version():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    api = api_client(admin, scopes=SCOPES)
    first = api.get(PATH)
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["version"] == 0 and body["ask_nps"] is True and "overall" in body["aspects"]

    saved = _put(api, {"aspects": ["overall", "attitude"], "ask_nps": False, "reminder_days": 3, "expected_version": 0})
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert (body["version"], body["aspects"], body["ask_nps"], body["reminder_days"]) == (1, ["overall", "attitude"], False, 3)
    assert "nps" not in body["questions"]
    assert SurveySettings.objects.count() == 1
    assert AuditEvent.objects.filter(actor=admin, object_type="feedback.surveysettings").exists()

    stale = _put(api, {"aspects": ["overall"], "expected_version": 0})
    assert stale.status_code == 409, stale.content
    assert SurveySettings.objects.count() == 1


def test_a_bad_value_names_its_field_and_other_roles_are_refused():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    bad = _put(api_client(admin, scopes=SCOPES), {"aspects": ["overall", "mood"]})
    assert bad.status_code == 422, bad.content
    assert "aspects" in json.dumps(bad.json())
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    assert api_client(supervisor, scopes=SCOPES).get(PATH).status_code == 403
    assert _put(api_client(supervisor, scopes=SCOPES), {"aspects": ["overall"]}).status_code == 403
    assert not SurveySettings.objects.exists()


def test_a_survey_sent_with_the_nps_question_is_answered_through_the_api_and_shows_its_questions():
    """The survey read names what it asks; an app answers the 0–10 question; a question the
    survey does not ask is refused, naming it."""
    from tests.feedback.helpers import resolved

    from .conftest import customer_user

    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    assert (
        _put(api_client(admin, scopes=SCOPES), {"aspects": ["overall"], "ask_solved": True, "ask_nps": True}).status_code == 200
    )
    ticket = resolved()  # the survey is sent on resolution (the settings say: at once)
    api = api_client(customer_user(ticket))
    path = f"/api/v1/tickets/{ticket.number}/survey"
    read = api.get(path)
    assert read.status_code == 200, read.content
    assert read.json()["questions"] == ["solved", "overall", "nps"]
    refused = api.post(path, {"overall": 5, "solved": True, "nps": 9, "speed": 4})
    assert refused.status_code == 422 and "speed" in json.dumps(refused.json())
    answered = api.post(path, {"overall": 5, "solved": True, "nps": 9})
    assert answered.status_code == 201, answered.content
    assert answered.json()["nps"] == 9
