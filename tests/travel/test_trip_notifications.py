"""What the trip-log steps tell the technician, in-app in his language with the link to the trip:
his log approved (the hours and the labour cost fixed) or returned (with the reason); the events
are editable staff templates (``notifications.template_trips``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.fieldservice.models import ChargePolicy, WorkOrder
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.template_staff_events import STAFF_EVENTS
from aftersales.travel import services

from .factories import finance, job, staff, technician
from .trip_factories import submitted

pytestmark = pytest.mark.django_db


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user, template__startswith="travel.trip_").order_by("id"))


def test_the_events_are_declared_as_editable_staff_templates():
    keys = {event.key for event in STAFF_EVENTS}
    assert {"travel.trip_approved", "travel.trip_returned"} <= keys


def test_the_technician_hears_his_log_approved_with_the_cost():
    ChargePolicy.objects.create(name="2026", labour_cost_per_hour=Decimal("60.00"), valid_from=dt.date(2020, 1, 1))
    tech = technician()
    wo = job(tech)
    WorkOrder.objects.filter(pk=wo.pk).update(labour_hours=Decimal("8.00"))
    done = submitted(tech, wo)
    reviewer = staff(Role.SUPERVISOR)
    services.trip_approve(trip=done, actor=reviewer)
    [message] = inbox(tech)
    assert message.template == "travel.trip_approved" and message.channel == NotificationChannel.IN_APP
    assert done.number in message.body and "480.00" in message.body and "8.00" in message.body
    assert reverse("travel:trip", args=[done.number]) in message.body
    assert inbox(reviewer) == []


def test_the_technician_hears_his_log_returned_with_the_reason():
    tech = technician()
    done = submitted(tech, job(tech))
    services.trip_return(trip=done, actor=finance(), reason="12月5日工时有误")
    [message] = inbox(tech)
    assert message.template == "travel.trip_returned" and "12月5日工时有误" in message.body
