"""The trip log's tiles on the home pages: the reviewers (finance's Today, the supervisor's team
view) count the logs waiting for their review within their scope, linking to the list filtered
that shows exactly them; the technician's Today shows his open and returned trips (the reason of a
returned one) with the link to log today. One statement for those who see a tile, none for the
others; both languages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.desk.selectors import my_open_trips, trip_review_tile
from aftersales.travel import services
from aftersales.travel.models import Trip, TripStatus
from tests.clients import client_for_language
from tests.factories import RegionFactory
from tests.travel.factories import finance, job, staff, technician
from tests.travel.trip_factories import days_ago, log, submitted, trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def trips():
    east, west = RegionFactory(), RegionFactory()
    tech = technician(region=east)
    other = technician(region=west)
    payer = finance()
    submitted(tech, job(tech))
    submitted(other, job(other))
    returned = submitted(tech, job(tech))
    services.trip_return(trip=returned, actor=payer, reason="12月5日工时与派工单不符")
    approved_one = submitted(other, job(other))
    services.trip_approve(trip=approved_one, actor=payer, note="已核对")
    opened = trip(tech)
    log(opened, day=days_ago(0), hours="6", travel_hours="1.5")
    return {"east": east, "tech": tech, "payer": payer, "returned": returned, "opened": opened}


def test_reviewers_count_the_logs_waiting_in_their_scope(trips):
    with CaptureQueriesContext(connection) as queries:
        tile = trip_review_tile(user=trips["payer"])
    assert tile is not None and tile.count == 2 and len(queries) == 1
    assert tile.url == reverse("travel:trips") + "?status=submitted"
    regional = staff(Role.SUPERVISOR, data_scope=DataScope.REGION, region=trips["east"])
    tile = trip_review_tile(user=regional)
    assert tile is not None and tile.count == 1
    # The list the tile opens shows as many rows as it counted.
    listed = client_for_language(regional).get(tile.url).content.decode()
    assert listed.count('data-test-id="trip-row"') == 1


@pytest.mark.parametrize("role", [Role.AGENT, Role.TECHNICIAN, Role.WAREHOUSE, Role.MARKETING])
def test_other_roles_get_no_review_tile_and_no_query(trips, role, django_assert_num_queries):
    user = staff(role)
    with django_assert_num_queries(0):
        assert trip_review_tile(user=user) is None
    if role != Role.TECHNICIAN:
        with django_assert_num_queries(0):
            assert my_open_trips(user=user) is None


def test_finance_today_shows_the_tile_in_both_languages(trips):
    html = client_for_language(trips["payer"]).get(reverse("desk:today")).content.decode()
    assert 'data-test-id="count-trips-to-review">2<' in html
    assert f'href="{reverse("travel:trips")}?status=submitted" data-test-id="tile-trips-to-review"' in html
    assert "待审核的出差日志" in html and "waiting for review" not in html
    english = client_for_language(trips["payer"], "en").get(reverse("desk:today")).content.decode()
    assert "trip logs waiting for review" in english and "出差日志" not in english


def test_the_supervisor_sees_it_on_the_team_view_while_logs_wait(trips):
    boss = staff(Role.SUPERVISOR)
    html = client_for_language(boss).get(reverse("desk:home")).content.decode()
    assert 'data-test-id="count-trips-to-review">2<' in html
    for waiting in Trip.objects.filter(status=TripStatus.SUBMITTED):
        services.trip_approve(trip=waiting, actor=boss, note="已核对")
    html = client_for_language(boss).get(reverse("desk:home")).content.decode()
    assert 'data-test-id="tile-trips-to-review"' not in html


def test_the_technician_sees_his_open_and_returned_trips_with_log_today(trips):
    tech = trips["tech"]
    with CaptureQueriesContext(connection) as queries:
        mine = my_open_trips(user=tech)
    assert mine is not None and len(queries) == 1
    assert [m.trip.number for m in mine] == [trips["returned"].number, trips["opened"].number]
    assert [str(m.logged_today) for m in mine] == ["0.00", "7.50"]
    assert mine[1].url == reverse("travel:trip", args=[trips["opened"].number]) + "#log-a-day"
    html = client_for_language(tech).get(reverse("desk:home")).content.decode()
    assert html.count('data-test-id="today-trip"') == 2
    assert "12月5日工时与派工单不符" in html and 'data-test-id="today-trip-reason"' in html
    assert f'href="{mine[0].url}" data-test-id="today-trip-log"' in html
    assert 'data-hours="7.50"' in html and "今天已填报 7.50 小时" in html
    english = client_for_language(tech, "en").get(reverse("desk:home")).content.decode()
    assert "7.50 hours logged today" in english and "Log today" in english
    # The trip page has the form the link opens at.
    page = client_for_language(tech).get(mine[1].url.split("#")[0]).content.decode()
    assert 'id="log-a-day"' in page
    # Submitted, approved or cancelled trips leave the page.
    services.trip_cancel(trip=trips["opened"], actor=tech)
    services.trip_cancel(trip=trips["returned"], actor=tech)
    assert my_open_trips(user=tech) == []
    assert 'data-test-id="today-trip"' not in client_for_language(tech).get(reverse("desk:home")).content.decode()
