"""Shared set-ups for the role home pages: two regions, handlers in each, and tickets in every
state the cards count (due soon, breached, waiting, unassigned, paused, no region, approvals)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client

from aftersales.accounts.models import DataScope, Region, Role, Team, User
from aftersales.core import clock
from aftersales.tickets.choices import SlaState
from aftersales.tickets.models import ApprovalRule, MeasureKind, Ticket
from aftersales.tickets.process import ticket_submit_plan
from aftersales.tickets.services import ticket_add_customer_message, ticket_add_note, ticket_assign, ticket_transition
from aftersales.tickets.states import TicketStatus
from tests.factories import RegionFactory, TeamFactory, UserFactory, make_ticket
from tests.tickets.process_helpers import analysed, repair_plan

_phones = iter(range(10_000, 99_999))


def phone() -> str:
    return f"139{next(_phones):08d}"


def list_total(client: Client, url: str) -> int:
    """The total the ticket list shows at ``url`` ("12 tickets" / "12 张工单")."""
    response = client.get(url)
    assert response.status_code == 200, url
    found = re.search(r'data-test-id="ticket-total"[^>]*>\D*(\d+)', response.content.decode())
    assert found, url
    return int(found.group(1))


def list_numbers(client: Client, url: str) -> set[str]:
    html = client.get(url).content.decode()
    return set(re.findall(r'data-test-id="ticket-row"[^>]*data-number="([^"]+)"', html)) | set(
        re.findall(r'data-number="([^"]+)"[^>]*data-test-id="ticket-row"', html)
    )


@dataclass
class World:
    east: Region
    west: Region
    team: Team
    me: User  # an agent of the east team, region scope
    colleague: User
    west_agent: User
    boss: User  # the east region's supervisor
    director: User  # a supervisor who sees everything
    mine_calm: Ticket
    mine_due: Ticket
    mine_first_response_due: Ticket
    mine_breached: Ticket
    mine_paused: Ticket
    waiting: Ticket
    colleagues: Ticket
    unassigned_team: Ticket
    unassigned_region: Ticket
    west_mine: Ticket
    west_unassigned: Ticket
    no_region: Ticket


def hours(n: float) -> dt.datetime:
    return clock.now() + dt.timedelta(hours=n)


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    east = RegionFactory(code="east", name="华东")
    west = RegionFactory(code="west", name="西南")
    team = TeamFactory(name="华东客服组", region=east)
    west_team = TeamFactory(name="西南客服组", region=west)
    me = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east, team=team, display_name="周客服")
    colleague = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN, region=east, team=team, display_name="吴客服")
    west_agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=west, team=west_team, display_name="郑客服")
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=east, team=team, display_name="赵主管")
    director = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, display_name="钱总监")

    def east_ticket(assignee: User | None = None, *, team: Team | None = None) -> Ticket:
        ticket = make_ticket(phone=phone(), region=east, team=team)
        if assignee is not None:
            ticket = ticket_assign(ticket=ticket, assignee=assignee, actor=boss)
        return ticket

    mine_calm = east_ticket(me)
    mine_due = east_ticket(me)
    mine_first_response_due = east_ticket(me)
    mine_breached = east_ticket(me)
    mine_paused = east_ticket(me)
    ticket_transition(ticket=mine_paused, to_status=TicketStatus.VERIFYING, actor=me)
    ticket_transition(ticket=Ticket.objects.get(pk=mine_paused.pk), to_status=TicketStatus.AWAITING_INFO, actor=me)
    waiting = east_ticket(me)
    colleagues = east_ticket(colleague)
    unassigned_team = east_ticket(team=team)
    unassigned_region = east_ticket()
    west_mine = ticket_assign(ticket=make_ticket(phone=phone(), region=west), assignee=west_agent, actor=director)
    west_unassigned = make_ticket(phone=phone(), region=west)
    no_region = make_ticket(phone=phone())

    # Every ticket of mine was last touched by me, except the one the customer answered.
    for ticket in (mine_calm, mine_due, mine_first_response_due, mine_breached, mine_paused, waiting):
        ticket_add_note(ticket=ticket, actor=me, body="已电话联系客户。")
    ticket_add_customer_message(ticket=waiting, body="照片已上传，请查看。", actor_label="客户")

    # The SLA columns as the engine leaves them: far away, except where a card needs them.
    far = hours(24 * 10)
    Ticket.objects.update(due_at=far, first_response_due_at=far, first_responded_at=clock.now(), sla_state=SlaState.ON_TRACK)
    Ticket.objects.filter(pk=mine_due.pk).update(due_at=hours(2))
    Ticket.objects.filter(pk=mine_first_response_due.pk).update(first_response_due_at=hours(1), first_responded_at=None)
    Ticket.objects.filter(pk=mine_breached.pk).update(due_at=hours(-3), sla_state=SlaState.BREACHED)
    Ticket.objects.filter(pk=mine_paused.pk).update(due_at=hours(1))  # paused: its clock stands still
    Ticket.objects.filter(pk=west_mine.pk).update(due_at=hours(1))
    Ticket.objects.filter(pk=colleagues.pk).update(sla_state=SlaState.BREACHED)

    def fresh(ticket: Ticket) -> Ticket:
        return Ticket.objects.get(pk=ticket.pk)

    return World(
        east=east,
        west=west,
        team=team,
        me=me,
        colleague=colleague,
        west_agent=west_agent,
        boss=boss,
        director=director,
        mine_calm=fresh(mine_calm),
        mine_due=fresh(mine_due),
        mine_first_response_due=fresh(mine_first_response_due),
        mine_breached=fresh(mine_breached),
        mine_paused=fresh(mine_paused),
        waiting=fresh(waiting),
        colleagues=fresh(colleagues),
        unassigned_team=fresh(unassigned_team),
        unassigned_region=fresh(unassigned_region),
        west_mine=fresh(west_mine),
        west_unassigned=fresh(west_unassigned),
        no_region=fresh(no_region),
    )


def awaiting_approval(*, handler: User, region: Region, amount: str) -> Ticket:
    """A ticket whose refund plan waits for a leader's decision (rules: any refund → supervisor,
    from 10,000 → administrator)."""
    if not ApprovalRule.objects.exists():
        ApprovalRule.objects.create(name="退款需审批", measure_kind=MeasureKind.REFUND, min_amount=Decimal("0"))
        ApprovalRule.objects.create(
            name="大额退款", measure_kind=MeasureKind.REFUND, min_amount=Decimal("10000"), approver_role=Role.ADMINISTRATOR
        )
    ticket = analysed(make_ticket(actor=handler, phone=phone(), region=region), handler)
    repair_plan(ticket, handler, kind=MeasureKind.REFUND, amount=amount)
    ticket = ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)
    assert ticket.status == TicketStatus.AWAITING_APPROVAL
    return ticket


def reopened(*, handler: User, region: Region) -> Ticket:
    """A ticket the customer was not satisfied with (二次处理)."""
    ticket = make_ticket(actor=handler, phone=phone(), region=region)
    for status in (
        TicketStatus.VERIFYING,
        TicketStatus.ANALYSING,
        TicketStatus.PLANNING,
        TicketStatus.AWAITING_CUSTOMER,
        TicketStatus.IN_PROGRESS,
        TicketStatus.RESOLVED,
        TicketStatus.REOPENED,
    ):
        ticket = ticket_transition(ticket=Ticket.objects.get(pk=ticket.pk), to_status=status, actor=handler)
    return ticket
