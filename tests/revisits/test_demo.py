"""The revisits demo: revisits in every state for the demo agent; loading it twice changes nothing."""

from __future__ import annotations

import io

import pytest

from aftersales.accounts.models import Role
from aftersales.customers.models import CustomerTier
from aftersales.demo.revisits import load_revisits_demo
from aftersales.revisits.models import Revisit, RevisitStatus, StaffComplaint
from tests.factories import UserFactory

from .helpers import customer, region

pytestmark = pytest.mark.django_db


def test_the_demo_has_revisits_in_every_state_and_loads_once():
    east = region()
    agent = UserFactory(username="agent", role=Role.AGENT, region=east)
    UserFactory(username="technician", role=Role.TECHNICIAN)
    UserFactory(role=Role.SUPERVISOR, region=east)
    for n in range(7):
        customer(tier=CustomerTier.KEY if n % 2 else CustomerTier.LONG_TERM, region=east)

    load_revisits_demo(io.StringIO())

    mine = Revisit.objects.filter(assignee=agent)
    statuses = list(mine.values_list("status", flat=True))
    assert statuses.count(RevisitStatus.DUE) == 2  # one due soon, one overdue
    assert {RevisitStatus.DONE, RevisitStatus.RETRY, RevisitStatus.ESCALATED} <= set(statuses)
    assert mine.filter(raised_ticket__isnull=False).count() == 1
    assert StaffComplaint.objects.count() == 1
    count = Revisit.objects.count()
    load_revisits_demo(io.StringIO())
    assert Revisit.objects.count() == count
