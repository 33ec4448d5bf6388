"""The administrator's setup checklist on the overview: on a new company's database every item
shows with its link; each disappears once it is configured and comes back when undone; only
administrators and superusers see it; it reads in a few statements, once a minute; both
languages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.models import DataScope, RegionArea, Role, User
from aftersales.catalog.models import ProductModel
from aftersales.desk.setup_checklist import CACHE_KEY, setup_checklist
from aftersales.feedback.models import SurveySettings
from aftersales.fieldservice.models import ChargePolicy, TechnicianProfile, TravelMode, TravelRate
from aftersales.sla.models import Calendar, CalendarYear, ScheduleSource, SlaPolicy
from aftersales.tickets.models import ApprovalRule
from tests.clients import client_for_language
from tests.clock import freeze_time
from tests.factories import ProductModelFactory, RegionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 10)  # the holiday package knows this year; next year is not looked for yet
DECEMBER = dt.date(2026, 12, 7)  # from November next year's schedule is looked for: 2027 is unknown
EVERY_ITEM_OF_A_NEW_COMPANY = {
    "regions",
    "teams",
    "staff-agent",
    "staff-supervisor",
    "staff-technician",
    "product-models",
    "approval-rules",
    "labour-rate",
    "travel-rate",
    "sms",
    "wechat",
    "email",
    "survey",
}
# What a company that has set everything up runs with: a mail server and its own senders.
CONFIGURED = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "DEFAULT_FROM_EMAIL": "售后服务 <service@acme.com.cn>",
    "NOTIFICATION_SENDERS": {
        "sms": "tests.notifications.senders.RecordingSender",
        "wechat": "tests.notifications.senders.RecordingSender",
    },
}


@pytest.fixture
def admin() -> User:
    return UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, username="first-admin")


def keys(user: User, today: dt.date = MARCH) -> list[str]:
    return [item.key for item in setup_checklist(user=user, today=today, fresh=True)]


def configure_everything() -> dict[str, object]:
    """A company that has done every item; returns its rows for the tests to undo one."""
    region = RegionFactory()
    area = RegionArea.objects.create(region=region, province="上海")
    team = TeamFactory(region=region)
    staff = {role: UserFactory(role=role, region=region, team=team) for role in (Role.AGENT, Role.SUPERVISOR, Role.TECHNICIAN)}
    profile, _created = TechnicianProfile.objects.get_or_create(user=staff[Role.TECHNICIAN])
    model = ProductModelFactory()
    rule = ApprovalRule.objects.create(name="维修方案 ≥ 1000 元", min_amount=Decimal("1000"))
    policy = ChargePolicy.objects.create(name="2026", labour_cost_per_hour=Decimal("80"), valid_from=dt.date(2026, 1, 1))
    travel = TravelRate.objects.create(mode=TravelMode.PER_KM, cost=Decimal("2"), price=Decimal("3"))
    survey = SurveySettings.objects.create(version=1, aspects=["overall"], saved_at=timezone.now())
    return {
        "survey": survey,
        "region": region,
        "area": area,
        "team": team,
        "staff": staff,
        "profile": profile,
        "model": model,
        "rule": rule,
        "policy": policy,
        "travel": travel,
    }


def test_a_new_company_sees_every_item_with_where_it_is_done(admin):
    items = {item.key: item for item in setup_checklist(user=admin, today=MARCH, fresh=True)}
    assert set(items) == EVERY_ITEM_OF_A_NEW_COMPANY  # the SLA defaults come with the migrations
    assert items["regions"].url == reverse("admin:accounts_region_add")
    assert items["teams"].url == reverse("admin:accounts_team_add")
    assert items["staff-technician"].url == reverse("admin:accounts_user_add")
    assert items["approval-rules"].url == reverse("admin:tickets_approvalrule_add")
    assert items["labour-rate"].url == reverse("admin:fieldservice_chargepolicy_add")
    assert items["travel-rate"].url == reverse("admin:fieldservice_travelrate_add")
    assert items["sms"].settings.startswith("SMS_PROVIDER") and items["sms"].docs == "docs/notifications.md"
    assert "WECHAT_APP_ID" in items["wechat"].settings
    assert "EMAIL_BACKEND" in items["email"].settings
    for item in items.values():
        assert item.text and (item.url or item.settings), item.key


@override_settings(**CONFIGURED)
def test_a_company_that_did_everything_sees_no_item(admin):
    configure_everything()
    assert keys(admin) == []


def _no_area(world):
    world["area"].delete()


def _no_team(world):
    world["team"].delete()


def _no_role(role: Role) -> Callable[[dict], None]:
    def undo(world):
        User.objects.filter(role=role).update(is_active=False)

    return undo


def _no_profile(world):
    TechnicianProfile.objects.all().delete()


def _no_warranty(world):
    ProductModelFactory(warranty_policy=None)


def _no_models(world):
    ProductModel.objects.update(active=False)


def _no_default_sla(world):
    SlaPolicy.objects.filter(priority__isnull=True, customer_tier="").update(active=False)


def _no_rule(world):
    world["rule"].active = False
    world["rule"].save(update_fields=["active"])


def _zero_labour(world):
    ChargePolicy.objects.update(labour_cost_per_hour=0, labour_price_per_hour=0)


def _zero_travel(world):
    TravelRate.objects.update(cost=0, price=0)


def _no_survey(world):
    world["survey"].delete()


@pytest.mark.parametrize(
    ("undo", "key"),
    [
        (_no_area, "region-areas"),
        (_no_team, "teams"),
        (_no_role(Role.AGENT), "staff-agent"),
        (_no_role(Role.SUPERVISOR), "staff-supervisor"),
        (_no_role(Role.TECHNICIAN), "staff-technician"),
        (_no_profile, "technician-profiles"),
        (_no_warranty, "warranty"),
        (_no_models, "product-models"),
        (_no_default_sla, "sla"),
        (_no_rule, "approval-rules"),
        (_zero_labour, "labour-rate"),
        (_zero_travel, "travel-rate"),
        (_no_survey, "survey"),
    ],
)
@override_settings(**CONFIGURED)
def test_each_item_appears_when_its_setting_is_undone(admin, undo, key):
    world = configure_everything()
    assert keys(admin) == []
    undo(world)
    assert keys(admin) == [key]


@override_settings(**CONFIGURED)
def test_the_counts_say_how_many_technicians_and_models_are_missing_a_setting(admin):
    configure_everything()
    newcomers = [UserFactory(role=Role.TECHNICIAN), UserFactory(role=Role.TECHNICIAN)]
    TechnicianProfile.objects.filter(user__in=newcomers).delete()
    ProductModelFactory(warranty_policy=None)
    with translation.override("en"):
        items = {item.key: item for item in setup_checklist(user=admin, today=MARCH, fresh=True)}
    assert set(items) == {"technician-profiles", "warranty"}
    assert items["technician-profiles"].text.startswith("2 technicians have no technician profile")
    assert items["technician-profiles"].url == reverse("admin:fieldservice_technicianprofile_add")
    assert items["warranty"].text.startswith("1 product model has no warranty policy")
    assert items["warranty"].url == reverse("admin:catalog_productmodel_changelist") + "?warranty_policy__isnull=True"


@override_settings(**{**CONFIGURED, "DEFAULT_FROM_EMAIL": "售后服务 <aftersales@localhost>"})
def test_mail_sent_from_a_local_address_is_an_item(admin):
    configure_everything()
    with translation.override("en"):
        items = setup_checklist(user=admin, today=MARCH, fresh=True)
    assert [item.key for item in items] == ["email"]
    assert "aftersales@localhost" in items[0].text and items[0].settings == "DEFAULT_FROM_EMAIL"


@override_settings(**{**CONFIGURED, "NOTIFICATION_SENDERS": {}, "SMS_PROVIDER": "aliyun", "WECHAT_APP_ID": "wx-app"})
def test_a_provider_with_missing_settings_is_an_item_without_the_log_only_one(admin):
    configure_everything()
    items = {item.key: item for item in setup_checklist(user=admin, today=MARCH, fresh=True)}
    assert set(items) == {"sms", "wechat"}
    assert "notifications_check" in items["sms"].text
    assert items["sms"].settings == "SMS_TEMPLATES"


@override_settings(**CONFIGURED)
def test_next_years_holidays_are_an_item_until_the_notice_is_entered(admin):
    configure_everything()
    office = Calendar.objects.get(is_24x7=False)
    items = setup_checklist(user=admin, today=DECEMBER, fresh=True)
    assert [(item.key, item.url) for item in items] == [("calendar", reverse("sla:calendar_notice", args=[office.pk, 2027]))]
    assert "2027" in items[0].text
    CalendarYear.objects.create(calendar=office, year=2027, source=ScheduleSource.NOTICE, entered_at=timezone.now())
    assert keys(admin, DECEMBER) == []


def test_only_administrators_and_superusers_see_it():
    assert keys(UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)) == []
    assert keys(UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)) == []
    assert "regions" in keys(UserFactory(role=Role.AGENT, is_superuser=True))


def test_it_reads_in_a_few_statements_once_a_minute(admin, django_assert_max_num_queries):
    # Staff per role, models, labour, travel, regions, areas, teams, technicians, SLA, rules, and
    # the calendars with their years and policies.
    with django_assert_max_num_queries(14):
        first = setup_checklist(user=admin, today=MARCH)
    assert cache.get(CACHE_KEY) is not None
    RegionFactory()  # done, but the next minute's read says so
    with django_assert_max_num_queries(0):
        assert setup_checklist(user=admin, today=MARCH) == first
    assert "regions" not in keys(admin)


@freeze_time(timezone.make_aware(dt.datetime(2026, 12, 7, 10, 0)))
def test_the_overview_shows_it_in_both_languages(admin):
    zh = client_for_language(admin).get(reverse("desk:home"))
    html = zh.content.decode()
    assert zh.status_code == 200
    assert 'data-test-id="setup-checklist"' in html and 'data-test-id="setup-regions"' in html
    assert "系统设置：还有" in html and "还没有服务区域" in html and "录入通知" in html
    assert f'href="{reverse("admin:accounts_region_add")}"' in html
    assert 'data-test-id="calendar-gaps"' in html  # the calendar item keeps its name
    assert "Setting up" not in html and "No service regions" not in html
    en = client_for_language(admin, "en").get(reverse("desk:home")).content.decode()
    assert "Setting up: " in en and "No service regions yet" in en and "Enter the notice" in en
    assert "还没有服务区域" not in en and "系统设置" not in en
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    assert 'data-test-id="setup-checklist"' not in client_for_language(supervisor).get(reverse("desk:home")).content.decode()


@override_settings(**CONFIGURED)
@freeze_time(timezone.make_aware(dt.datetime(2026, 3, 10, 10, 0)))
def test_the_overview_of_a_company_that_did_everything_has_no_checklist(admin):
    configure_everything()
    html = client_for_language(admin).get(reverse("desk:home")).content.decode()
    assert 'data-test-id="admin-links"' in html and 'data-test-id="setup-checklist"' not in html
