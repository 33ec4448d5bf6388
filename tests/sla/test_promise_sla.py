"""The SLA's side of a promised solution date (docs/sla.md): a promise is the solution
commitment (met within the window; after a breach the clock closes late and stays breached), the
resolution deadline does not move, a plan waiting for internal approval meets nothing, and a
promise that passes with the ticket unresolved warns the assignee (or the supervisors) once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.notifications.models import Notification
from aftersales.sla.models import ClockStatus, SlaClock, SlaMetric
from aftersales.sla.services import sla_check_clock, sla_warn_overdue_promise, sla_warn_overdue_promises
from aftersales.sla.tasks import warn_overdue_promises
from aftersales.tickets.event_text import event_text
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.models.promise import SolutionPromise
from aftersales.tickets.process.promise import ticket_promise_solution_date
from aftersales.tickets.services import ticket_assign, ticket_transition
from aftersales.tickets.states import TicketStatus as S
from tests.clock import freeze_time
from tests.factories import UserFactory, make_ticket

from .conftest import MONDAY_0900, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="handler")


def clock(ticket: Ticket, metric: str) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, metric=metric)


def promise(ticket: Ticket, actor, day: dt.date, **kwargs):  # type: ignore[no-untyped-def]
    fresh = Ticket.objects.get(pk=ticket.pk)
    return ticket_promise_solution_date(ticket=fresh, actor=actor, promised_date=day, reason="配件需从工厂发货", **kwargs)


def move(ticket: Ticket, *statuses: S) -> Ticket:
    for status in statuses:
        ticket = ticket_transition(ticket=ticket, to_status=status, actor=None)
    return ticket


def test_a_promise_within_the_window_meets_the_solution_clock_and_leaves_the_resolution_deadline(handler):
    with freeze_time(MONDAY_0900) as frozen:
        ticket = make_ticket()
        resolution_due = clock(ticket, SlaMetric.RESOLUTION).due_at
        solution = clock(ticket, SlaMetric.SOLUTION)
        assert solution.status == ClockStatus.RUNNING
        frozen.move_to(at(2026, 11, 23, 14, 0))
        promise(ticket, handler, dt.date(2026, 12, 10))  # after the resolution deadline: it does not move
    solution = clock(ticket, SlaMetric.SOLUTION)
    assert solution.status == ClockStatus.MET and solution.met_at == at(2026, 11, 23, 14, 0)
    assert solution.breached_at is None
    resolution = clock(ticket, SlaMetric.RESOLUTION)
    assert resolution.status == ClockStatus.RUNNING and resolution.due_at == resolution_due
    assert Ticket.objects.get(pk=ticket.pk).due_at == resolution_due
    # A revision changes nothing more: the commitment was made once.
    with freeze_time(at(2026, 11, 24, 9, 0)):
        promise(ticket, handler, dt.date(2026, 12, 11))
    assert clock(ticket, SlaMetric.SOLUTION).met_at == at(2026, 11, 23, 14, 0)


def test_a_promise_after_the_breach_closes_the_clock_late_and_it_stays_breached(handler):
    with freeze_time(MONDAY_0900):
        ticket = make_ticket()
    solution = clock(ticket, SlaMetric.SOLUTION)
    assert sla_check_clock(clock_id=solution.pk, now=solution.due_at + dt.timedelta(minutes=1)) == ["breached"]
    late = solution.due_at + dt.timedelta(hours=1)
    with freeze_time(late):
        promise(ticket, handler, (late + dt.timedelta(days=3)).date())
    solution = clock(ticket, SlaMetric.SOLUTION)
    assert solution.status == ClockStatus.MET and solution.breached_at is not None and solution.met_at == late


def test_a_plan_waiting_for_approval_is_no_commitment_the_offer_to_the_customer_is(handler):
    with freeze_time(MONDAY_0900) as frozen:
        ticket = move(make_ticket(), S.VERIFYING, S.ANALYSING, S.PLANNING, S.AWAITING_APPROVAL)
        assert clock(ticket, SlaMetric.SOLUTION).status == ClockStatus.RUNNING
        frozen.move_to(at(2026, 11, 23, 11, 0))
        move(ticket, S.AWAITING_CUSTOMER)
    solution = clock(ticket, SlaMetric.SOLUTION)
    assert solution.status == ClockStatus.MET and solution.met_at == at(2026, 11, 23, 11, 0)


# --- The overdue warning ----------------------------------------------------------------------


def test_a_promise_that_passes_unresolved_warns_the_assignee_once(agent, supervisor):
    with freeze_time(MONDAY_0900):
        ticket = make_ticket()
        ticket = ticket_assign(ticket=ticket, assignee=agent, actor=supervisor)
        given = promise(ticket, supervisor, dt.date(2026, 11, 24), promised_time=dt.time(17, 30))
    assert sla_warn_overdue_promises(now=at(2026, 11, 24, 17, 29)) == 0
    assert sla_warn_overdue_promises(now=at(2026, 11, 24, 17, 30)) == 1
    assert sla_warn_overdue_promises(now=at(2026, 11, 24, 18, 0)) == 0  # once
    assert sla_warn_overdue_promise(promise_id=given.pk, now=at(2026, 11, 25, 9, 0)) is False
    given.refresh_from_db()
    assert given.overdue_warned_at == at(2026, 11, 24, 17, 30)
    told = Notification.objects.filter(template="solution_promise_overdue")
    assert [n.user for n in told] == [agent]
    assert "2026年11月24日 17:30" in told[0].body and ticket.number in told[0].body
    entry = TicketEvent.objects.get(ticket=ticket, data__sla="promise_overdue")
    assert not entry.public and entry.actor_label == "SLA"
    with translation.override("en"):
        assert "was promised to be solved by 2026-11-24 17:30" in event_text(entry)
    assert AuditEvent.objects.filter(action="sla.promise_overdue").count() == 1


def test_an_unassigned_tickets_overdue_promise_goes_to_the_supervisors_in_their_language(handler):
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, language="en")
    with freeze_time(MONDAY_0900):
        ticket = make_ticket()
        promise(ticket, handler, dt.date(2026, 11, 23))
    with freeze_time(at(2026, 11, 24, 0, 0)):
        result = warn_overdue_promises.call()
    assert result == 1
    told = Notification.objects.get(template="solution_promise_overdue")
    assert told.user == boss and told.language == "en"
    assert told.subject == f"Promised date passed: {ticket.number}"
    assert "by 2026-11-23 and is not resolved" in told.body


def test_no_warning_for_a_resolved_ticket_or_a_promise_revised_before_it_passed(handler):
    with freeze_time(MONDAY_0900):
        resolved = make_ticket()
        promise(resolved, handler, dt.date(2026, 11, 24))
        move(resolved, S.VERIFYING, S.ANALYSING, S.PLANNING, S.AWAITING_CUSTOMER, S.IN_PROGRESS, S.RESOLVED)
        revised = make_ticket()
        first = promise(revised, handler, dt.date(2026, 11, 24))
        promise(revised, handler, dt.date(2026, 11, 27))
    assert sla_warn_overdue_promises(now=at(2026, 11, 26, 9, 0)) == 0
    assert sla_warn_overdue_promise(promise_id=first.pk, now=at(2026, 11, 26, 9, 0)) is False
    assert not Notification.objects.filter(template="solution_promise_overdue").exists()
    # The revised promise passes in its turn and is warned about once.
    assert sla_warn_overdue_promises(now=at(2026, 11, 28, 0, 0)) == 1
    assert SolutionPromise.objects.filter(overdue_warned_at__isnull=False).count() == 1
