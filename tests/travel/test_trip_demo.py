"""The trip-log demo: the demo technician has an approved trip (labour frozen), a returned one
with the reason, one submitted with a difference flagged and one open with a line today — made
through the services at their own moments (numbers, audit and notices agree); idempotent."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.demo.trips import TECHNICIAN, load_trip_demo
from aftersales.fieldservice.models import WorkOrder
from aftersales.notifications.models import Notification
from aftersales.travel.models import Trip, TripLabour, TripStatus
from aftersales.travel.reconcile import reconcile
from tests.factories import UserFactory

from .factories import finance, job, team_with_leader

pytestmark = pytest.mark.django_db
T = TripStatus


def test_the_demo_technician_has_his_trips():
    team, _leader = team_with_leader()
    tech = UserFactory(username=TECHNICIAN, role=Role.TECHNICIAN, data_scope=DataScope.OWN, team=team)
    payer = finance(username="finance")
    for _ in range(4):
        job(tech)
    WorkOrder.objects.filter(technician=tech).update(labour_hours=Decimal("6.50"))
    out = io.StringIO()
    load_trip_demo(out)
    trips = {t.status: t for t in Trip.objects.filter(technician=tech)}
    assert set(trips) == {T.APPROVED, T.RETURNED, T.SUBMITTED, T.OPEN}
    today = clock.local_today()
    approved = trips[T.APPROVED]
    assert approved.decided_by == payer and TripLabour.objects.filter(trip=approved).count() == 1
    assert TripLabour.objects.get(trip=approved).approved_hours == Decimal("6.50")
    assert approved.number.startswith("CC-" + (today - dt.timedelta(days=24)).strftime("%Y%m%d"))
    assert not reconcile(approved).flagged
    assert trips[T.RETURNED].return_reason
    waiting = reconcile(trips[T.SUBMITTED])
    assert waiting.flagged and waiting.rows[0].logged_hours - waiting.rows[0].work_order_hours == 3
    opened = trips[T.OPEN]
    assert opened.entries.filter(day=today).exists() and opened.entries.count() == 2
    assert AuditEvent.objects.filter(action="travel.trip_approved", object_id=str(approved.pk)).exists()
    # The reviewer was told of each submission (three), the technician of the decisions (two).
    assert Notification.objects.filter(user=payer, template="travel.trip_submitted").count() == 3
    assert Notification.objects.filter(user=tech, template__in=["travel.trip_approved", "travel.trip_returned"]).count() == 2
    for trip in trips.values():
        assert trip.number in out.getvalue()
    load_trip_demo(out)
    assert "already loaded" in out.getvalue() and Trip.objects.filter(technician=tech).count() == 4


def test_without_a_reviewer_it_is_skipped():
    tech = UserFactory(username=TECHNICIAN, role=Role.TECHNICIAN, data_scope=DataScope.OWN)
    job(tech)
    out = io.StringIO()
    load_trip_demo(out)
    assert "skipped" in out.getvalue() and not Trip.objects.exists()
