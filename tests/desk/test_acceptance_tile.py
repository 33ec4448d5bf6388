"""The quality manager's workbench tile: the results waiting for their acceptance, the count of
the worklist it opens (same scope), in both languages; no tile and no query for other roles."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Region, Role
from aftersales.desk.selectors import acceptance_tile
from aftersales.tickets.choices import Severity
from aftersales.tickets.models import Ticket
from aftersales.tickets.process import ticket_close
from tests.clients import client_for_language
from tests.factories import UserFactory
from tests.feedback.helpers import resolved
from tests.tickets.process_helpers import agent, refreshed

pytestmark = pytest.mark.django_db


def waiting(handler, **fields) -> Ticket:  # type: ignore[no-untyped-def]
    """A resolved ticket made serious (the default rule names it), closed by the agent: it waits."""
    ticket = resolved(handler)
    Ticket.objects.filter(pk=ticket.pk).update(severity=Severity.SERIOUS, **fields)
    return ticket_close(ticket=refreshed(ticket), actor=handler)


def tile_count(html: str) -> int:
    found = re.search(r'data-test-id="count-awaiting-acceptance">(\d+)<', html)
    assert found, "no acceptance tile"
    return int(found.group(1))


def worklist_rows(client) -> int:  # type: ignore[no-untyped-def]
    return client.get(reverse("quality:acceptance")).content.decode().count('data-test-id="acceptance-row"')


def test_the_tile_counts_what_the_worklist_lists_within_the_scope():
    handler = agent()
    east = Region.objects.create(code="east", name="华东")
    north = Region.objects.create(code="north", name="华北")
    waiting(handler, region=east)
    waiting(handler, region=east)
    waiting(handler, region=north)
    resolved(handler)  # resolved, not waiting

    regional = UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.REGION, region=east)
    client = client_for_language(regional, "en")
    html = client.get(reverse("desk:home")).content.decode()
    assert tile_count(html) == 2 == worklist_rows(client)
    assert f'href="{reverse("quality:acceptance")}" data-test-id="tile-awaiting-acceptance"' in html
    assert "results awaiting my acceptance" in html

    everyone = UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL)
    zh_client = client_for_language(everyone, "zh-hans")
    zh = zh_client.get(reverse("desk:workbench")).content.decode()
    assert tile_count(zh) == 3 == worklist_rows(zh_client)
    assert "待我验收的处理结果" in zh and "awaiting my acceptance" not in zh


def test_one_ticket_reads_in_the_singular_and_none_reads_zero():
    manager = UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL)
    client = client_for_language(manager, "en")
    assert tile_count(client.get(reverse("desk:workbench")).content.decode()) == 0
    waiting(agent())
    html = client.get(reverse("desk:workbench")).content.decode()
    assert tile_count(html) == 1 and "result awaiting my acceptance" in html


def test_agents_get_no_tile_and_no_query(django_assert_num_queries):
    handler = agent()
    waiting(handler)
    with django_assert_num_queries(0):
        assert acceptance_tile(user=handler) is None
    html = client_for_language(handler, "en").get(reverse("desk:workbench")).content.decode()
    assert "tile-awaiting-acceptance" not in html
    # A supervisor standing in for the quality manager who opens the workbench sees it too.
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    tile = acceptance_tile(user=boss)
    assert tile is not None and tile.count == 1
