"""SLA policies in /admin/ in hours (docs/decisions/0013-administration.md): the targets are
entered as 9, 1.5 or 9:30 and shown as hours, stored as the working minutes the clocks count; an
administrator who is not a superuser adds and changes them, audited."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.models import AuditEvent
from aftersales.sla.forms import HoursField, hours_input, hours_text
from aftersales.sla.models import Calendar, SlaPolicy
from tests.clients import client_for_language
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [("9", 540), ("18", 1080), ("45", 2700), ("1.5", 90), ("0.25", 15), ("9:30", 570), ("9：30", 570), (" 0:45 ", 45)],
)
def test_hours_are_read_as_minutes(typed: str, minutes: int):
    assert HoursField().clean(typed) == minutes


@pytest.mark.parametrize("typed", ["nine", "9:5", "9:75", "-1", "1e9", "NaN", ":30", "9:"])
def test_what_is_not_hours_is_refused(typed: str):
    with pytest.raises(forms.ValidationError):
        HoursField().clean(typed)


def test_a_target_is_at_least_a_minute_and_an_escalation_may_be_at_once():
    with pytest.raises(forms.ValidationError):
        HoursField().clean("0")
    assert HoursField(min_minutes=0).clean("0") == 0
    with pytest.raises(forms.ValidationError):
        HoursField().clean("10000")


def test_minutes_are_shown_as_hours():
    assert [hours_input(m) for m in (540, 90, 2700, 45)] == ["9", "1:30", "45", "0:45"]
    with translation.override("en"):
        assert (hours_text(540), hours_text(90)) == ("9 h", "1 h 30 min")
    with translation.override("zh-hans"):
        assert (hours_text(540), hours_text(90)) == ("9小时", "1小时30分钟")


@pytest.fixture
def administrator(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)


@pytest.fixture
def calendar(db) -> Calendar:  # type: ignore[no-untyped-def]
    return Calendar.objects.create(name="测试日历")


def _policy_form(calendar: Calendar, **values: str) -> dict[str, str]:
    data = {
        "name": "标准",
        "priority": "",
        "customer_tier": "",
        "calendar": str(calendar.pk),
        "first_response_minutes": "9",
        "solution_minutes": "18",
        "resolution_minutes": "45",
        "warning_share": "0.75",
        "escalate_after_minutes": "4:30",
        "position": "0",
        "active": "on",
        "_save": "1",
    }
    data.update(values)
    return data


@pytest.mark.django_db
def test_an_administrator_adds_a_policy_in_hours_and_it_is_stored_in_minutes(administrator: User, calendar: Calendar):
    client = client_for_language(administrator, "zh-hans")
    add = client.get(reverse("admin:sla_slapolicy_add"))
    assert add.status_code == 200
    html = add.content.decode()
    assert "首次响应（小时）" in html and 'name="escalate_after_minutes" value="4"' in html  # the default 240 minutes
    response = client.post(reverse("admin:sla_slapolicy_add"), _policy_form(calendar))
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(name="标准")
    assert (policy.first_response_minutes, policy.solution_minutes, policy.resolution_minutes) == (540, 1080, 2700)
    assert policy.escalate_after_minutes == 270
    event = AuditEvent.objects.get(action="admin.added", object_type="sla.slapolicy", object_id=str(policy.pk))
    assert event.actor == administrator and event.changes["first_response_minutes"] == 540


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_policy_pages_show_hours_in_both_languages(administrator: User, calendar: Calendar, language: str):
    policy = SlaPolicy.objects.create(
        name="VIP", calendar=calendar, first_response_minutes=90, solution_minutes=540, resolution_minutes=2700
    )
    client = client_for_language(administrator, language)
    listing = client.get(reverse("admin:sla_slapolicy_changelist")).content.decode()
    if language == "en":
        assert "1 h 30 min" in listing and "45 h" in listing and "First response" in listing
    else:
        assert "1小时30分钟" in listing and "45小时" in listing and "首次响应" in listing
    change = client.get(reverse("admin:sla_slapolicy_change", args=[policy.pk]))
    assert change.status_code == 200
    html = change.content.decode()
    assert 'name="first_response_minutes" value="1:30"' in html and 'name="resolution_minutes" value="45"' in html


@pytest.mark.django_db
def test_a_change_in_hours_is_audited_in_minutes(administrator: User, calendar: Calendar):
    policy = SlaPolicy.objects.create(
        name="标准", calendar=calendar, first_response_minutes=540, solution_minutes=1080, resolution_minutes=2700
    )
    client = client_for_language(administrator, "en")
    form = _policy_form(calendar, first_response_minutes="10:30", escalate_after_minutes="4")
    response = client.post(reverse("admin:sla_slapolicy_change", args=[policy.pk]), form)
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.first_response_minutes == 630
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(policy.pk))
    assert event.changes == {"first_response_minutes": [540, 630]}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "message"), [("zh-hans", "请输入小时数"), ("en", "Enter hours, e.g. 9, 1.5 or 9:30.")])
def test_a_slip_is_explained_in_the_readers_language(administrator: User, calendar: Calendar, language: str, message: str):
    client = client_for_language(administrator, language)
    response = client.post(reverse("admin:sla_slapolicy_add"), _policy_form(calendar, resolution_minutes="two days"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SlaPolicy.objects.filter(name="标准").exists()
