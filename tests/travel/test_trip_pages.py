"""The trip-log pages: My trips on the technician's phone (open a trip, log today, submit), the
reviewers' list (filters, htmx), the trip's page (log, reconciliation, steps, history); who sees
what (403/404), field errors re-shown, both languages, tables in their own box at 375 px."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Region, Role
from aftersales.core import clock
from aftersales.fieldservice.models import ChargePolicy, WorkOrder
from aftersales.travel.models import Trip, TripLabour, TripStatus
from tests.clients import client_for_language

from .factories import finance, job, staff, team_with_leader, technician
from .trip_factories import days_ago, log, submitted, trip

pytestmark = pytest.mark.django_db
T = TripStatus


def tables_are_wrapped(html: str) -> bool:
    return html.count("<table") == len(re.findall(r'class="table-wrap"><table', html))


@pytest.fixture
def world():
    team, leader = team_with_leader(name="华东技术服务组")
    tech = technician(team=team, display_name="刘强")
    wo = job(tech)
    WorkOrder.objects.filter(pk=wo.pk).update(labour_hours=Decimal("8.00"))
    ChargePolicy.objects.create(name="2026", labour_cost_per_hour=Decimal("50.00"), valid_from=dt.date(2020, 1, 1))
    stranger = technician(display_name="赵六")
    return {
        "leader": leader,
        "tech": tech,
        "wo": wo,
        "submitted": submitted(tech, wo),
        "open": trip(tech, work_orders=[wo]),
        "theirs": submitted(stranger, job(stranger)),
        "stranger": stranger,
    }


def test_my_trips_opens_a_trip_and_refuses_bad_input_naming_the_field(world):
    client = client_for_language(world["tech"])
    page = client.get(reverse("travel:trips_mine"))
    html = page.content.decode()
    assert page.status_code == 200 and "我的出差" in html and world["open"].number in html
    assert 'data-test-id="log-today"' in html and world["theirs"].number not in html
    bad = client.post(
        reverse("travel:trips_mine"),
        {"province": "江苏省", "purpose": "维修", "planned_from": "2026-12-09", "planned_until": "2026-12-01"},
    )
    assert bad.status_code == 200 and "出差结束日期不能早于开始日期" in bad.content.decode()
    assert Trip.objects.filter(technician=world["tech"]).count() == 2
    today = clock.local_today().isoformat()
    good = client.post(
        reverse("travel:trips_mine"),
        {
            "province": "浙江省",
            "city": "杭州",
            "purpose": "巡检",
            "planned_from": today,
            "planned_until": today,
            "departed_on": today,
        },
    )
    opened = Trip.objects.get(city="杭州")
    assert good.status_code == 302 and good["Location"] == reverse("travel:trip", args=[opened.number])


def test_only_technicians_have_my_trips(world):
    assert client_for_language(finance()).get(reverse("travel:trips_mine")).status_code == 403


def test_logging_today_from_the_defaults_and_the_field_errors(world):
    client = client_for_language(world["tech"])
    number = world["open"].number
    url = reverse("travel:trip_entry_add", args=[number])
    form = {
        "expected_version": 1,
        "entry-day": days_ago(1).isoformat(),
        "entry-place": "苏州",
        "entry-activity": "更换压缩机",
        "entry-work_order": world["wo"].number,
        "entry-working_hours": "8",
        "entry-travel_hours": "0",
        "entry-km": "0",
        "entry-overnight": "on",
    }
    done = client.post(url, form)
    assert done.status_code == 302 and world["open"].entries.count() == 1
    over = client.post(url, {**form, "expected_version": 2, "entry-working_hours": "20"})
    html = over.content.decode()
    assert over.status_code == 200 and 'data-test-id="entry-form"' in html and "24" in html
    assert world["open"].entries.count() == 1
    stale = client.post(url, {**form, "expected_version": 1, "entry-working_hours": "1"})
    assert stale.status_code == 200 and world["open"].entries.count() == 1
    # Nobody else logs on his trip.
    assert client_for_language(finance()).post(url, {**form, "expected_version": 2}).status_code == 403


def test_the_technician_submits_and_the_reviewer_approves_from_the_page(world):
    tech_client = client_for_language(world["tech"])
    number = world["open"].number
    log(world["open"], work_order=world["wo"])
    sent = tech_client.post(reverse("travel:trip_action", args=[number, "submit"]), {"expected_version": 2})
    assert sent.status_code == 302 and Trip.objects.get(number=number).status == T.SUBMITTED
    reviewer = client_for_language(staff(Role.SUPERVISOR))
    page = reviewer.get(reverse("travel:trip", args=[number])).content.decode()
    assert 'data-test-id="do-approve"' in page and 'data-test-id="do-return"' in page
    assert 'data-test-id="trip-reconciliation"' in page and tables_are_wrapped(page)
    # 8 h logged here + 8 h on his other submitted trip against 8 h on the work order: flagged.
    assert 'data-flagged="1"' in page
    refused = reviewer.post(reverse("travel:trip_action", args=[number, "approve"]), {"expected_version": 3})
    assert refused.status_code == 200 and "请说明仍予核定的理由" in refused.content.decode()
    assert Trip.objects.get(number=number).status == T.SUBMITTED
    done = reviewer.post(
        reverse("travel:trip_action", args=[number, "approve"]), {"expected_version": 3, "approve-note": "两次出差同一工单"}
    )
    assert done.status_code == 302 and Trip.objects.get(number=number).status == T.APPROVED
    assert TripLabour.objects.get(trip__number=number).cost == Decimal("400.00")
    history = reviewer.get(reverse("travel:trip", args=[number])).content.decode()
    assert history.count('data-test-id="history-row"') == 4


def test_return_needs_a_reason(world):
    number = world["submitted"].number
    reviewer = client_for_language(finance())
    empty = reviewer.post(reverse("travel:trip_action", args=[number, "return"]), {"expected_version": 3})
    assert empty.status_code == 200 and 'data-test-id="action-errors"' in empty.content.decode()
    done = reviewer.post(
        reverse("travel:trip_action", args=[number, "return"]), {"expected_version": 3, "return-reason": "工时不符"}
    )
    assert done.status_code == 302 and Trip.objects.get(number=number).status == T.RETURNED
    mine = client_for_language(world["tech"]).get(reverse("travel:trips_mine")).content.decode()
    assert "工时不符" in mine


def test_the_technician_cannot_review_and_strangers_get_404(world):
    number = world["submitted"].number
    own = client_for_language(world["tech"])
    assert own.post(reverse("travel:trip_action", args=[number, "approve"]), {"expected_version": 3}).status_code == 403
    assert Trip.objects.get(number=number).status == T.SUBMITTED
    stranger = client_for_language(world["stranger"])
    assert stranger.get(reverse("travel:trip", args=[number])).status_code == 404
    assert client_for_language(staff(Role.AGENT)).get(reverse("travel:trips")).status_code == 403
    region = Region.objects.create(code="north", name="华北")
    elsewhere = client_for_language(staff(Role.FINANCE, data_scope=DataScope.REGION, region=region))
    assert elsewhere.get(reverse("travel:trip", args=[number])).status_code == 404


def test_the_reviewers_list_filters_by_status_technician_and_month(world):
    client = client_for_language(finance())
    html = client.get(reverse("travel:trips")).content.decode()
    assert all(world[k].number in html for k in ("submitted", "open", "theirs")) and tables_are_wrapped(html)
    submitted_only = client.get(reverse("travel:trips"), {"status": "submitted", "technician": "刘强"}).content.decode()
    assert world["submitted"].number in submitted_only and world["open"].number not in submitted_only
    assert world["theirs"].number not in submitted_only
    month = clock.local_today().strftime("%Y-%m")
    assert world["open"].number in client.get(reverse("travel:trips"), {"month": month}).content.decode()
    assert world["open"].number not in client.get(reverse("travel:trips"), {"month": "2001-01"}).content.decode()
    fragment = client.get(reverse("travel:trips"), {"status": "open"}, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and world["open"].number.encode() in fragment.content
    bad = client.get(reverse("travel:trips"), {"month": "13-2026"}).content.decode()
    assert 'data-test-id="filter-errors"' in bad


def test_the_team_leader_sees_his_members_trips_read_only(world):
    client = client_for_language(world["leader"])
    html = client.get(reverse("travel:trips")).content.decode()
    assert world["submitted"].number in html and world["theirs"].number not in html
    page = client.get(reverse("travel:trip", args=[world["submitted"].number])).content.decode()
    assert 'data-test-id="do-approve"' not in page


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", ("出差日志", "人工费核算", "记录今天")), ("en", ("Trip logs", "Labour reconciliation", "Log today"))],
)
def test_both_languages(world, language, words):
    html = client_for_language(finance(), language).get(reverse("travel:trips")).content.decode()
    assert words[0] in html
    page = client_for_language(world["tech"], language).get(reverse("travel:trip", args=[world["open"].number]))
    assert page.status_code == 200 and words[1] in page.content.decode() and tables_are_wrapped(page.content.decode())
    mine = client_for_language(world["tech"], language).get(reverse("travel:trips_mine")).content.decode()
    assert words[2] in mine
