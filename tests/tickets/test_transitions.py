"""The transition table is the law: every allowed move works, every other one is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, DomainError
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.states import FINAL_STATUSES, OPEN_STATUSES, PAUSED_STATUSES, TRANSITIONS, TicketStatus, can_transition
from tests.clock import freeze_time
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db

S = TicketStatus
ALLOWED = [(current, target) for current, targets in TRANSITIONS.items() for target in sorted(targets)]
REFUSED = [(current, target) for current in TicketStatus for target in TicketStatus if target not in TRANSITIONS[current]]


def _path_to(status: TicketStatus) -> list[TicketStatus]:
    """The shortest sequence of allowed moves from REGISTERED to ``status``."""
    paths: dict[TicketStatus, list[TicketStatus]] = {S.REGISTERED: []}
    frontier = [S.REGISTERED]
    while frontier:
        current = frontier.pop(0)
        for target in sorted(TRANSITIONS[current]):
            if target not in paths:
                paths[target] = [*paths[current], target]
                frontier.append(target)
    return paths[status]


def _ticket_in(status: TicketStatus, actor) -> Ticket:
    ticket = make_ticket(actor=actor)
    for step in _path_to(status):
        ticket = ticket_transition(ticket=ticket, to_status=step, actor=actor)
    assert ticket.status == status
    return ticket


def test_every_status_is_reachable_and_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(TicketStatus)
    for status in TicketStatus:
        _path_to(status)


def test_final_states_allow_nothing_but_reopening_a_closed_ticket():
    for status in FINAL_STATUSES:
        assert TRANSITIONS[status] <= {S.REOPENED}
    assert TRANSITIONS[S.CLOSED] == {S.REOPENED}
    assert not OPEN_STATUSES & FINAL_STATUSES
    assert PAUSED_STATUSES <= OPEN_STATUSES


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=[f"{c.value}->{t.value}" for c, t in ALLOWED])
def test_every_allowed_move_succeeds_and_is_recorded(current, target):
    agent = UserFactory()
    ticket = _ticket_in(current, agent)
    version = ticket.version

    moved = ticket_transition(ticket=ticket, to_status=target, actor=agent, reason="按流程推进", expected_version=version)

    assert moved.status == target
    assert moved.version == version + 1
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS_CHANGED).latest("id")
    assert event.data == {"from": current.value, "to": target.value}
    assert (event.actor, event.body, event.public) == (agent, "按流程推进", True)
    audit = AuditEvent.objects.filter(action="ticket.status_changed", object_id=str(ticket.pk)).latest("id")
    assert audit.changes == {"status": [current.value, target.value]}
    assert audit.actor == agent


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=[f"{c.value}->{t.value}" for c, t in REFUSED])
def test_a_move_outside_the_table_is_refused_and_changes_nothing(current, target):
    agent = UserFactory()
    ticket = _ticket_in(current, agent)
    events, audits = TicketEvent.objects.count(), AuditEvent.objects.count()

    with pytest.raises(DomainError) as raised:
        ticket_transition(ticket=ticket, to_status=target, actor=agent)

    assert raised.value.code == "illegal_transition"
    assert raised.value.field == "status"
    assert not can_transition(current, target)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.version) == (current, ticket.version)
    assert (TicketEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


def test_an_unknown_status_is_refused():
    ticket = make_ticket()
    with pytest.raises(ValueError):
        ticket_transition(ticket=ticket, to_status="lost_in_space", actor=None)


def test_a_stale_version_is_a_conflict():
    agent = UserFactory()
    ticket = make_ticket(actor=agent)
    ticket_transition(ticket=ticket, to_status=S.VERIFYING, actor=agent, expected_version=1)
    with pytest.raises(Conflict) as raised:
        # Another agent still has version 1 on screen.
        ticket_transition(ticket=ticket, to_status=S.REJECTED, actor=agent, expected_version=1)
    assert (raised.value.code, raised.value.field) == ("stale_version", "version")
    assert Ticket.objects.get(pk=ticket.pk).status == S.VERIFYING


def test_a_stale_python_object_cannot_bypass_the_table():
    agent = UserFactory()
    ticket = make_ticket(actor=agent)
    ticket_transition(ticket=ticket, to_status=S.CANCELLED, actor=agent)
    # ``ticket`` still says REGISTERED in memory; the service reads the row, which is final.
    with pytest.raises(DomainError) as raised:
        ticket_transition(ticket=ticket, to_status=S.VERIFYING, actor=agent)
    assert raised.value.code == "illegal_transition"


def test_resolving_and_closing_stamp_their_times():
    agent = UserFactory()
    ticket = _ticket_in(S.IN_PROGRESS, agent)
    with freeze_time("2026-11-25T03:00:00Z"):
        ticket = ticket_transition(ticket=ticket, to_status=S.RESOLVED, actor=agent)
    assert ticket.resolved_at == dt.datetime(2026, 11, 25, 3, tzinfo=dt.UTC)
    assert ticket.closed_at is None
    with freeze_time("2026-11-26T03:00:00Z"):
        ticket = ticket_transition(ticket=ticket, to_status=S.CLOSED, actor=agent)
    assert ticket.closed_at == dt.datetime(2026, 11, 26, 3, tzinfo=dt.UTC)
    assert ticket.updated_at == ticket.closed_at


@pytest.mark.parametrize("final", [S.REJECTED, S.CANCELLED])
def test_rejecting_or_cancelling_also_closes_the_file(final):
    agent = UserFactory()
    ticket = ticket_transition(ticket=make_ticket(actor=agent), to_status=final, actor=agent, reason="重复提交")
    assert ticket.closed_at is not None


def test_an_unhappy_customer_reopens_for_secondary_processing_and_escalates():
    agent = UserFactory()
    ticket = _ticket_in(S.CLOSED, agent)
    assert (ticket.escalation_level, ticket.closed_at is not None) == (0, True)

    ticket = ticket_transition(ticket=ticket, to_status=S.REOPENED, actor=agent, reason="客户不满意")
    assert ticket.escalation_level == 1
    assert ticket.closed_at is None

    for step in (S.IN_PROGRESS, S.RESOLVED, S.REOPENED):
        ticket = ticket_transition(ticket=ticket, to_status=step, actor=agent)
    assert ticket.escalation_level == 2


def test_an_internal_status_change_is_hidden_from_the_customer_timeline():
    agent = UserFactory()
    ticket = ticket_transition(ticket=make_ticket(actor=agent), to_status=S.VERIFYING, actor=agent, public=False)
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS_CHANGED).get().public


def test_a_system_move_is_labelled_system():
    ticket = ticket_transition(ticket=make_ticket(), to_status=S.VERIFYING, actor=None)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.STATUS_CHANGED)
    assert (event.actor, event.actor_label) == (None, "system")
