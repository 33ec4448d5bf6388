"""The role home pages' reads: each count is the ticket list's total for the filters of its link,
each card holds the right tickets, everything is scoped to the viewer, and the statements are few."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.desk.selectors import agent_workbench, supervisor_team_view
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_add_note, ticket_assign
from aftersales.tickets.states import FINAL_STATUSES
from tests.clients import client_for
from tests.factories import UserFactory, make_ticket

from .conftest import awaiting_approval, list_numbers, list_total, phone, reopened

pytestmark = pytest.mark.django_db


def _cards(view) -> dict:  # type: ignore[no-untyped-def]
    return {card.key: card for card in view.cards}


def _numbers(card) -> set[str]:  # type: ignore[no-untyped-def]
    return {row.number for row in card.rows}


def test_the_workbench_counts_the_agents_queues(world):
    cards = _cards(agent_workbench(user=world.me))
    expected = {
        "mine": {
            world.mine_calm,
            world.mine_due,
            world.mine_first_response_due,
            world.mine_breached,
            world.mine_paused,
            world.waiting,
        },
        # The resolution or the unanswered first response due within the window; a paused clock
        # (waiting for the customer's information) and a breached one are not "due soon".
        "due_soon": {world.mine_due, world.mine_first_response_due},
        "breached": {world.mine_breached},  # the colleague's breached ticket is not on my bench
        # The customer wrote after my last step; my other tickets I touched last.
        "waiting": {world.waiting},
        "team_unassigned": {world.unassigned_team, world.unassigned_region},
    }
    assert set(cards) == set(expected)
    for key, tickets in expected.items():
        numbers = {t.number for t in tickets}
        assert cards[key].total.total == len(numbers), key
        if key != "mine":  # "mine" has six: the card shows the first five
            assert _numbers(cards[key]) == numbers, key
    assert _numbers(cards["mine"]) < {t.number for t in expected["mine"]}
    assert len(cards["mine"].rows) == 5


def test_every_workbench_count_equals_the_total_of_the_list_it_links_to(world):
    client = client_for(world.me)
    for card in agent_workbench(user=world.me).cards:
        assert list_total(client, card.url) == card.total.total, card.key
        if card.total.total <= 5:
            assert list_numbers(client, card.url) == _numbers(card), card.key


def test_a_step_by_the_agent_takes_the_ticket_off_waiting_for_me(world):
    assert _numbers(_cards(agent_workbench(user=world.me))["waiting"]) == {world.waiting.number}
    ticket_add_note(ticket=world.waiting, actor=world.me, body="已查看照片，安排上门。")
    assert _cards(agent_workbench(user=world.me))["waiting"].total.total == 0
    # Someone else's step (a reassignment by the supervisor) puts it back.
    ticket_assign(ticket=Ticket.objects.get(pk=world.mine_calm.pk), assignee=world.me, actor=world.boss)
    assert _numbers(_cards(agent_workbench(user=world.me))["waiting"]) == {world.mine_calm.number}


def test_an_agent_of_another_region_sees_none_of_theirs(world):
    east = {
        t.number
        for t in (
            world.mine_calm,
            world.mine_due,
            world.mine_first_response_due,
            world.mine_breached,
            world.mine_paused,
            world.waiting,
            world.colleagues,
            world.unassigned_team,
            world.unassigned_region,
        )
    }
    cards = _cards(agent_workbench(user=world.west_agent))
    shown = set().union(*(_numbers(c) for c in cards.values()))
    assert not shown & east
    assert cards["mine"].total.total == 1 and _numbers(cards["mine"]) == {world.west_mine.number}
    assert _numbers(cards["due_soon"]) == {world.west_mine.number}
    assert _numbers(cards["team_unassigned"]) == {world.west_unassigned.number}
    client = client_for(world.west_agent)
    for card in cards.values():
        assert list_total(client, card.url) == card.total.total, card.key
        assert not list_numbers(client, card.url) & east

    view = supervisor_team_view(user=UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=world.west))
    assert not set().union(*(_numbers(c) for c in view.cards)) & east
    assert {row.name for row in view.load} == {str(world.west_agent)}


def test_the_workbench_reads_in_few_statements(world, django_assert_max_num_queries):
    for _ in range(12):  # more than a card shows: every card then also counts
        ticket_assign(ticket=make_ticket(phone=phone(), region=world.east), assignee=world.me, actor=world.boss)
    with django_assert_max_num_queries(10):  # five cards: their first rows, and a count when there are more
        agent_workbench(user=world.me)


def test_the_team_view_counts_equal_the_lists_and_are_scoped(world):
    for_me = awaiting_approval(handler=world.me, region=world.east, amount="100")
    for_admin = awaiting_approval(handler=world.me, region=world.east, amount="20000")
    west_approval = awaiting_approval(handler=world.west_agent, region=world.west, amount="100")
    second = reopened(handler=world.me, region=world.east)

    view = supervisor_team_view(user=world.boss)
    cards = _cards(view)
    # An administrator's approval waits for an administrator; another region's is not mine.
    assert _numbers(cards["my_approvals"]) == {for_me.number}
    assert _numbers(cards["reopened"]) == {second.number}
    assert _numbers(cards["breached"]) == {world.mine_breached.number, world.colleagues.number}
    # A regional supervisor routes the tickets whose region could not be derived (issue 14).
    no_region = set(
        Ticket.objects.filter(region__isnull=True).exclude(status__in=FINAL_STATUSES).values_list("number", flat=True)
    )
    assert no_region and _numbers(cards["no_region"]) <= no_region
    assert cards["no_region"].total.total == len(no_region)
    assert west_approval.number not in set().union(*(_numbers(c) for c in view.cards))
    assert for_admin.number not in _numbers(cards["my_approvals"])

    client = client_for(world.boss)
    for card in view.cards:
        assert list_total(client, card.url) == card.total.total, card.key
    load = {row.name: row for row in view.load}
    assert load[str(world.me)].open == 6  # the six of the bench (registering a ticket does not assign it)
    assert load[str(world.me)].due_soon == 2 and load[str(world.me)].breached == 1
    assert load[str(world.colleague)].breached == 1
    assert str(world.west_agent) not in load
    for row in [*view.load, *view.teams]:
        assert list_total(client, row.open_url) == row.open, row.name
        assert list_total(client, row.due_soon_url) == row.due_soon, row.name
        assert list_total(client, row.breached_url) == row.breached, row.name
    teams = {row.name: row for row in view.teams}
    assert teams[world.team.name].breached == 2


def test_the_administrator_decides_every_approval_and_sees_the_no_region_queue(world):
    for_supervisor = awaiting_approval(handler=world.me, region=world.east, amount="100")
    for_admin = awaiting_approval(handler=world.me, region=world.east, amount="20000")
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    cards = _cards(supervisor_team_view(user=admin))
    assert _numbers(cards["my_approvals"]) == {for_supervisor.number, for_admin.number}
    assert _numbers(cards["no_region"]) == {world.no_region.number}
    director = _cards(supervisor_team_view(user=world.director))
    assert _numbers(director["my_approvals"]) == {for_supervisor.number}
    assert _numbers(director["no_region"]) == {world.no_region.number}
    client = client_for(admin)
    for card in cards.values():
        assert list_total(client, card.url) == card.total.total, card.key
    # Only supervisors and administrators see the "no region" queue, even with every ticket in scope.
    everyone = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    assert list_total(client_for(everyone), cards["no_region"].url) == 0


def test_the_team_view_reads_in_few_statements(world, django_assert_max_num_queries):
    for _ in range(8):
        ticket_assign(ticket=make_ticket(phone=phone(), region=world.east), assignee=world.colleague, actor=world.boss)
    # Six cards (first rows, and a count when there are more), the load per handler and per team.
    with django_assert_max_num_queries(14):
        supervisor_team_view(user=world.boss)
