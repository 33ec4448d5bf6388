"""The calendars pages: the list with each year's state, a year's days with their sources, the
State Council's notice pasted, previewed (htmx) and entered, a day entered and removed by hand;
administrators change, supervisors read, others get 403; the overview's warning; both languages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.sla.models import Calendar, CalendarDay, CalendarYear
from tests.clients import client_for_language
from tests.clock import freeze_time
from tests.factories import UserFactory

from .calendar_world import EXAMPLE_2027, day
from .conftest import at

pytestmark = pytest.mark.django_db
DECEMBER = at(2026, 12, 7, 10, 0)


@pytest.fixture
def admin():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, username="cal-admin")


@pytest.fixture
def office() -> Calendar:
    return Calendar.objects.get(is_24x7=False)


@freeze_time(DECEMBER)
def test_the_list_shows_next_year_missing_and_the_overview_warns_the_administrator(admin, office):
    page = client_for_language(admin).get(reverse("sla:calendars"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-year="2027" data-state="assumed"' in html
    assert 'data-year="2026" data-state="package"' in html
    assert reverse("sla:calendar_notice", args=[office.pk, 2027]) in html
    home = client_for_language(admin).get(reverse("desk:home")).content.decode()
    assert 'data-test-id="calendar-gaps"' in home and "2027" in home
    assert reverse("sla:calendar_notice", args=[office.pk, 2027]) in home
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    assert 'data-test-id="calendar-gaps"' not in client_for_language(supervisor).get(reverse("desk:home")).content.decode()


@freeze_time(DECEMBER)
@pytest.mark.parametrize(("role", "status"), [(Role.SUPERVISOR, 200), (Role.AGENT, 403), (Role.TECHNICIAN, 403)])
def test_supervisors_read_the_calendars_and_others_may_not(role, status, office):
    user = UserFactory(role=role, data_scope=DataScope.ALL)
    client = client_for_language(user)
    assert client.get(reverse("sla:calendars")).status_code == status
    assert client.get(reverse("sla:calendar_year", args=[office.pk, 2027])).status_code == status
    # Nobody but an administrator enters a notice or a day.
    assert client.get(reverse("sla:calendar_notice", args=[office.pk, 2027])).status_code == 403
    response = client.post(reverse("sla:calendar_day", args=[office.pk]), {"date": "2027-03-08", "is_workday": "0"})
    assert response.status_code == 403 or not CalendarDay.objects.exists()
    assert not CalendarDay.objects.exists()


def test_a_customer_and_an_anonymous_visitor_are_kept_out(office):
    customer = UserFactory(role=Role.CUSTOMER)
    assert client_for_language(customer).get(reverse("sla:calendars")).status_code == 403
    assert Client().get(reverse("sla:calendars")).status_code == 302


@freeze_time(DECEMBER)
def test_the_notice_is_previewed_by_htmx_then_entered(admin, office):
    client = client_for_language(admin)
    url = reverse("sla:calendar_notice", args=[office.pk, 2027])
    form = client.get(url)
    assert form.status_code == 200 and 'name="notice"' in form.content.decode()
    preview = client.post(url, {"notice": EXAMPLE_2027}, HTTP_HX_REQUEST="true")
    html = preview.content.decode()
    assert preview.status_code == 200 and "<html" not in html
    assert 'data-ok="1"' in html and html.count('data-test-id="notice-day"') == 13
    assert 'data-date="2027-02-14" data-workday="1"' in html
    assert 'data-test-id="notice-missing"' in html  # the example leaves Qingming and the rest out
    assert not CalendarYear.objects.exists()
    saved = client.post(url, {"notice": EXAMPLE_2027, "save": "1"}, follow=True)
    assert saved.redirect_chain[-1][0] == reverse("sla:calendar_year", args=[office.pk, 2027])
    page = saved.content.decode()
    assert 'data-state="entered"' in page and 'data-date="2027-02-05" data-source="schedule"' in page
    assert CalendarYear.objects.get().entered_by == admin


@freeze_time(DECEMBER)
def test_a_notice_with_a_wrong_weekday_is_not_entered_and_the_line_is_named(admin, office):
    client = client_for_language(admin)
    url = reverse("sla:calendar_notice", args=[office.pk, 2027])
    wrong = "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。"  # 2026's weekdays
    response = client.post(url, {"notice": wrong, "save": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-test-id="notice-problem"' in html and "2027-01-01" in html and "第 1 行" in html
    assert 'data-test-id="error-notice"' in html
    assert not CalendarDay.objects.exists()
    english = client_for_language(admin, "en").post(url, {"notice": wrong, "save": "1"}).content.decode()
    assert "Line 1" in english and "2027-01-01 is a Friday, the notice says Thursday" in english


@freeze_time(DECEMBER)
def test_a_day_is_entered_and_removed_by_hand(admin, office):
    client = client_for_language(admin)
    response = client.post(
        reverse("sla:calendar_day", args=[office.pk]), {"date": "2027-03-08", "is_workday": "0", "name": "公司年会"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("sla:calendar_year", args=[office.pk, 2027])
    html = response.content.decode()
    assert 'data-date="2027-03-08" data-source="hand" data-workday="0"' in html and "公司年会" in html
    remove = reverse("sla:calendar_day_remove", args=[office.pk, "2027-03-08"])
    assert remove in html
    client.post(remove)
    assert not CalendarDay.objects.filter(date=day("2027-03-08")).exists()
    bad = client.post(reverse("sla:calendar_day", args=[office.pk]), {"date": "not a date", "is_workday": "0"}, follow=True)
    assert bad.status_code == 200 and 'class="message error"' in bad.content.decode()
    assert client.post(reverse("sla:calendar_day_remove", args=[office.pk, "2027-13-40"])).status_code == 404


@freeze_time(DECEMBER)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_year_page_speaks_one_language(admin, office, language):
    html = client_for_language(admin, language).get(reverse("sla:calendar_year", args=[office.pk, 2027])).content.decode()
    if language == "en":
        assert "New Year&#x27;s Day" in html and "statutory holiday (assumed)" in html
        assert "法定" not in html and "元旦" not in html
    else:
        assert "元旦" in html and "法定节假日" in html
        assert "statutory holiday" not in html and "New Year" not in html


@freeze_time(DECEMBER)
def test_a_day_in_a_year_no_calendar_holds_is_refused_on_this_years_page(admin, office):
    response = client_for_language(admin, "en").post(
        reverse("sla:calendar_day", args=[office.pk]), {"date": "1999-01-04", "is_workday": "0"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("sla:calendar_year", args=[office.pk, 2026])
    assert "Enter a year from 2000 to 2100." in response.content.decode()
    assert not CalendarDay.objects.exists()
