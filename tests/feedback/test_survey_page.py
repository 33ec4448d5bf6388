"""The survey page the customer opens from the link in the 'resolved' message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.feedback.services import survey_link
from aftersales.tickets.states import TicketStatus
from tests.feedback.test_surveys import resolved_ticket  # noqa: F401 - the fixture
from tests.tickets.process_helpers import refreshed

pytestmark = pytest.mark.django_db


def test_the_link_is_the_survey_page_and_it_opens_without_login(client, resolved_ticket):  # noqa: F811
    survey = Survey.objects.get(ticket=resolved_ticket, status=SurveyStatus.PENDING)
    link = survey_link(survey=survey)
    assert link.startswith(reverse("feedback:survey", args=["x"]).rsplit("x/", 1)[0])
    response = client.get(link)
    assert response.status_code == 200
    assert resolved_ticket.number in response.content.decode()


def test_a_happy_customer_closes_the_ticket(client, resolved_ticket):  # noqa: F811
    survey = Survey.objects.get(ticket=resolved_ticket, status=SurveyStatus.PENDING)
    response = client.post(survey_link(survey=survey), {"solved": "yes", "overall": "5", "speed": "4", "comment": "师傅很专业"})
    assert response.status_code == 200
    assert 'data-test-id="survey-done"' in response.content.decode()
    assert refreshed(resolved_ticket).status == TicketStatus.CLOSED


def test_an_unhappy_customer_reopens_for_secondary_processing(client, resolved_ticket):  # noqa: F811
    survey = Survey.objects.get(ticket=resolved_ticket, status=SurveyStatus.PENDING)
    client.post(survey_link(survey=survey), {"solved": "no", "overall": "2"})
    ticket = refreshed(resolved_ticket)
    assert ticket.status == TicketStatus.REOPENED
    assert ticket.escalation_level >= 1


def test_missing_overall_rating_is_shown_next_to_the_field_not_a_500(client, resolved_ticket):  # noqa: F811
    survey = Survey.objects.get(ticket=resolved_ticket, status=SurveyStatus.PENDING)
    response = client.post(survey_link(survey=survey), {"solved": "yes"})
    assert response.status_code == 200
    assert 'data-test-id="error-overall"' in response.content.decode()
    assert refreshed(resolved_ticket).status == TicketStatus.RESOLVED


def test_a_forged_link_is_404(client):
    assert client.get(reverse("feedback:survey", args=["abc:def"])).status_code == 404
