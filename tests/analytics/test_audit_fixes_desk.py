"""The "due soon" card names the deadline that put a ticket there: an urgent ticket whose first
response falls due in an hour reads "first response due in 1 hour", not its resolution deadline
ten days away. The world is the role home pages' (``tests.desk.conftest.world``)."""

from __future__ import annotations

import re

import pytest

from aftersales.desk.selectors import agent_workbench
from tests.clients import client_for_language
from tests.desk.conftest import world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _rows(bench):  # type: ignore[no-untyped-def]
    card = next(c for c in bench.cards if c.key == "due_soon")
    return {row.number: row for row in card.rows}


def test_the_due_soon_card_shows_the_deadline_that_put_each_ticket_there(world):  # noqa: F811
    rows = _rows(agent_workbench(user=world.me))
    first = rows[world.mine_first_response_due.number]
    assert (first.due_kind, first.due_at) == ("first_response", world.mine_first_response_due.first_response_due_at)
    assert first.due_at < world.mine_first_response_due.due_at  # the resolution is ten days away
    resolution = rows[world.mine_due.number]
    assert (resolution.due_kind, resolution.due_at) == ("resolution", world.mine_due.due_at)


def test_the_card_labels_the_deadline_in_the_readers_language(world):  # noqa: F811
    page = client_for_language(world.me, "en").get("/desk/workbench/").content.decode()
    assert re.search(r'data-due="first_response">first response due \d+\s+minutes\s+from\s+now<', page)
    assert re.search(r'data-due="resolution">resolution due 1\s+week,\s+2\s+days\s+from\s+now<', page)
    page = client_for_language(world.me, "zh-hans").get("/desk/workbench/").content.decode()
    assert re.search(r'data-due="first_response">首次响应：\d+\s*分钟以后到期<', page), page
