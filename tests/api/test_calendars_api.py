"""API v1 ``/calendars``: the calendars with their years' state, a year's days with their sources,
and a year's schedule entered as the notice's text or as days (administrators; a PUT repeated is
harmless); scopes and roles; a notice with a problem is a 422 naming the line."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.sla.models import Calendar, CalendarDay, CalendarYear
from tests.clock import freeze_time
from tests.factories import UserFactory
from tests.sla.calendar_world import EXAMPLE_2027
from tests.sla.conftest import at

from .conftest import api_client

pytestmark = pytest.mark.django_db
DECEMBER = at(2026, 12, 7, 10, 0)


def _put(api, path: str, body: dict):
    return api.client.put(path, json.dumps(body), content_type="application/json", headers=api._headers(None))


@pytest.fixture
def admin():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)


@pytest.fixture
def office() -> Calendar:
    return Calendar.objects.get(is_24x7=False)


@freeze_time(DECEMBER)
def test_the_calendars_and_a_years_days_are_read(admin, office):
    api = api_client(admin, scopes=["calendars:read"])
    listed = api.get("/api/v1/calendars")
    assert listed.status_code == 200
    row = next(c for c in listed.json() if c["id"] == office.pk)
    assert row["chinese_holidays"] and row["policies"]
    assert [(y["year"], y["state"]) for y in row["years"]] == [(2026, "package"), (2027, "assumed")]
    year = api.get(f"/api/v1/calendars/{office.pk}/years/2027")
    assert year.status_code == 200
    body = year.json()
    assert body["state"] == "assumed"
    assert {"date": "2027-02-05", "workday": False, "name": "Chinese New Year's Eve", "source": "statutory"} in body["days"]


@freeze_time(DECEMBER)
def test_the_notice_is_entered_and_a_repeat_changes_nothing(admin, office):
    api = api_client(admin, scopes=["calendars:read", "calendars:write"])
    path = f"/api/v1/calendars/{office.pk}/years/2027"
    first = _put(api, path, {"notice": EXAMPLE_2027})
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["state"] == "entered" and body["entered_at"]
    assert {"date": "2027-02-14", "workday": True, "name": "春节", "source": "schedule"} in body["days"]
    again = _put(api, path, {"notice": EXAMPLE_2027})
    assert again.status_code == 200 and again.json()["days"] == body["days"]
    assert CalendarYear.objects.get().source == "notice" and CalendarDay.objects.count() == 13


@freeze_time(DECEMBER)
def test_days_sent_by_an_hr_system_replace_the_year(admin, office):
    api = api_client(admin, scopes=["calendars:write", "calendars:read"])
    path = f"/api/v1/calendars/{office.pk}/years/2027"
    assert _put(api, path, {"notice": EXAMPLE_2027}).status_code == 200
    response = _put(api, path, {"days": [{"date": "2027-01-01", "workday": False, "name": "元旦"}]})
    assert response.status_code == 200
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [dt.date(2027, 1, 1)]
    assert CalendarYear.objects.get().source == "api"


@freeze_time(DECEMBER)
def test_bad_input_is_a_422_naming_the_field(admin, office):
    api = api_client(admin, scopes=["calendars:write"])
    path = f"/api/v1/calendars/{office.pk}/years/2027"
    wrong = _put(api, path, {"notice": "一、元旦：1月1日（周四）放假。"})
    assert wrong.status_code == 422
    problem = wrong.json()
    assert "Line 1" in json.dumps(problem) and "notice" in json.dumps(problem)
    both = _put(api, path, {"notice": EXAMPLE_2027, "days": [{"date": "2027-01-01", "workday": False}]})
    assert both.status_code == 422
    assert _put(api, f"/api/v1/calendars/{office.pk}/years/1999", {"notice": EXAMPLE_2027}).status_code == 422
    assert _put(api, "/api/v1/calendars/999999/years/2027", {"notice": EXAMPLE_2027}).status_code == 404
    assert not CalendarDay.objects.exists()


@freeze_time(DECEMBER)
def test_scopes_and_roles(admin, office):
    path = f"/api/v1/calendars/{office.pk}/years/2027"
    read_only = api_client(admin, scopes=["calendars:read"])
    assert _put(read_only, path, {"notice": EXAMPLE_2027}).status_code == 403
    supervisor = api_client(
        UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL), scopes=["calendars:read", "calendars:write"]
    )
    assert supervisor.get(path).status_code == 200
    assert _put(supervisor, path, {"notice": EXAMPLE_2027}).status_code == 403
    agent = api_client(UserFactory(role=Role.AGENT), scopes=["calendars:read"])
    assert agent.get("/api/v1/calendars").status_code == 403
    customer = api_client(UserFactory(role=Role.CUSTOMER), scopes=["tickets:read"])
    assert customer.get("/api/v1/calendars").status_code == 403
    assert not CalendarDay.objects.exists()
