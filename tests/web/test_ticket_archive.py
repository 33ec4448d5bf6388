"""The ticket page of an archived ticket is read-only, and every ticket page prints its case file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Attachment, TicketEvent
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.states import TicketStatus
from tests.casefile.world import lived_ticket
from tests.clients import client_for
from tests.factories import UserFactory, make_ticket

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def detail(client, ticket) -> str:  # type: ignore[no-untyped-def]
    response = client.get(reverse("tickets:detail", args=[ticket.number]))
    assert response.status_code == 200
    return response.content.decode()


def test_every_ticket_page_has_the_print_button(agent, agent_client):
    ticket = make_ticket(actor=agent)
    html = detail(agent_client, ticket)
    url = reverse("casefile:ticket_pdf", args=[ticket.number])
    assert url == f"/tickets/{ticket.number}/case-file.pdf"
    assert f'href="{url}"' in html and 'data-test-id="print-case-file"' in html
    assert "打印案卷" in html
    # An open ticket: the forms are there and no archive notice.
    assert 'data-test-id="note-form"' in html and 'data-test-id="attachment-form"' in html
    assert 'data-test-id="archived-notice"' not in html
    pdf = agent_client.get(url)
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")


def test_a_closed_ticket_page_shows_the_archive_notice_no_forms_and_the_reopen_action():
    world = lived_ticket()
    html = detail(client_for(world.handler), world.ticket)
    assert 'data-test-id="archived-notice"' in html and "此工单已归档" in html and "重新打开" in html
    assert 'data-test-id="note-form"' not in html and 'data-test-id="attachment-form"' not in html
    assert 'data-test-id="timeline-archived"' in html
    assert 'data-test-id="action-reopen"' in html
    # Only reopening is offered.
    assert html.count('class="action"') == 1
    assert 'data-test-id="print-case-file"' in html


def test_a_cancelled_ticket_offers_nothing_and_does_not_say_reopen():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    ticket = ticket_transition(ticket=make_ticket(actor=admin), to_status=TicketStatus.CANCELLED, actor=admin)
    html = detail(client_for(admin), ticket)
    assert 'data-test-id="archived-notice"' in html and "重新打开" not in html
    assert 'data-test-id="no-actions"' in html


def test_posting_a_note_or_a_file_to_a_closed_ticket_is_refused():
    world = lived_ticket()
    client = client_for(world.handler)
    ticket = world.ticket
    notes = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.NOTE).count()
    # htmx: the timeline section comes back with the archive line instead of the form.
    response = client.post(
        reverse("tickets:add_note", args=[ticket.number]), {"kind": "note", "body": "补充"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-test-id="timeline-archived"' in html and "note-form" not in html
    # Without JavaScript: the page again, with the notice.
    page = client.post(reverse("tickets:add_note", args=[ticket.number]), {"kind": "note", "body": "补充"}).content.decode()
    assert 'data-test-id="archived-notice"' in page
    upload = client.post(
        reverse("tickets:add_attachment", args=[ticket.number]),
        {"attachment": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")},
        headers={"HX-Request": "true"},
    )
    assert upload.status_code == 200 and "attachment-form" not in upload.content.decode()
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.NOTE).count() == notes
    assert Attachment.objects.filter(ticket=ticket).count() == 2
