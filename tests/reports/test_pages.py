"""The scheduled reports pages in both languages: the list with the last deliveries and their
errors, subscribing from a list page's query string, a refused recipient shown on its field,
edit, pause, delete, and "send me a test" to oneself only. No inline style or script."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.reports.models import ReportDelivery, ReportSubscription
from aftersales.reports.services import send_due_reports
from tests.clients import client_for_language

from .helpers import at, free_port, smtp_settings, staff, subscribe

pytestmark = pytest.mark.django_db


def no_inline_code(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html and not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_list_shows_my_subscriptions_and_a_failed_deliverys_error(settings, language):
    owner = staff(email="zhang@example.com")
    subscribe(owner, created="2026-03-01 09:00", name="华东积压")
    smtp_settings(settings, free_port())
    send_due_reports(now=at("2026-03-02 08:00"))
    html = client_for_language(owner, language).get(reverse("reports:list")).content.decode()
    assert "华东积压" in html and "zhang@example.com" in html
    assert 'data-test-id="report-delivery-error"' in html
    assert ("待发送" if language == "zh-hans" else "Pending") in html
    assert ("每天 08:00" if language == "zh-hans" else "Daily at 08:00") in html
    if language == "zh-hans":
        assert "Daily" not in html and "Last deliveries" not in html
    no_inline_code(html)


def test_a_supervisor_sees_the_teams_subscriptions_with_their_owner():
    from tests.factories import TeamFactory

    team = TeamFactory()
    member = staff(team=team, display_name="李娜")
    subscribe(member, name="李娜的工单")
    lead = staff(role=Role.SUPERVISOR, scope=DataScope.TEAM, team=team)
    outsider = staff()
    html = client_for_language(lead).get(reverse("reports:list")).content.decode()
    assert "李娜的工单" in html and 'data-test-id="report-owner"' in html
    assert "李娜的工单" not in client_for_language(outsider).get(reverse("reports:list")).content.decode()


def test_subscribing_from_a_list_page_keeps_its_filters():
    owner = staff(email="zhang@example.com")
    client = client_for_language(owner)
    form = client.get(reverse("reports:new"), {"kind": "tickets", "status": "new", "page": "3"}).content.decode()
    (filters_input,) = re.findall(r'<input[^>]*name="filters"[^>]*>', form)
    assert 'value="status=new"' in filters_input
    assert 'value="tickets" selected' in form
    no_inline_code(form)
    response = client.post(
        reverse("reports:new"),
        {
            "kind": "tickets",
            "filters": "status=new",
            "frequency": "monthly",
            "send_time": "07:30",
            "day_of_month": "31",
            "recipients": "zhang@example.com",
            "language": "zh-hans",
        },
    )
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get()
    assert (subscription.filters, subscription.day_of_month, subscription.name) == ({"status": "new"}, 31, "工单")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_outside_recipient_is_shown_on_its_field(language):
    owner = staff()
    response = client_for_language(owner, language).post(
        reverse("reports:new"),
        {"kind": "tickets", "frequency": "daily", "send_time": "08:00", "recipients": "friend@qq.com", "language": "en"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    error = html[html.index('data-test-id="error-recipients"') :][:400]
    assert "friend@qq.com" in error
    assert ("公司内部" if language == "zh-hans" else "inside the company") in error
    assert not ReportSubscription.objects.exists()


def test_edit_pause_and_delete_from_the_page():
    owner = staff(email="zhang@example.com")
    subscription = subscribe(owner)
    client = client_for_language(owner)
    edit = client.get(reverse("reports:edit", args=[subscription.pk])).content.decode()
    assert "zhang@example.com" in edit
    response = client.post(
        reverse("reports:edit", args=[subscription.pk]),
        {
            "kind": "tickets",
            "name": "每周工单",
            "frequency": "weekly",
            "weekday": "4",
            "send_time": "17:00",
            "recipients": "zhang@example.com",
            "language": "en",
        },
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.name, subscription.weekday, subscription.language) == ("每周工单", 4, "en")
    client.post(reverse("reports:action", args=[subscription.pk, "pause"]))
    subscription.refresh_from_db()
    assert not subscription.active
    client.post(reverse("reports:action", args=[subscription.pk, "delete"]))
    assert not ReportSubscription.objects.exists()


def test_someone_elses_subscription_is_a_404():
    subscription = subscribe(staff())
    client = client_for_language(staff())
    assert client.get(reverse("reports:edit", args=[subscription.pk])).status_code == 404
    assert client.post(reverse("reports:action", args=[subscription.pk, "delete"])).status_code == 404
    assert ReportSubscription.objects.exists()


def test_send_me_a_test_mails_the_person_who_asked(mailoutbox):
    colleague = staff(email="li@example.com")
    owner = staff(email="zhang@example.com")
    subscription = subscribe(owner, recipients=[colleague.email])
    response = client_for_language(owner).post(reverse("reports:action", args=[subscription.pk, "test"]), follow=True)
    assert "zhang@example.com" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["zhang@example.com"]]
    assert not ReportDelivery.objects.exists()


def test_a_failing_test_send_is_a_message_not_a_500(settings):
    owner = staff(email="zhang@example.com")
    subscription = subscribe(owner)
    smtp_settings(settings, free_port())
    response = client_for_language(owner, "en").post(reverse("reports:action", args=[subscription.pk, "test"]), follow=True)
    assert response.status_code == 200
    assert "The mail server did not take the message" in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_are_in_one_language(settings, language):
    from tests.demo.test_one_language import _leaks, _strip_user_data, _Text

    owner = staff(email="zhang@example.com", display_name="张伟")
    subscription = subscribe(owner, created="2026-03-01 09:00", name="华东积压", filters="status=new")
    subscribe(owner, created="2026-03-01 09:00", name="月报", frequency="monthly", day_of_month=31)
    subscribe(owner, created="2026-03-01 09:00", name="周报", frequency="weekly", weekday=4, language="en")
    smtp_settings(settings, free_port())
    send_due_reports(now=at("2026-03-02 08:00"))
    client = client_for_language(owner, language)
    for url in (reverse("reports:list"), reverse("reports:new"), reverse("reports:edit", args=[subscription.pk])):
        parser = _Text()
        parser.feed(client.get(url).content.decode())
        text = _strip_user_data("\n".join(parser.parts), ["华东积压", "月报", "周报", "张伟", "zhang@example.com"])
        assert _leaks(text, language) == [], url
