"""The field-service demo loader: configuration, work orders in several states, idempotent,
and graceful without a suitable ticket."""

from __future__ import annotations

import io

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.demo.fieldservice import load_fieldservice_demo
from aftersales.fieldservice.models import ChargePolicy, Skill, TechnicianProfile, WorkOrder
from tests.factories import UserFactory

from .helpers import in_progress_ticket, unit_in_warranty

pytestmark = pytest.mark.django_db


def test_without_tickets_it_loads_the_configuration_and_says_why_there_are_no_jobs():
    UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    UserFactory(username="technician", role=Role.TECHNICIAN)
    out = io.StringIO()
    load_fieldservice_demo(out)
    assert Skill.objects.exists() and ChargePolicy.objects.exists() and TechnicianProfile.objects.count() == 1
    assert WorkOrder.objects.count() == 0 and "no ticket in progress" in out.getvalue()
    load_fieldservice_demo(out)
    assert "already loaded" in out.getvalue()


def test_with_tickets_in_progress_it_creates_work_orders_in_several_states():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    UserFactory(username="technician", role=Role.TECHNICIAN)
    UserFactory(role=Role.TECHNICIAN)
    for _ in range(4):
        in_progress_ticket(actor=admin, unit=unit_in_warranty())
    load_fieldservice_demo(io.StringIO())
    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert statuses == {"dispatched", "to_dispatch", "on_site", "customer_accepted"}
    assert WorkOrder.objects.get(status="dispatched").technician.username == "technician"
