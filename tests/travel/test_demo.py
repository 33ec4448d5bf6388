"""The travel demo loader: the demo technician has a posted reimbursement, a paid advance still
outstanding with approved claims, one paid six weeks ago and overdue for settlement, and an
advance waiting for approval — through the services;
idempotent."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.demo.travel import TECHNICIAN, load_travel_demo
from aftersales.travel import selectors, services
from aftersales.travel.models import AdvanceStatus, CashAdvance, Reimbursement, ReimbursementStatus
from tests.factories import UserFactory

from .factories import finance, job, team_with_leader

pytestmark = pytest.mark.django_db
A = AdvanceStatus


def test_the_demo_technician_has_his_travel_money():
    team, _leader = team_with_leader()
    tech = UserFactory(username=TECHNICIAN, role=Role.TECHNICIAN, data_scope=DataScope.OWN, team=team)
    finance(username="finance")
    UserFactory(username="supervisor", role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    job(tech)
    job(tech)
    out = io.StringIO()
    load_travel_demo(out)
    statuses = sorted(CashAdvance.objects.filter(technician=tech).values_list("status", flat=True))
    assert statuses == sorted([A.SETTLED, A.PAID, A.PAID, A.REQUESTED])
    overdue = CashAdvance.objects.get(technician=tech, purpose__contains="杭州")
    condition = selectors.overdue_condition()
    assert condition is not None
    late = CashAdvance.objects.filter(condition, technician=tech)
    assert list(late.values_list("pk", flat=True)) == [overdue.pk]  # paid 43 days ago: past the 30 days
    assert overdue.number.startswith("JK-" + clock.local_date(overdue.requested_at).strftime("%Y%m%d"))
    posted = Reimbursement.objects.get(technician=tech)
    assert posted.status == ReimbursementStatus.POSTED and posted.net == Decimal("110.00")
    balance = selectors.balance_of(tech)
    assert balance.outstanding == Decimal("2100.00") and balance.claims_due == Decimal("125.50")
    assert services.eligible_claims(tech.pk).count() == 2
    assert AuditEvent.objects.filter(action="travel.reimbursement_posted", object_id=str(posted.pk)).exists()
    assert posted.number in out.getvalue()
    load_travel_demo(out)
    assert "already loaded" in out.getvalue() and CashAdvance.objects.filter(technician=tech).count() == 4


def test_without_a_finance_user_or_jobs_it_is_skipped():
    UserFactory(username=TECHNICIAN, role=Role.TECHNICIAN, data_scope=DataScope.OWN)
    out = io.StringIO()
    load_travel_demo(out)
    assert "skipped" in out.getvalue() and not CashAdvance.objects.exists()
