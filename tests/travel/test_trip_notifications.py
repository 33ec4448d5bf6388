"""What the trip-log steps tell, in-app in each recipient's language with the link to the trip:
the reviewers in scope a log submitted (once per submission); the technician his log approved (the
hours and the labour cost fixed) or returned (with the reason); the events are editable staff
templates (``notifications.template_trips``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.fieldservice.models import ChargePolicy, WorkOrder
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.template_staff_events import STAFF_EVENTS
from aftersales.travel import services
from aftersales.travel.trip_permissions import can_review
from tests.factories import RegionFactory, TeamFactory

from .factories import finance, job, staff, team_with_leader, technician
from .trip_factories import days_ago, log, submitted, trip

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


def test_the_reviewers_in_scope_hear_of_each_submission_once():
    """Finance and supervisors whose scope holds the technician (all, his region, his team, his
    team's leader when a supervisor) are told; those of another region or team, a team leader who
    is a technician, other roles and the technician himself are not."""
    team, leader = team_with_leader()
    region = RegionFactory()
    tech = technician(team=team, region=region)
    everyone = finance()
    regional = staff(Role.SUPERVISOR, data_scope=DataScope.REGION, region=region)
    same_team = staff(Role.ADMINISTRATOR, data_scope=DataScope.TEAM, team=team)
    elsewhere = staff(Role.SUPERVISOR, data_scope=DataScope.REGION, region=RegionFactory())
    other_team = finance(data_scope=DataScope.TEAM, team=TeamFactory())
    agent = staff(Role.AGENT)
    gone = finance(is_active=False)
    wo = job(tech)
    opened = trip(tech, work_orders=[wo])
    log(opened, work_order=wo, hours="7.5")
    log(opened, day=days_ago(1), hours="2")
    done = services.trip_submit(trip=opened, actor=tech)
    told = set(Notification.objects.filter(template="travel.trip_submitted").values_list("user_id", flat=True))
    assert told == {everyone.pk, regional.pk, same_team.pk}
    assert not told & {elsewhere.pk, other_team.pk, agent.pk, gone.pk, leader.pk, tech.pk}
    [message] = inbox(everyone)
    assert message.channel == NotificationChannel.IN_APP
    assert done.number in message.body and str(tech) in message.body and "9.50" in message.body
    assert f"{days_ago(3).isoformat()} – {days_ago(1).isoformat()}" in message.body
    assert reverse("travel:trip", args=[done.number]) in message.body
    # Each reviewer may decide it: the notice and the approval permission agree.
    assert all(can_review(user, done) for user in (everyone, regional, same_team))
    assert not any(can_review(user, done) for user in (elsewhere, other_team, agent, leader))
    # Returned and submitted again: a second notice, one per submission.
    services.trip_return(trip=done, actor=everyone, reason="补充工单")
    services.trip_submit(trip=done, actor=tech)
    assert [n.template for n in inbox(everyone)] == ["travel.trip_submitted", "travel.trip_submitted"]
    assert len(inbox(regional)) == 2


def test_a_supervisor_leading_the_team_hears_it():
    team = TeamFactory()
    lead = staff(Role.SUPERVISOR, data_scope=DataScope.OWN)
    team.leader = lead
    team.save(update_fields=["leader"])
    tech = technician(team=team)
    done = submitted(tech, job(tech))
    assert can_review(lead, done)
    assert [n.template for n in inbox(lead)] == ["travel.trip_submitted"]


def test_the_submitted_event_is_an_editable_staff_template():
    assert "travel.trip_submitted" in {event.key for event in STAFF_EVENTS}
