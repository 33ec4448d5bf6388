"""The held queue's Excel export: the mail the page lists for that agent (another region's ticket's
mail absent), refused to roles without the queue, and the button on the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.exports.registry import kind_for_user
from aftersales.mailin.models import InboundMessage, InboundStatus
from tests.exports.helpers import column, export_sheet
from tests.factories import RegionFactory, UserFactory, make_ticket

from . import corpus
from .test_security import _sent_email_for

pytestmark = pytest.mark.django_db


def test_the_held_queue_exports_what_the_agent_may_read(ingest):  # type: ignore[no-untyped-def]
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    ticket = make_ticket(email="li.na@example.com", region=east)
    held = ingest(corpus.reply(to_message=_sent_email_for(ticket), sender="Mallory <mallory@evil.example>", body="改地址"))
    unrelated = ingest(corpus.plain(sender="x@example.com", subject=f"问 {ticket.number}", body="?"))
    InboundMessage.objects.filter(pk=unrelated.pk).update(ticket=None)
    assert held.status == InboundStatus.HELD
    inside = UserFactory(role=Role.AGENT, data_scope="region", region=east, language="en")
    outside = UserFactory(role=Role.AGENT, data_scope="region", region=west, language="en")

    sheet, rows = export_sheet("mailin_held", inside, {"show": "all"})
    assert rows == 2 and ticket.number in column(sheet, "Ticket")
    assert any("mallory@evil.example" in value for value in column(sheet, "From"))
    sheet, rows = export_sheet("mailin_held", outside, {"show": "all"})
    assert rows == 1 and not any("mallory" in (value or "") for value in column(sheet, "From"))

    assert kind_for_user("mailin_held", UserFactory(role=Role.TECHNICIAN)) is None
    client = Client()
    client.force_login(inside)
    assert 'data-kind="mailin_held"' in client.get(reverse("mailin:held")).content.decode()
