"""The calendars and SLA policies the product seeds have a stable code, and pages show them in the
reader's language while their name is the seeded one; a name the administrator gave is shown as
given (SPEC: no string of the other language on a page)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.sla.models import Calendar, SlaPolicy
from tests.clients import client_for_language
from tests.clock import freeze_time
from tests.factories import UserFactory

from .conftest import at

pytestmark = pytest.mark.django_db
migration = importlib.import_module("aftersales.sla.migrations.0006_seeded_codes")
SEEDED_CHINESE = ("办公日历", "全天候", "紧急", "重要客户", "默认")
ENGLISH = {
    "office": "Office hours",
    "always": "24×7",
    "urgent": "Urgent",
    "important": "Important",
    "key_customer": "Key customer",
    "default": "Default",
}


def test_a_fresh_database_gives_the_seeded_rows_their_codes():
    assert dict(Calendar.objects.values_list("code", "name")) == {"office": "办公日历", "always": "全天候"}
    assert dict(SlaPolicy.objects.values_list("code", "name")) == {
        "urgent": "紧急",
        "important": "重要",
        "key_customer": "重要客户",
        "default": "默认",
    }


def test_a_seeded_row_is_shown_in_the_readers_language_while_its_name_is_unchanged():
    rows = [*Calendar.objects.all(), *SlaPolicy.objects.all()]
    with translation.override("en"):
        assert {row.code: row.label for row in rows} == ENGLISH
        assert {row.code: str(row) for row in rows} == ENGLISH
    with translation.override("zh-hans"):
        assert {row.code: row.label for row in rows} == {row.code: row.name for row in rows}


def test_a_renamed_seeded_row_and_the_administrators_own_rows_show_their_names():
    SlaPolicy.objects.filter(code="default").update(name="标准服务")
    office = Calendar.objects.get(code="office")
    own = Calendar.objects.create(name="售后门店日历")
    policy = SlaPolicy.objects.get(code="default")
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert policy.label == "标准服务"
            assert own.label == "售后门店日历" and own.code == ""
            assert office.label == ("Office hours" if language == "en" else "办公日历")


def test_a_code_belongs_to_one_row():
    with pytest.raises(IntegrityError), transaction.atomic():
        Calendar.objects.create(name="另一个日历", code="office")
    # Rows without a code are many.
    Calendar.objects.create(name="日历甲")
    Calendar.objects.create(name="日历乙")
    assert Calendar.objects.filter(code="").count() == 2


def test_the_migration_codes_only_the_rows_that_keep_their_seeded_name():
    Calendar.objects.update(code="")
    SlaPolicy.objects.update(code="")
    SlaPolicy.objects.filter(name="紧急").update(name="一级响应")  # renamed before the migration
    migration.forwards(apps, None)
    assert dict(SlaPolicy.objects.values_list("name", "code")) == {
        "一级响应": "",
        "重要": "important",
        "重要客户": "key_customer",
        "默认": "default",
    }
    assert set(Calendar.objects.values_list("code", flat=True)) == {"office", "always"}
    migration.forwards(apps, None)  # again: nothing changes
    assert SlaPolicy.objects.filter(code="default").count() == 1
    migration.backwards(apps, None)
    assert set(SlaPolicy.objects.values_list("code", flat=True)) == {""}


@pytest.fixture
def supervisor():
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)


@freeze_time(at(2026, 12, 7, 10, 0))
def test_the_calendars_pages_in_english_show_no_seeded_chinese_name(supervisor):
    client = client_for_language(supervisor, "en")
    office = Calendar.objects.get(code="office")
    overview = client.get(reverse("sla:calendars")).content.decode()
    year = client.get(reverse("sla:calendar_year", args=[office.pk, 2026])).content.decode()
    for html in (overview, year):
        assert not [name for name in SEEDED_CHINESE if name in html]
    assert "Office hours" in overview and "24×7" in overview
    assert "Urgent" in overview and "Key customer" in overview and "Default" in overview
    assert "<h1>Office hours · 2026</h1>" in year


@freeze_time(at(2026, 12, 7, 10, 0))
def test_the_calendars_page_in_chinese_shows_the_seeded_names(supervisor):
    html = client_for_language(supervisor, "zh-hans").get(reverse("sla:calendars")).content.decode()
    assert all(name in html for name in SEEDED_CHINESE)
    assert "Office hours" not in html


def test_the_admin_lists_the_seeded_policies_in_english_and_shows_the_code():
    administrator = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    client = client_for_language(administrator, "en")
    listing = client.get(reverse("admin:sla_slapolicy_changelist")).content.decode()
    assert "Key customer" in listing and "重要客户" not in listing
    policy = SlaPolicy.objects.get(code="key_customer")
    change = client.get(reverse("admin:sla_slapolicy_change", args=[policy.pk])).content.decode()
    assert 'name="name" value="重要客户"' in change  # the name stays editable as stored
    assert "key_customer" in change
