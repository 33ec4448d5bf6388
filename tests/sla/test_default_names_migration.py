"""Migration sla/0004: the default calendars and policies named in both languages at once are
named in the site's language; a row an administrator renamed is left alone."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from aftersales.sla.models import Calendar, SlaPolicy

pytestmark = pytest.mark.django_db
migration = importlib.import_module("aftersales.sla.migrations.0004_default_names_one_language")


def test_the_bilingual_default_names_become_one_language_and_renamed_rows_stay():
    SlaPolicy.objects.filter(name="默认").update(name="默认 Default")
    SlaPolicy.objects.filter(name="紧急").update(name="一级响应")  # renamed by the administrator
    Calendar.objects.filter(name="办公日历").update(name="办公日历 Office hours")
    migration.forwards(apps, None)
    names = set(SlaPolicy.objects.values_list("name", flat=True))
    assert {"默认", "一级响应", "重要", "重要客户"} <= names
    assert not any(" " in name for name in names)
    assert Calendar.objects.filter(name="办公日历").exists()
    migration.backwards(apps, None)
    assert SlaPolicy.objects.filter(name="默认 Default").exists() and SlaPolicy.objects.filter(name="一级响应").exists()


def test_a_fresh_database_has_the_defaults_in_one_language():
    assert set(SlaPolicy.objects.values_list("name", flat=True)) >= {"紧急", "重要", "重要客户", "默认"}
    assert set(Calendar.objects.values_list("name", flat=True)) >= {"办公日历", "全天候"}
