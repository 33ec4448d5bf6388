"""The dispatch board shows the coming days' undispatched jobs (a count per day with links, the
first jobs listed) and marks the overdue ones, counting every overdue job whatever the day shown
(the day-zero audit: WO…0001, due tomorrow, was on no board but tomorrow's)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.fieldservice import services
from aftersales.fieldservice.selectors import dispatch_board
from tests.clients import client_for
from tests.clock import freeze_time
from tests.factories import RegionFactory

from .helpers import agent, dispatcher, in_progress_ticket, new_job, technician, unit_in_warranty

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=ZONE)
TODAY = NOW.date()


def at(days: int, hour: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(TODAY + dt.timedelta(days=days), dt.time(hour), tzinfo=ZONE)
    return start, start + dt.timedelta(hours=2)


@pytest.fixture
def jobs():
    with freeze_time(NOW):
        handler, boss = agent(), dispatcher()
        region = RegionFactory(code="east", name="华东")
        tech = technician(regions=[region])
        _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty(), region=region)

        def job(days: int, hour: int):  # type: ignore[no-untyped-def]
            start, end = at(days, hour)
            return new_job(handler=handler, measure=measure, appointment_start=start, appointment_end=end, region=region)

        made = {
            "yesterday": job(-1, 9),
            "this_morning": job(0, 9),
            "this_afternoon": job(0, 15),
            "tomorrow": job(1, 9),
            "in_three_days": job(3, 14),
            "in_ten_days": job(10, 9),
            "tomorrow_dispatched": job(1, 11),
        }
        start, end = at(1, 11)
        services.work_order_dispatch(
            work_order=made["tomorrow_dispatched"], actor=boss, technician=tech, appointment_start=start, appointment_end=end
        )
        return {"boss": boss, "region": region, **made}


def test_todays_board_counts_the_coming_days_and_marks_the_overdue(jobs):
    with freeze_time(NOW):
        board = dispatch_board(user=jobs["boss"], day=TODAY)
    shown = {row["work_order"].number: row["overdue"] for row in board["to_dispatch"]}
    assert shown == {
        jobs["yesterday"].number: True,
        jobs["this_morning"].number: True,
        jobs["this_afternoon"].number: False,
    }
    assert [(d.day, d.count) for d in board["upcoming_days"]] == [
        (TODAY + dt.timedelta(days=1), 1),
        (TODAY + dt.timedelta(days=3), 1),
    ]
    assert [wo.number for wo in board["upcoming_jobs"]] == [jobs["tomorrow"].number, jobs["in_three_days"].number]
    assert (board["upcoming_later"], board["upcoming_total"], board["overdue_total"]) == (1, 3, 2)


def test_a_past_days_board_still_counts_every_overdue_job(jobs):
    with freeze_time(NOW):
        board = dispatch_board(user=jobs["boss"], day=TODAY - dt.timedelta(days=2))
    assert board["to_dispatch"] == [] and board["overdue_total"] == 2
    assert [d.day for d in board["upcoming_days"]][:2] == [TODAY - dt.timedelta(days=1), TODAY]


def test_another_regions_board_has_none_of_them(jobs):
    with freeze_time(NOW):
        board = dispatch_board(user=jobs["boss"], day=TODAY, region=RegionFactory(code="north"))
    assert (board["to_dispatch"], board["upcoming_days"], board["upcoming_total"], board["overdue_total"]) == ([], [], 0, 0)


def test_the_page_lists_tomorrows_job_with_a_link_to_its_day(jobs):
    with freeze_time(NOW):
        page = client_for(jobs["boss"]).get(reverse("fieldservice:board"), {"region": "east"})
    body = page.content.decode()
    assert page.status_code == 200
    assert f'data-test-id="board-upcoming-job" data-number="{jobs["tomorrow"].number}"' in body
    assert 'data-test-id="board-upcoming-day" data-day="2026-12-08"' in body and "?day=2026-12-08&amp;region=east" in body
    assert 'data-test-id="board-upcoming-later"' in body
    assert body.count('data-test-id="board-job-overdue"') == 2 and 'data-test-id="board-overdue-total"' in body
    assert jobs["tomorrow_dispatched"].number not in body.split('data-test-id="board-upcoming"')[1].split("</section>")[0]


def test_an_empty_future_says_so(jobs):
    with freeze_time(NOW + dt.timedelta(days=30)):
        page = client_for(jobs["boss"]).get(reverse("fieldservice:board"))
    assert 'data-test-id="board-upcoming-empty"' in page.content.decode()
