"""Names stored, words shown in the reader's language: a technician's van, the actor of a ticket
registered by a channel, the admin's own texts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from aftersales.audit.models import AuditEvent
from aftersales.core.i18n import actor_text, deferred, rendered
from aftersales.parts.models import WarehouseKind
from aftersales.parts.services import warehouse_for_technician
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_van_stores_its_technicians_name_and_is_named_in_the_readers_language():
    technician = UserFactory(role="technician", display_name="刘强")
    with translation.override("en"):  # whoever creates it, in whatever language
        van = warehouse_for_technician(technician=technician)
    assert van.kind == WarehouseKind.VAN and van.name == "刘强"
    with translation.override("zh-hans"):
        assert van.display_name == str(van) == "刘强的车载库"
        # In a deferred text (a timeline entry naming the van).
        assert rendered(deferred("%(van)s", van=van.name_text)) == "刘强的车载库"
    with translation.override("en"):
        assert van.display_name == "Van of 刘强"


def test_the_admin_speaks_the_readers_language():
    admin = UserFactory(role="administrator", is_superuser=True, is_staff=True)
    AuditEvent.objects.create(action="ticket.created", object_type="tickets.ticket", object_id="1", actor_label="channel:hotline")
    client = Client()
    client.force_login(admin)
    client.cookies["django_language"] = "zh-hans"
    index = client.get("/admin/").content.decode()
    assert "后台任务" in index and "售后服务管理系统后台" in index and "模型名称" in index
    assert "Tasks Database Backend" not in index and "Model name" not in index
    jobs = client.get("/admin/django_tasks_database/dbtaskresult/").content.decode()
    assert "任务结果" in jobs and "Task Result" not in jobs
    log = client.get("/admin/audit/auditevent/").content.decode()
    assert "服务热线" in log and "channel:hotline" not in log  # the actor code in words
    assert 'alt="Search"' not in log
    client.cookies["django_language"] = "en"
    assert "Hotline / phone" in client.get("/admin/audit/auditevent/").content.decode()
    calendar = client.get("/admin/sla/calendar/add/").content.decode()
    assert "调休" not in calendar and "make-up workdays" in calendar


def test_rows_written_before_the_codes_stay_readable():
    # An actor label in the words of the time, and an entry without deferred text: as stored.
    with translation.override("en"):
        assert actor_text("服务热线/电话") == "服务热线/电话"
        assert rendered({}, "已开始核查。") == rendered({"x": 1}, "已开始核查。") == "已开始核查。"
