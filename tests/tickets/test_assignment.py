"""Assignment (issue 14, item 1): assign, reassign and take a ticket by hand, several at once,
and the automatic assignment rules (round robin, least loaded, skills, absence, availability)."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import (
    StaffAbsence,
    Ticket,
    TicketEvent,
)
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.process import ticket_cancel
from aftersales.tickets.selectors.assignment import (
    assignee_options,
    staff_assignable_by,
)
from aftersales.tickets.services import (
    ticket_assign,
    ticket_assign_to,
    ticket_claim,
    tickets_bulk_assign,
)
from tests.factories import (
    UserFactory,
)
from tests.tickets import assignment_world
from tests.tickets.assignment_world import _fresh, _inbox, _ticket

pytestmark = pytest.mark.django_db

# The shared fixtures (assignment_world.py): the east region and the rules' cache emptied.
east = assignment_world.east
_no_cached_rules = assignment_world._no_cached_rules


# --- Assigning by hand ----------------------------------------------------------------------------


def test_a_supervisor_assigns_within_the_region_with_timeline_audit_and_a_notification(east):
    ticket = _ticket(east["region"])
    assigned = ticket_assign_to(
        ticket=ticket, actor=east["supervisor"], assignee=east["wang"], note="老客户，优先处理", expected_version=ticket.version
    )
    assert (assigned.assignee_id, assigned.team_id, assigned.version) == (east["wang"].pk, east["team"].pk, ticket.version + 1)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNMENT)
    assert event.data == {"from": None, "to": east["wang"].pk, "how": "assign"}
    assert event.actor == east["supervisor"] and not event.public
    assert event.body == "王芳\n老客户，优先处理"
    audit = AuditEvent.objects.get(action="ticket.assigned", object_id=str(ticket.pk))
    assert audit.changes == {"assignee": [None, east["wang"].pk]} and audit.actor == east["supervisor"]
    (note,) = _inbox(east["wang"])
    assert note.template == "ticket_assigned" and ticket.number in note.subject


def test_reassigning_tells_both_people_and_the_ticket_follows_the_new_team(east):
    ticket = ticket_assign_to(ticket=_ticket(east["region"]), actor=east["supervisor"], assignee=east["wang"])
    moved = ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["zhao"])
    assert (moved.assignee_id, moved.team_id) == (east["zhao"].pk, east["other_team"].pk)
    assert [n.template for n in _inbox(east["wang"])] == ["ticket_assigned", "ticket_reassigned"]
    assert "赵敏" in _inbox(east["wang"])[-1].subject
    assert [n.template for n in _inbox(east["zhao"])] == ["ticket_assigned"]
    # Unassigning puts it back in the queue.
    back = ticket_assign_to(ticket=moved, actor=east["supervisor"], assignee=None)
    assert back.assignee_id is None
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNMENT).latest("id").data["to"] is None


def test_assigning_to_the_same_person_again_is_refused(east):
    ticket = ticket_assign_to(ticket=_ticket(east["region"]), actor=east["supervisor"], assignee=east["wang"])
    with pytest.raises(DomainError) as raised:
        ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["wang"])
    assert (raised.value.code, raised.value.field) == ("assignee_unchanged", "assignee")


def test_a_final_ticket_can_be_neither_assigned_nor_taken(east):
    east["wang"].data_scope = DataScope.REGION  # he sees it
    east["wang"].save()
    ticket = _ticket(east["region"])
    ticket_cancel(ticket=ticket, actor=east["supervisor"], reason="客户撤回")
    with pytest.raises(DomainError) as assigned:
        ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["wang"])
    with pytest.raises(DomainError) as taken:
        ticket_claim(ticket=ticket, actor=east["wang"])
    assert assigned.value.code == taken.value.code == "ticket_final"
    assert _fresh(ticket).assignee_id is None
    assert ticket_available_actions(user=east["supervisor"], ticket=_fresh(ticket)) == []


def test_a_stale_page_is_a_conflict(east):
    ticket = _ticket(east["region"])
    ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["wang"], expected_version=ticket.version)
    with pytest.raises(Conflict) as raised:
        ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["li"], expected_version=ticket.version)
    assert raised.value.code == "stale_version"
    with pytest.raises(Conflict):
        ticket_claim(ticket=ticket, actor=east["li"], expected_version=ticket.version)
    assert _fresh(ticket).assignee_id == east["wang"].pk


def test_only_people_within_reach_who_handle_tickets_can_be_assigned(east):
    ticket = _ticket(east["region"])
    # Another region's agent, a technician, a customer: refused, naming the field.
    for person, code in (
        (east["westerner"], "assignee_out_of_scope"),
        (UserFactory(role=Role.TECHNICIAN, region=east["region"]), "assignee_invalid"),
        (UserFactory(role=Role.CUSTOMER), "assignee_invalid"),
        (UserFactory(is_active=False, region=east["region"]), "assignee_invalid"),
    ):
        with pytest.raises(ValidationFailed) as raised:
            ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=person)
        assert (raised.value.code, raised.value.field) == (code, "assignee")
    # A ticket outside the supervisor's region is outside their scope altogether.
    with pytest.raises(PermissionDenied) as raised:
        ticket_assign_to(ticket=_ticket(east["west"], phone="13900000001"), actor=east["supervisor"], assignee=east["wang"])
    assert raised.value.code == "out_of_scope"
    assert _fresh(ticket).assignee_id is None


def test_an_agent_of_their_own_scope_takes_but_does_not_assign_unless_they_lead_the_team(east):
    wang, li = east["wang"], east["li"]
    ticket = _ticket(east["region"], actor=wang)  # wang registered it: in his own scope
    assert "claim" in ticket_available_actions(user=wang, ticket=ticket)
    assert "assign" not in ticket_available_actions(user=wang, ticket=ticket)
    with pytest.raises(PermissionDenied) as raised:
        ticket_assign_to(ticket=ticket, actor=wang, assignee=li)
    assert raised.value.code == "assign_not_allowed"
    east["team"].leader = wang
    east["team"].save()
    assert "assign" in ticket_available_actions(user=wang, ticket=ticket)
    assert set(staff_assignable_by(wang)) == {wang, li}
    assert ticket_assign_to(ticket=ticket, actor=wang, assignee=li).assignee_id == li.pk


def test_take_it_an_unassigned_ticket_or_a_teammates_but_not_another_teams(east):
    wang, li, zhao = east["wang"], east["li"], east["zhao"]
    for agent in (wang, li, zhao):
        agent.data_scope = DataScope.REGION
        agent.save()
    ticket = _ticket(east["region"])
    taken = ticket_claim(ticket=ticket, actor=wang, expected_version=ticket.version)
    assert taken.assignee_id == wang.pk and taken.team_id == east["team"].pk
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNMENT).latest("id")
    assert event.data == {"from": None, "to": wang.pk, "how": "claim"} and event.actor == wang
    assert AuditEvent.objects.filter(action="ticket.claimed", object_id=str(ticket.pk), actor=wang).exists()
    assert _inbox(wang) == []  # nobody tells you what you did yourself
    # Already yours: not offered, refused.
    assert "claim" not in ticket_available_actions(user=wang, ticket=_fresh(ticket))
    with pytest.raises(DomainError) as mine:
        ticket_claim(ticket=ticket, actor=wang)
    assert mine.value.code == "already_assigned"
    # Another team's agent may not take it from wang.
    assert "claim" not in ticket_available_actions(user=zhao, ticket=_fresh(ticket))
    with pytest.raises(PermissionDenied) as other_team:
        ticket_claim(ticket=ticket, actor=zhao)
    assert other_team.value.code == "claim_not_allowed"
    # A teammate may, and wang hears of it.
    assert "claim" in ticket_available_actions(user=li, ticket=_fresh(ticket))
    assert ticket_claim(ticket=ticket, actor=li).assignee_id == li.pk
    assert [n.template for n in _inbox(wang)] == ["ticket_reassigned"]


def test_the_unchecked_door_keeps_its_old_rules(east):
    """``ticket_assign`` (demo data, scripts) assigns any active staff member, as before."""
    technician = UserFactory(role=Role.TECHNICIAN)
    ticket = ticket_assign(ticket=_ticket(), assignee=technician, actor=east["supervisor"])
    assert ticket.assignee_id == technician.pk
    assert TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNMENT).data == {"from": None, "to": technician.pk}


# --- The people on the form ---------------------------------------------------------------------------


def test_the_form_lists_people_with_role_team_open_tickets_and_absence(east):
    with _english():
        for i in range(3):
            ticket_assign(ticket=_ticket(east["region"], phone=f"1390000000{i}"), assignee=east["wang"], actor=east["supervisor"])
        closed = ticket_assign(
            ticket=_ticket(east["region"], phone="13900000009"), assignee=east["wang"], actor=east["supervisor"]
        )
        ticket_cancel(ticket=closed, actor=east["supervisor"], reason="重复")
        StaffAbsence.objects.create(
            user=east["li"],
            starts_at=clock.now() - dt.timedelta(days=1),
            ends_at=clock.now() + dt.timedelta(days=2),
            reason="年假",
        )
        labels = {option.name: option.label for option in assignee_options(actor=east["supervisor"])}
    assert set(labels) == {"周主管", "王芳", "李娜", "赵敏"}  # the region's handlers, not the west's
    assert labels["王芳"] == "王芳 · Agent · 华东一组 · 3 open tickets"  # the cancelled one is not open
    assert labels["李娜"].startswith("李娜 · Agent · 华东一组 · 0 open tickets · away until ")
    assert labels["周主管"] == "周主管 · Supervisor · 0 open tickets"


def test_open_tickets_are_counted_up_to_99(east, monkeypatch):
    from aftersales.tickets.selectors import assignment

    monkeypatch.setattr(assignment, "LOAD_SHOWN_UP_TO", 2)
    for i in range(4):
        ticket_assign(ticket=_ticket(east["region"], phone=f"1390000001{i}"), assignee=east["wang"], actor=east["supervisor"])
    with _english():
        (option,) = [o for o in assignee_options(actor=east["supervisor"]) if o.pk == east["wang"].pk]
        assert option.open_tickets == 3 and "2+ open" in option.label


def _english():  # type: ignore[no-untyped-def]
    from django.utils import translation

    return translation.override("en")


# --- Several at once ------------------------------------------------------------------------------------


def test_bulk_assignment_reports_each_ticket_in_the_order_given(east):
    open_one = _ticket(east["region"], phone="13900000021")
    open_two = _ticket(east["region"], phone="13900000022")
    cancelled = ticket_cancel(ticket=_ticket(east["region"], phone="13900000023"), actor=east["supervisor"], reason="撤回")
    western = _ticket(east["west"], phone="13900000024")
    result = tickets_bulk_assign(
        actor=east["supervisor"],
        numbers=[open_two.number, cancelled.number, western.number, open_one.number.lower(), "SH00000000-999999"],
        assignee=east["wang"],
    )
    assert [(i.number, i.code) for i in result.items] == [
        (open_two.number, ""),
        (cancelled.number, "ticket_final"),
        (western.number, "not_found"),  # outside the supervisor's region: as if it did not exist
        (open_one.number, ""),
        ("SH00000000-999999", "not_found"),
    ]
    assert len(result.assigned) == 2 and all(i.version for i in result.assigned)
    assert set(Ticket.objects.filter(assignee=east["wang"]).values_list("pk", flat=True)) == {open_one.pk, open_two.pk}
    assert len(_inbox(east["wang"])) == 2


def test_bulk_assignment_needs_tickets_and_has_a_limit(east):
    with pytest.raises(ValidationFailed) as empty:
        tickets_bulk_assign(actor=east["supervisor"], numbers=[" "], assignee=east["wang"])
    assert empty.value.code == "tickets_required"
    with pytest.raises(ValidationFailed) as many:
        tickets_bulk_assign(actor=east["supervisor"], numbers=[f"SH{i}" for i in range(101)], assignee=east["wang"])
    assert many.value.code == "tickets_too_many"
