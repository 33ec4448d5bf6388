"""Accessibility audit (WCAG 2.1 AA), the pages: group labels, one live region per list (the count
line), ``data-sr-status`` on the fragments that answer a successful POST (announced by app.js in
the page's role=status region), and tables named by their section's heading."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.choices import EventKind
from aftersales.tickets.services import ticket_assign
from tests.clients import client_for
from tests.factories import CustomerFactory, UserFactory, make_ticket

from .conftest import png_bytes

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


class _Tags(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def with_attr(self, name: str) -> list[tuple[str, dict[str, str | None]]]:
        return [(tag, attrs) for tag, attrs in self.tags if name in attrs]


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def _sr_status(html: str) -> list[str | None]:
    return [attrs["data-sr-status"] for _, attrs in _tags(html).with_attr("data-sr-status")]


def test_the_request_type_chips_are_a_fieldset_with_the_question_as_legend():
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, language="en")
    CustomerFactory(user=user, phone="+8613912345670", name="Emily Carter", language="en")
    client = Client()
    client.force_login(user)
    client.cookies.load({"django_language": "en"})
    html = client.get(reverse("portal:request_new")).content.decode()
    group = html.split('data-test-id="field-request_type"', 1)
    assert group[0].rstrip().endswith('<fieldset class="field field-group portal-choices"'), group[0][-120:]
    inside = group[1].split("</fieldset>", 1)[0]
    assert '<legend class="label">' in inside and 'type="radio"' in inside
    assert '<span class="label">' not in inside
    # A refusal points the group at its error.
    refused = client.post(reverse("portal:request_new"), {"idempotency_key": "k", "description": "x"}).content.decode()
    assert 'data-test-id="error-request_type"' in refused
    assert 'aria-describedby="id_request_type_error"' in refused and 'id="id_request_type_error"' in refused


def test_the_ticket_list_announces_the_count_line_not_the_table(agent, agent_client):
    make_ticket(actor=agent)
    page = agent_client.get(reverse("tickets:list"), {"status": "all"}).content.decode()
    live = _tags(page).with_attr("aria-live")
    results = [attrs for tag, attrs in live if attrs.get("id") == "ticket-results"]
    assert results == [], "the whole results block is no live region"
    summary = [attrs for tag, attrs in live if attrs.get("data-test-id") == "results-summary"]
    assert summary and summary[0]["aria-live"] == "polite"
    # The fragment (a filter change) carries the same count line; the table is named by the heading.
    fragment = agent_client.get(reverse("tickets:list"), {"status": "all"}, headers=HX).content.decode()
    assert 'data-test-id="results-summary"' in fragment and 'aria-live="polite"' in fragment
    assert 'aria-labelledby="tickets-title"' in page and 'id="tickets-title"' in page


def test_saving_a_view_says_so_on_the_swapped_bar(agent, agent_client):
    agent_client.cookies.load({"django_language": "en"})
    response = agent_client.post(
        reverse("tickets:saved_view_save"), {"name": "Urgent", "sharing": "private", "filters": "status=all"}, headers=HX
    )
    assert response.status_code == 200
    assert _sr_status(response.content.decode()) == ["The view “Urgent” is saved."]
    plain = agent_client.get(reverse("tickets:list"), {"status": "all"}).content.decode()
    assert _sr_status(plain) == []


def test_adding_a_note_announces_it_and_a_refusal_does_not(agent, agent_client):
    ticket = make_ticket(actor=agent)
    agent_client.cookies.load({"django_language": "en"})
    url = reverse("tickets:add_note", args=[ticket.number])
    added = agent_client.post(url, {"kind": EventKind.NOTE, "body": "客户说上午不在家"}, headers=HX).content.decode()
    assert _sr_status(added) == ["The entry was added to the timeline."]
    assert 'id="timeline-section"' in added
    refused = agent_client.post(url, {"kind": EventKind.NOTE, "body": "  "}, headers=HX).content.decode()
    assert _sr_status(refused) == []
    page = agent_client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert _sr_status(page) == []


def test_an_upload_announces_it_in_english_too(agent, agent_client):
    ticket = make_ticket(actor=agent)
    agent_client.cookies.load({"django_language": "en"})
    response = agent_client.post(
        reverse("tickets:add_attachment", args=[ticket.number]),
        {"attachment": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")},
        headers=HX,
    )
    assert response.status_code == 200
    assert _sr_status(response.content.decode()) == ["The file was attached."]


def test_the_team_views_tables_are_named_by_their_headings():
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    handler = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    ticket = make_ticket(actor=handler)
    ticket_assign(ticket=ticket, assignee=handler, actor=supervisor)
    page = client_for(supervisor).get(reverse("desk:team")).content.decode()
    tables = [attrs for tag, attrs in _tags(page).tags if tag == "table"]
    assert tables, "the team view shows its tables"
    ids = {attrs.get("id") for _, attrs in _tags(page).tags}
    for attrs in tables:
        assert attrs.get("aria-labelledby") in ids, attrs


def test_the_customer_tables_are_named_by_their_headings():
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    customer = make_ticket(actor=supervisor).customer  # with a ticket and a product unit: both tables show
    client = client_for(supervisor)
    listing = client.get(reverse("desk:customers"), {"q": customer.name}).content.decode()
    for page in (listing, client.get(reverse("desk:customer", args=[customer.pk])).content.decode()):
        ids = {attrs.get("id") for _, attrs in _tags(page).tags}
        for tag, attrs in _tags(page).tags:
            if tag == "table":
                assert attrs.get("aria-labelledby") in ids, attrs
    assert 'aria-labelledby="customers-title"' in listing
