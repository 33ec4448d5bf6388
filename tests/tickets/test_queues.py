"""The agent's work queues: mine, my team, unassigned, SLA at risk, awaiting approval."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope
from aftersales.core import clock
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import TicketFilters, ticket_list_for_user
from aftersales.tickets.services import ticket_assign
from aftersales.tickets.states import TicketStatus
from tests.factories import TeamFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def _numbers(user, queue: str) -> set[str]:
    page = ticket_list_for_user(user=user, filters=TicketFilters(open_only=False, queue=queue), page_size=100)
    return {t.number for t in page.rows}


@pytest.fixture
def setup():
    team = TeamFactory()
    me = UserFactory(data_scope=DataScope.ALL, team=team)
    colleague = UserFactory(team=team)
    outsider = UserFactory()
    boss = UserFactory(data_scope=DataScope.ALL)
    mine = ticket_assign(ticket=make_ticket(phone="13800000001"), assignee=me, actor=boss)
    teams = ticket_assign(ticket=make_ticket(phone="13800000002"), assignee=colleague, actor=boss)
    others = ticket_assign(ticket=make_ticket(phone="13800000003"), assignee=outsider, actor=boss)
    nobody = make_ticket(phone="13800000004")
    return me, mine, teams, others, nobody


def test_mine_team_and_unassigned_queues(setup):
    me, mine, teams, others, nobody = setup
    assert _numbers(me, "mine") == {mine.number}
    assert _numbers(me, "team") == {mine.number, teams.number}
    assert _numbers(me, "unassigned") == {nobody.number}
    assert _numbers(me, "") == {mine.number, teams.number, others.number, nobody.number}


def test_at_risk_holds_tickets_due_within_the_window_or_escalated(setup):
    me, mine, teams, others, _nobody = setup
    far = clock.now() + dt.timedelta(days=10)
    Ticket.objects.update(due_at=far, first_response_due_at=far)
    Ticket.objects.filter(pk=mine.pk).update(due_at=clock.now() + dt.timedelta(hours=1))
    Ticket.objects.filter(pk=others.pk).update(escalation_level=1)
    assert _numbers(me, "at_risk") == {mine.number, others.number}
    # A warned clock (the SLA engine writes the ticket's sla_state) also puts it at risk.
    Ticket.objects.filter(pk=teams.pk).update(sla_state="warning")
    assert _numbers(me, "at_risk") == {mine.number, others.number, teams.number}


def test_awaiting_approval_queue(setup):
    me, mine, *_ = setup
    Ticket.objects.filter(pk=mine.pk).update(status=TicketStatus.AWAITING_APPROVAL)
    assert _numbers(me, "awaiting_approval") == {mine.number}


def test_queues_never_widen_the_users_scope(setup):  # the fixture creates the tickets
    own_scope_user = UserFactory(data_scope=DataScope.OWN)
    assert _numbers(own_scope_user, "unassigned") == set()


def test_the_list_page_offers_the_queues(client, setup):
    me, mine, *_ = setup
    client.force_login(me)
    html = client.get(reverse("tickets:list"), {"queue": "mine", "status": "all"}).content.decode()
    assert mine.number in html
    assert 'name="queue"' in html


def test_assigning_notifies_the_assignee_and_joins_their_team():
    from aftersales.notifications.selectors import notifications_inbox

    team = TeamFactory()
    assignee = UserFactory(team=team)
    boss = UserFactory(data_scope=DataScope.ALL)
    ticket = ticket_assign(ticket=make_ticket(), assignee=assignee, actor=boss)
    assert ticket.team_id == team.pk
    (note,) = notifications_inbox(user=assignee)
    assert note.template == "ticket_assigned"
    assert ticket.number in note.subject


def test_assigning_to_oneself_sends_no_notification():
    from aftersales.notifications.selectors import notifications_inbox

    agent = UserFactory(data_scope=DataScope.ALL)
    ticket_assign(ticket=make_ticket(), assignee=agent, actor=agent)
    assert notifications_inbox(user=agent) == []
