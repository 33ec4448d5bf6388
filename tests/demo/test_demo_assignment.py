"""The demo's assignment rules place new tickets of 华南 and 华北; 华东's wait for a person."""

import pytest

from aftersales.tickets.models import AssignmentRule
from aftersales.tickets.services.assignment import ticket_auto_assign
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_new_tickets_of_the_ruled_regions_are_assigned_to_their_team(demo_output):
    assert set(AssignmentRule.objects.filter(active=True).values_list("region__code", flat=True)) == {"south", "north"}
    south = make_ticket(phone="13900005501", province="广东省", city="广州市", description="空调漏水")
    outcome = ticket_auto_assign(south)
    assert outcome.outcome == "assigned", outcome
    assert outcome.assignee.team.region.code == "south"
    east = make_ticket(phone="13900005502", province="江苏省", city="南京市", description="冰箱不制冷")
    assert ticket_auto_assign(east).outcome == "no_rule"
