"""The management dashboard's backlog and SLA-risk cells open the ticket list filtered to exactly
the tickets they count (status or SLA state, the age band's registration times as of the
backlog's count, region, category): the list's total is the cell's figure."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from aftersales.accounts.models import DataScope, Role
from aftersales.analytics.models import RefreshState
from aftersales.analytics.services import analytics_refresh
from aftersales.analytics.services.rollups import band_bounds
from aftersales.tickets.choices import SlaState
from aftersales.tickets.forms import TicketListFilterForm
from aftersales.tickets.models import Ticket
from aftersales.tickets.saved_view_filters import canonical_filters
from aftersales.tickets.states import TicketStatus
from tests.clients import client_for
from tests.desk.conftest import list_total, phone
from tests.factories import RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db
CELL = re.compile(r'<a href="([^"]+)" data-test-id="(chart-(?:backlog|sla-risk)-[a-z_]+-\d)">(\d+)</a>')


@pytest.fixture
def backlog(db):  # type: ignore[no-untyped-def]
    """Open tickets of every age band in two regions, some at SLA risk, counted a minute ago."""
    cache.clear()
    east, west = RegionFactory(code="east", name="华东"), RegionFactory(code="west", name="西南")
    now = timezone.now()
    ages = {  # days since registration → (region, status, SLA state)
        0.5: (east, TicketStatus.REGISTERED, SlaState.ON_TRACK),
        0.6: (west, TicketStatus.REGISTERED, SlaState.WARNING),
        2: (east, TicketStatus.REGISTERED, SlaState.BREACHED),
        2.5: (east, TicketStatus.IN_PROGRESS, SlaState.WARNING),
        5: (east, TicketStatus.IN_PROGRESS, SlaState.ON_TRACK),
        10: (west, TicketStatus.IN_PROGRESS, SlaState.BREACHED),
        40: (east, TicketStatus.REGISTERED, SlaState.WARNING),
        41: (east, TicketStatus.CLOSED, SlaState.ON_TRACK),  # not open: in no cell
    }
    for days, (region, status, sla) in ages.items():
        ticket = make_ticket(phone=phone(), region=region)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - dt.timedelta(days=days), status=status, sla_state=sla)
    analytics_refresh(now=now - dt.timedelta(minutes=1))
    return {"east": east, "west": west}


def _cells(page: str) -> list[tuple[str, str, int]]:
    return [(html.unescape(url), test_id, int(n)) for url, test_id, n in CELL.findall(page)]


def test_every_backlog_cell_opens_the_list_of_exactly_its_tickets(backlog):
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    client = client_for(boss)
    cells = _cells(client.get("/dashboard/management/").content.decode())
    ids = {test_id for _url, test_id, _n in cells}
    assert {
        "chart-backlog-registered-0",
        "chart-backlog-registered-1",
        "chart-backlog-registered-4",
        "chart-backlog-in_progress-3",
    } <= ids
    assert {"chart-sla-risk-warning-0", "chart-sla-risk-breached-1", "chart-sla-risk-breached-3"} <= ids
    assert sum(n for _url, test_id, n in cells if test_id.startswith("chart-backlog")) == 7  # the open ones
    for url, test_id, n in cells:
        assert list_total(client, url) == n, (test_id, url)


def test_a_regional_supervisors_cells_count_their_region(backlog):
    east_boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=backlog["east"])
    client = client_for(east_boss)
    cells = _cells(client.get("/dashboard/management/").content.decode())
    assert sum(n for _url, test_id, n in cells if test_id.startswith("chart-backlog")) == 5
    for url, test_id, n in cells:
        assert f"region={backlog['east'].pk}" in url
        assert list_total(client, url) == n, (test_id, url)


def test_the_age_bands_are_registration_times_before_the_backlogs_count(backlog):
    at = RefreshState.objects.get(name="default").backlog_at
    assert at is not None and at.microsecond == 0
    assert band_bounds(at, 0) == (at - dt.timedelta(days=1), None)
    assert band_bounds(at, 2) == (at - dt.timedelta(days=7), at - dt.timedelta(days=3))
    assert band_bounds(at, 4) == (None, at - dt.timedelta(days=30))


def test_the_ticket_list_filters_by_registration_time_and_sla_state(backlog):
    values = TicketListFilterForm.values_from(
        {"created_after": "2026-12-01T08:00:00", "created_before": "2026-12-06T09:53:12", "sla": "warning"}
    )
    tz = timezone.get_current_timezone()
    assert values["created_after"] == dt.datetime(2026, 12, 1, 8, tzinfo=tz)
    assert values["created_before"] == dt.datetime(2026, 12, 6, 9, 53, 12, tzinfo=tz)
    assert values["sla"] == "warning"
    assert TicketListFilterForm.values_from({"created_after": "yesterday", "sla": "late"})["created_after"] is None
    # A saved view keeps them, written the same way whatever the input's form.
    assert canonical_filters({"created_after": "2026-12-01 08:00", "sla": "breached"}) == (
        "sla=breached&created_after=2026-12-01T08%3A00%3A00",
        "",
    )
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    client = client_for(boss)
    assert list_total(client, "/tickets/?status=open&sla=warning") == 3
    week_ago = timezone.localtime(timezone.now() - dt.timedelta(days=7)).replace(tzinfo=None).isoformat(timespec="seconds")
    assert list_total(client, f"/tickets/?status=all&created_after={week_ago}") == 5
    assert list_total(client, f"/tickets/?status=all&created_before={week_ago}") == 3
