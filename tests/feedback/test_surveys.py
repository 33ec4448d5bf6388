"""The satisfaction survey: sent on resolution, validated, answered once through a signed link."""

from __future__ import annotations

import pytest

from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.feedback.services import survey_signed_token, survey_submit
from aftersales.tickets.models import AgreementMethod, MeasureStatus, TicketPlan
from aftersales.tickets.process import ticket_record_agreement, ticket_resolve, ticket_submit_plan, ticket_update_measure
from aftersales.tickets.states import TicketStatus
from tests.factories import make_ticket
from tests.tickets.process_helpers import agent, analysed, refreshed, repair_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved_ticket():  # type: ignore[no-untyped-def]
    handler = agent()
    ticket = analysed(make_ticket(actor=handler), handler)
    repair_plan(ticket, handler)
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    ticket_record_agreement(
        ticket=ticket, actor=handler, accepted=True, method=AgreementMethod.PHONE, agreed_at=ticket.updated_at
    )
    for measure in TicketPlan.objects.get(ticket=ticket, is_current=True).measures.all():
        ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE)
    return ticket_resolve(ticket=refreshed(ticket), actor=handler, summary="已修复")


@pytest.mark.parametrize(
    ("ratings", "field"),
    [
        ({"overall": 0}, "overall"),
        ({"overall": 6}, "overall"),
        ({"overall": 3, "speed": 9}, "speed"),
        ({"overall": None}, "overall"),
    ],
)
def test_ratings_must_be_between_one_and_five(resolved_ticket, ratings, field):
    survey = Survey.objects.get(ticket=resolved_ticket)

    with pytest.raises(ValidationFailed) as invalid:
        survey_submit(signed_token=survey_signed_token(survey=survey), solved=True, **ratings)

    assert field in invalid.value.errors
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.PENDING


def test_a_forged_link_is_refused(resolved_ticket):
    survey = Survey.objects.get(ticket=resolved_ticket)
    with pytest.raises(NotFound):
        survey_submit(signed_token=survey.token, overall=5, solved=True)
    with pytest.raises(NotFound):
        survey_submit(signed_token=survey_signed_token(survey=survey) + "x", overall=5, solved=True)


def test_a_survey_is_answered_once(resolved_ticket):
    survey = Survey.objects.get(ticket=resolved_ticket)
    signed = survey_signed_token(survey=survey)

    answered = survey_submit(signed_token=signed, overall=4, speed=4, attitude=5, professionalism=5, result=4, solved=True)

    assert (answered.status, answered.overall, answered.solved) == (SurveyStatus.SUBMITTED, 4, True)
    assert answered.submitted_at is not None
    with pytest.raises(Conflict):
        survey_submit(signed_token=signed, overall=1, solved=False)
    assert refreshed(resolved_ticket).status == TicketStatus.CLOSED


def test_not_solved_reopens_even_with_good_marks(resolved_ticket):
    survey = Survey.objects.get(ticket=resolved_ticket)

    survey_submit(signed_token=survey_signed_token(survey=survey), overall=4, solved=False, comment="问题依旧")

    ticket = refreshed(resolved_ticket)
    assert (ticket.status, ticket.escalation_level) == (TicketStatus.REOPENED, 1)
