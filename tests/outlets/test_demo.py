"""The outlet demo loader: the outlet with its leader and technician, jobs done by them and this
month's statement drafted, through the services; idempotent."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate

from aftersales.accounts.models import DataScope, Role, ServiceOutlet
from aftersales.demo.outlets import LEADER_PASSWORD, LEADER_USERNAME, OUTLET_CODE, load_outlets_demo
from aftersales.fieldservice.models import WorkOrder
from aftersales.outlets.models import Settlement
from tests.factories import UserFactory
from tests.fieldservice.helpers import in_progress_ticket, unit_in_warranty

pytestmark = pytest.mark.django_db


def test_the_demo_outlet_has_its_team_jobs_and_a_drafted_statement():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    for _n in range(2):
        in_progress_ticket(actor=admin, unit=unit_in_warranty())
    out = io.StringIO()
    load_outlets_demo(out)
    outlet = ServiceOutlet.objects.get(code=OUTLET_CODE)
    assert outlet.team is not None and outlet.team.members.count() == 2
    assert outlet.team.leader.username == LEADER_USERNAME
    assert authenticate(username=LEADER_USERNAME, password=LEADER_PASSWORD) == outlet.team.leader
    assert WorkOrder.objects.filter(outlet=outlet, status="customer_accepted").count() == 2
    statement = Settlement.objects.get(outlet=outlet)
    assert statement.status == "draft" and statement.line_count == 2 and statement.total_amount > 0
    assert statement.number in out.getvalue()
    load_outlets_demo(out)
    assert "already loaded" in out.getvalue() and Settlement.objects.count() == 1
