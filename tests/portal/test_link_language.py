"""Audit 3, finding 3: a link in a message opens in the language of the customer it was sent to
(``core.link_language``) — the ticket, the quote and the survey — unless the visitor chose a
language here (the cookie), which always wins."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.customers.models import Customer
from aftersales.feedback.services import survey_signed_token
from aftersales.fieldservice import services as fs
from aftersales.portal.links import portal_token_for
from aftersales.tickets.models import Ticket
from tests.factories import make_ticket
from tests.feedback.helpers import pending, resolved
from tests.fieldservice.helpers import agent, in_progress_ticket, new_job

pytestmark = pytest.mark.django_db


def _speaks(ticket: Ticket, language: str) -> None:
    Customer.objects.filter(pk=ticket.customer_id).update(language=language)


def _client(cookie: str | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")  # the phone's own language plays no part
    if cookie is not None:
        client.cookies.load({"django_language": cookie})
    return client


def _language_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    lang = page.split('<html lang="', 1)[1].split('"', 1)[0]
    assert response["Content-Language"] == lang
    return lang


def _ticket_url(ticket: Ticket) -> str:
    return reverse("portal:ticket_by_link", kwargs={"token": portal_token_for(ticket)})


def test_the_ticket_link_opens_in_the_customers_language_without_a_cookie():
    ticket = make_ticket()
    _speaks(ticket, "en")
    url = _ticket_url(ticket)
    response = _client().get(url)
    assert _language_of(response) == "en"
    assert ticket.number in response.content.decode()
    # The visitor's choice wins, and a Chinese customer's link stays Chinese.
    assert _language_of(_client("zh-hans").get(url)) == "zh-hans"
    _speaks(ticket, "zh-hans")
    assert _language_of(_client().get(url)) == "zh-hans"
    assert _language_of(_client("en").get(url)) == "en"


def test_a_forged_ticket_link_is_still_a_404():
    assert _client().get(reverse("portal:ticket_by_link", kwargs={"token": "forged"})).status_code == 404


def test_the_quote_link_opens_in_the_customers_language():
    handler = agent()
    ticket, measure = in_progress_ticket(actor=handler)
    work_order = new_job(handler=handler, measure=measure)
    _speaks(ticket, "en")
    url = reverse("fieldservice:quote_by_link", kwargs={"token": fs.quote_token_for(work_order)})
    response = _client().get(url)
    assert _language_of(response) == "en"
    assert 'data-test-id="quote-page"' in response.content.decode()
    assert _language_of(_client("zh-hans").get(url)) == "zh-hans"
    assert _client().get(reverse("fieldservice:quote_by_link", kwargs={"token": "forged"})).status_code == 404


def test_the_survey_link_opens_in_the_customers_language():
    ticket = resolved()
    _speaks(ticket, "en")
    url = reverse("feedback:survey", kwargs={"token": survey_signed_token(survey=pending(ticket))})
    assert _language_of(_client().get(url)) == "en"
    assert _language_of(_client("zh-hans").get(url)) == "zh-hans"
    _speaks(ticket, "zh-hans")
    assert _language_of(_client().get(url)) == "zh-hans"
