"""The analytics demo names responsible parties once and computes the rollups; a second run
changes nothing."""

from __future__ import annotations

import io

import pytest

from aftersales.analytics.models import StaffDay, TicketFact
from aftersales.demo.analytics import PARTIES, load_analytics_demo
from aftersales.fieldservice.models import WorkOrder
from aftersales.tickets.models import Ticket

from .fixtures import build_world

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent():
    world = build_world()
    WorkOrder.objects.filter(number="WO-C").update(cost_total=10)
    load_analytics_demo(io.StringIO())
    assert Ticket.objects.get(pk=world.b.pk).responsible_party == "华东电机厂"  # already decided: kept
    assert TicketFact.objects.count() == Ticket.objects.count()
    snapshot = (
        sorted(Ticket.objects.exclude(responsible_party="").values_list("pk", "responsible_party")),
        sorted(StaffDay.objects.values_list("pk", "handled")),
        sorted(TicketFact.objects.values_list("pk", "computed_at")),
    )
    load_analytics_demo(io.StringIO())
    assert snapshot == (
        sorted(Ticket.objects.exclude(responsible_party="").values_list("pk", "responsible_party")),
        sorted(StaffDay.objects.values_list("pk", "handled")),
        sorted(TicketFact.objects.values_list("pk", "computed_at")),
    )
    assert not Ticket.objects.filter(responsible_party__in=[p for _r, p in PARTIES], resolved_at__isnull=True).exists()
