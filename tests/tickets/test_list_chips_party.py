"""The ticket list filtered by a responsible party (``?party=<code>``, the chargeback's and the
fault rates' drill-down links) names it in its chip — the register's name in the reader's
language — with a link that removes only that filter."""

from __future__ import annotations

import pytest

from aftersales.parties.models import PartyKind
from aftersales.parties.services import party_create
from aftersales.tickets.process import ticket_set_responsibility, ticket_start_verification
from tests.clients import client_for_language
from tests.factories import make_ticket
from tests.tickets.process_helpers import agent
from tests.tickets.test_list_chips import LIST, chips_of, pairs, supervisor  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def charged():  # type: ignore[no-untyped-def]
    """A ticket charged to a supplier registered with an English name, and one that is not."""
    party = party_create(actor=None, kind=PartyKind.SUPPLIER, name="宁波华翔压缩机有限公司", code="sup-huaxiang")
    party.name_en = "Ningbo Huaxiang Compressors"
    party.save()
    handler = agent()
    ticket = ticket_start_verification(ticket=make_ticket(actor=handler), actor=handler)
    ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="supplier", party="sup-huaxiang")
    make_ticket(actor=handler)
    return ticket


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Responsible party: Ningbo Huaxiang Compressors"), ("zh-hans", "责任方：宁波华翔压缩机有限公司")],
)
def test_the_chip_names_the_party_in_the_readers_language(supervisor, charged, language, text):  # noqa: F811
    response = client_for_language(supervisor, language).get(LIST, {"status": "all", "party": "SUP-HUAXIANG"})
    page = chips_of(response)
    assert page.chips["party"][0] == text
    assert charged.number in response.content.decode()
    # Its link drops the party only.
    assert pairs(page.chips["party"][1]) == pairs("?status=all")


def test_an_unknown_code_is_shown_as_given(supervisor):  # noqa: F811
    page = chips_of(client_for_language(supervisor, "en").get(LIST, {"status": "all", "party": "sup-nobody"}))
    assert page.chips["party"][0] == "Responsible party: sup-nobody"
