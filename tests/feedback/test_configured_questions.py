"""The settings decide what a survey asks and stores; a survey keeps the questions it was sent
with when the settings change; an answer to a question not asked is refused naming the field."""

from __future__ import annotations

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import ValidationFailed
from aftersales.feedback.models import LEGACY_QUESTIONS, Survey, SurveyStatus
from aftersales.feedback.services import survey_signed_token, survey_submit
from aftersales.tickets.states import TicketStatus
from tests.tickets.process_helpers import refreshed

from .helpers import administrator, pending, resolved, save

pytestmark = pytest.mark.django_db


def test_the_settings_decide_the_questions_and_their_order():
    version = save(administrator(), aspects=["result", "overall", "speed"], ask_solved=False, ask_nps=True)
    survey = pending(resolved())
    assert survey.settings_version == version
    assert survey.asked == ("result", "overall", "speed", "nps")


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"attitude": 4}, "attitude"),  # not asked
        ({"solved": True}, "solved"),  # not asked
        ({"nps": 11}, "nps"),
        ({"nps": -1}, "nps"),
        ({"overall": None}, "overall"),  # asked and required
        ({"result": 0}, "result"),
    ],
)
def test_an_answer_outside_the_questions_is_refused_naming_the_field(answers, field):
    save(administrator(), aspects=["overall", "result"], ask_solved=False, ask_nps=True)
    survey = pending(resolved())

    with pytest.raises(ValidationFailed) as invalid:
        survey_submit(signed_token=survey_signed_token(survey=survey), **{"overall": 4, **answers})

    assert field in invalid.value.errors
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.PENDING


def test_the_answers_to_the_questions_asked_are_stored_with_the_nps():
    save(administrator(), aspects=["overall", "result"], ask_solved=False, ask_nps=True)
    ticket = resolved()
    survey = pending(ticket)

    survey_submit(signed_token=survey_signed_token(survey=survey), overall=4, result=5, nps=9, comment="好")

    survey.refresh_from_db()
    assert (survey.status, survey.overall, survey.result, survey.nps, survey.solved) == (SurveyStatus.SUBMITTED, 4, 5, 9, None)
    assert (survey.speed, survey.attitude) == (None, None)
    audit = AuditEvent.objects.get(action="feedback.survey_submitted", object_id=str(survey.pk))
    assert audit.changes == {"overall": 4, "result": 5, "nps": 9}
    assert refreshed(ticket).status == TicketStatus.CLOSED


def test_a_survey_keeps_the_questions_it_was_sent_with():
    admin = administrator()
    first_version = save(admin, aspects=["overall", "speed"], ask_nps=False)
    before = pending(resolved())
    save(admin, aspects=["overall"], ask_solved=False, ask_nps=True)  # version 2
    after = pending(resolved())

    before.refresh_from_db()
    assert before.settings_version == first_version and before.asked == ("solved", "overall", "speed")
    assert after.asked == ("overall", "nps")
    # The old survey is answered with its own questions, including one version 2 no longer asks.
    survey_submit(signed_token=survey_signed_token(survey=before), overall=5, speed=2, solved=True)
    with pytest.raises(ValidationFailed) as invalid:
        survey_submit(signed_token=survey_signed_token(survey=after), overall=5, speed=2)
    assert list(invalid.value.errors) == ["speed"]


def test_a_survey_of_before_the_settings_asks_what_it_asked_then():
    ticket = resolved()
    Survey.objects.filter(ticket=ticket).update(questions=[], settings_version=None)  # a row of before 0002
    survey = pending(ticket)
    assert survey.asked == LEGACY_QUESTIONS and "nps" not in survey.asked
    with pytest.raises(ValidationFailed) as invalid:
        survey_submit(signed_token=survey_signed_token(survey=survey), overall=5, solved=True, nps=10)
    assert list(invalid.value.errors) == ["nps"]


@pytest.mark.parametrize(
    ("marks", "status"), [({"speed": 2, "result": 1}, TicketStatus.REOPENED), ({"speed": 2, "result": 4}, TicketStatus.CLOSED)]
)
def test_without_the_overall_question_the_mean_of_the_aspects_decides(marks, status):
    save(administrator(), aspects=["speed", "result"], ask_solved=False, ask_nps=False)
    ticket = resolved()

    survey_submit(signed_token=survey_signed_token(survey=pending(ticket)), **marks)

    assert refreshed(ticket).status == status


def test_not_solved_reopens_whatever_the_marks():
    save(administrator(), aspects=["speed"], ask_solved=True, ask_nps=True)
    ticket = resolved()
    survey_submit(signed_token=survey_signed_token(survey=pending(ticket)), solved=False, speed=5, nps=10)
    assert refreshed(ticket).status == TicketStatus.REOPENED


def test_solved_is_required_when_asked():
    ticket = resolved()
    with pytest.raises(ValidationFailed) as invalid:
        survey_submit(signed_token=survey_signed_token(survey=pending(ticket)), overall=5)
    assert list(invalid.value.errors) == ["solved"]
