"""Subscribing: recipients inside the company only (a clear error naming the field), the kind
the owner may export, the schedule's fields, the audit log, and who sees which subscription."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.reports.models import ReportSubscription
from aftersales.reports.selectors import subscription_get_for_user, subscriptions_visible_to
from aftersales.reports.services import (
    SubscriptionInput,
    clean_filters,
    clean_recipients,
    report_subscription_create,
    report_subscription_delete,
    report_subscription_set_active,
    report_subscription_update,
)
from tests.factories import RegionFactory, TeamFactory

from .helpers import staff, subscribe

pytestmark = pytest.mark.django_db


def test_a_colleagues_address_is_accepted_in_any_case_and_once():
    colleague = staff(email="Li.Na@example.com")
    me = staff()
    assert clean_recipients(f"li.na@EXAMPLE.com, {me.email}\n{colleague.email}") == ["li.na@example.com", me.email]


def test_an_outside_address_is_refused_naming_the_field_and_the_address():
    staff(email="wang@example.com")
    with pytest.raises(ValidationFailed) as refused:
        clean_recipients(["wang@example.com", "friend@qq.com"])
    assert refused.value.field == "recipients"
    assert refused.value.code == "report_recipient_outside"
    assert "friend@qq.com" in str(refused.value.errors["recipients"][0])
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as in_chinese:
        clean_recipients(["friend@qq.com"])
    assert "公司" in str(in_chinese.value) and "friend@qq.com" in str(in_chinese.value)


def test_a_customer_or_a_former_employees_address_is_outside_the_company():
    staff(email="left@example.com", is_active=False)
    staff(role=Role.CUSTOMER, email="buyer@example.com")
    for address in ("left@example.com", "buyer@example.com"):
        with pytest.raises(ValidationFailed):
            clean_recipients([address])


def test_a_company_domain_in_the_settings_admits_any_address_there(settings):
    settings.REPORTS_ALLOWED_DOMAINS = ["@Haier-Service.cn"]
    assert clean_recipients(["team-east@haier-service.cn"]) == ["team-east@haier-service.cn"]
    with pytest.raises(ValidationFailed):
        clean_recipients(["team-east@haier-service.cn.evil.com"])


def test_no_recipient_or_a_malformed_address_is_refused():
    with pytest.raises(ValidationFailed) as empty:
        clean_recipients(" , ")
    assert empty.value.field == "recipients"
    with pytest.raises(ValidationFailed) as malformed:
        clean_recipients(["not-an-address"])
    assert "not-an-address" in str(malformed.value)


def test_filters_come_from_the_list_pages_query_string_without_paging():
    assert clean_filters("?status=new&region=3&page=2&kind=tickets&q=") == {"status": "new", "region": "3"}
    assert clean_filters({"status": ["new", "in_progress"]}) == {"status": "in_progress"}


def test_subscribing_records_the_owner_the_schedule_and_an_audit_event():
    owner = staff()
    subscription = subscribe(owner, frequency="weekly", weekday=0, filters="status=new", send_time=dt.time(9, 30))
    assert subscription.owner == owner
    assert subscription.filters == {"status": "new"}
    assert (subscription.weekday, subscription.day_of_month) == (0, None)
    event = AuditEvent.objects.get(action="report.subscription_created", object_id=str(subscription.pk))
    assert event.actor == owner
    assert event.changes["send_time"] == "09:30:00"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "no_such_report"}, "kind"),
        ({"frequency": "hourly"}, "frequency"),
        ({"frequency": "weekly"}, "weekday"),
        ({"frequency": "weekly", "weekday": 7}, "weekday"),
        ({"frequency": "monthly", "day_of_month": 0}, "day_of_month"),
        ({"frequency": "monthly"}, "day_of_month"),
        ({"language": "fr"}, "language"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_bad_input_is_refused_with_the_field(values, field):
    owner = staff()
    data = {"kind": "tickets", "recipients": [owner.email], **values}
    with pytest.raises(ValidationFailed) as refused:
        report_subscription_create(actor=owner, data=SubscriptionInput(**data))
    assert refused.value.field == field
    assert not ReportSubscription.objects.exists()


def test_the_name_defaults_to_the_reports_title_in_the_subscriptions_language():
    owner = staff()
    subscription = report_subscription_create(
        actor=owner, data=SubscriptionInput(kind="tickets", recipients=[owner.email], language="zh-hans")
    )
    assert subscription.name == "工单"


def test_changing_the_schedule_restarts_it_from_now_and_is_audited():
    owner = staff()
    subscription = subscribe(owner)
    before = subscription.schedule_from
    changed = report_subscription_update(
        actor=owner,
        subscription=subscription,
        data=SubscriptionInput(kind="tickets", recipients=[owner.email], name="我的工单", frequency="monthly", day_of_month=31),
    )
    assert changed.schedule_from > before
    event = AuditEvent.objects.get(action="report.subscription_updated")
    assert event.changes["frequency"] == ["daily", "monthly"]


def test_pausing_resuming_and_deleting_are_audited():
    owner = staff()
    subscription = subscribe(owner)
    report_subscription_set_active(actor=owner, subscription=subscription, active=False)
    report_subscription_set_active(actor=owner, subscription=subscription, active=True)
    report_subscription_delete(actor=owner, subscription=subscription)
    assert not ReportSubscription.objects.exists()
    assert list(AuditEvent.objects.filter(object_id=str(subscription.pk)).order_by("id").values_list("action", flat=True)) == [
        "report.subscription_created",
        "report.subscription_paused",
        "report.subscription_resumed",
        "report.subscription_deleted",
    ]


def test_people_see_their_own_supervisors_their_scope_administrators_all():
    east, south = RegionFactory(), RegionFactory()
    team = TeamFactory(region=east)
    member = staff(team=team)
    east_agent = staff(region=east)
    south_agent = staff(region=south)
    mine, theirs, far = subscribe(member), subscribe(east_agent), subscribe(south_agent)
    team_lead = staff(role=Role.SUPERVISOR, scope=DataScope.TEAM, team=team)
    region_lead = staff(role=Role.SUPERVISOR, scope=DataScope.REGION, region=east)
    admin = staff(role=Role.ADMINISTRATOR)

    def seen(user):  # type: ignore[no-untyped-def]
        return set(subscriptions_visible_to(user))

    assert seen(member) == {mine}
    assert seen(team_lead) == {mine}
    assert seen(region_lead) == {mine, theirs}
    assert seen(admin) == {mine, theirs, far}
    with pytest.raises(NotFound):
        subscription_get_for_user(user=east_agent, subscription_id=far.pk)
    # Outside the scope, a change is refused as if the subscription did not exist.
    with pytest.raises(NotFound):
        report_subscription_set_active(actor=east_agent, subscription=far, active=False)
