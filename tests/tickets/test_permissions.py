"""Who may make which move: role, data scope and the ticket's status."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.core.errors import DomainError, PermissionDenied
from aftersales.customers.models import Customer
from aftersales.tickets.models import ApprovalRule, MeasureKind
from aftersales.tickets.permissions import ticket_available_actions, ticket_check_action
from aftersales.tickets.process import (
    ticket_cancel,
    ticket_decide_approval,
    ticket_record_agreement,
    ticket_start_verification,
    ticket_submit_plan,
)
from aftersales.tickets.states import TicketStatus
from tests.factories import UserFactory, make_ticket
from tests.tickets.process_helpers import agent, analysed, refreshed, repair_plan

pytestmark = pytest.mark.django_db


def _customer_of(ticket):  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER)
    Customer.objects.filter(pk=ticket.customer_id).update(user=user)
    return user


def _offered(handler, **ticket_kwargs):  # type: ignore[no-untyped-def]
    ticket = analysed(make_ticket(actor=handler, **ticket_kwargs), handler)
    repair_plan(ticket, handler)
    return ticket_submit_plan(ticket=refreshed(ticket), actor=handler)


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.WAREHOUSE, Role.MARKETING, Role.FINANCE])
def test_technicians_and_back_office_cannot_move_a_ticket(role):
    ticket = make_ticket(actor=agent())
    worker = UserFactory(role=role, data_scope=DataScope.ALL)

    with pytest.raises(PermissionDenied) as denied:
        ticket_start_verification(ticket=ticket, actor=worker)

    assert denied.value.code == "role_not_allowed"
    assert refreshed(ticket).status == TicketStatus.REGISTERED
    assert ticket_available_actions(user=worker, ticket=ticket) == []


def test_an_agent_outside_the_tickets_scope_cannot_act():
    owner = agent(data_scope=DataScope.OWN)
    ticket = make_ticket(actor=owner)
    stranger = agent(data_scope=DataScope.OWN)

    with pytest.raises(PermissionDenied) as denied:
        ticket_start_verification(ticket=ticket, actor=stranger)

    assert denied.value.code == "out_of_scope"
    assert ticket_available_actions(user=stranger, ticket=ticket) == []
    assert "start_verification" in ticket_available_actions(user=owner, ticket=ticket)


def test_a_customer_cannot_approve_a_plan():
    ApprovalRule.objects.create(name="退款需审批", measure_kind=MeasureKind.REFUND, min_amount=0)
    handler = agent()
    ticket = analysed(make_ticket(actor=handler), handler)
    repair_plan(ticket, handler, kind=MeasureKind.REFUND, amount="100")
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    customer = _customer_of(ticket)

    with pytest.raises(PermissionDenied):
        ticket_decide_approval(ticket=ticket, actor=customer, approve=True)
    with pytest.raises(PermissionDenied):
        ticket_decide_approval(ticket=ticket, actor=handler, approve=True)
    assert refreshed(ticket).status == TicketStatus.AWAITING_APPROVAL


def test_a_customer_can_accept_their_own_plan_but_not_another_customers():
    handler = agent()
    mine = _offered(handler)
    theirs = _offered(handler, phone="13900000001", customer_name="李娜")
    customer = _customer_of(mine)

    assert ticket_available_actions(user=customer, ticket=mine) == ["cancel", "record_agreement"]
    with pytest.raises(PermissionDenied) as denied:
        ticket_record_agreement(ticket=theirs, actor=customer, accepted=True)
    assert denied.value.code == "out_of_scope"

    ticket_record_agreement(ticket=mine, actor=customer, accepted=True)
    assert refreshed(mine).status == TicketStatus.IN_PROGRESS
    assert refreshed(theirs).status == TicketStatus.AWAITING_CUSTOMER


def test_a_customer_may_cancel_only_before_execution():
    handler = agent()
    ticket = _offered(handler)
    customer = _customer_of(ticket)
    with pytest.raises(PermissionDenied):
        ticket_start_verification(ticket=make_ticket(actor=handler), actor=customer)

    ticket_record_agreement(ticket=ticket, actor=customer, accepted=True)
    with pytest.raises(DomainError) as too_late:
        ticket_cancel(ticket=refreshed(ticket), actor=customer, reason="不想修了")
    assert too_late.value.code == "action_not_available"


def test_available_actions_follow_the_status():
    handler = agent()
    ticket = make_ticket(actor=handler)
    assert ticket_available_actions(user=handler, ticket=ticket) == [
        "start_verification",
        "classify",
        "reject",
        "cancel",
        "merge",
        "claim",  # unassigned: the handler may take it
        "assign",  # an agent whose scope is everything assigns to others too
        "correct_details",
        "promise_solution_date",  # declared in its own module, after the others
    ]
    ticket = ticket_cancel(ticket=ticket, actor=handler, reason="客户撤回")
    assert ticket_available_actions(user=handler, ticket=ticket) == []
    with pytest.raises(DomainError) as final:
        ticket_check_action(user=handler, ticket=ticket, action="classify")
    assert final.value.code == "ticket_final"
