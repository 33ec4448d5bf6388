"""The SLA engine on real tickets: policies, pauses, met targets, and warnings, breaches and
escalations that each happen exactly once, at the right time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django_tasks import default_task_backend

from aftersales.customers.models import CustomerTier
from aftersales.notifications.models import Notification
from aftersales.sla.models import Calendar, CalendarDay, ClockStatus, SlaClock, SlaMetric, SlaPolicy
from aftersales.sla.selectors import sla_clocks_for_ticket, sla_policy_for, tickets_sla_at_risk
from aftersales.sla.services import sla_check_clock, sla_sweep
from aftersales.sla.tasks import check_sla_clock
from aftersales.tickets.choices import EventKind, Priority
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import ticket_add_note, ticket_assign, ticket_transition
from aftersales.tickets.states import TicketStatus as S
from tests.clock import freeze_time
from tests.factories import CustomerFactory, UserFactory, make_ticket

from .conftest import MONDAY_0900, at

pytestmark = pytest.mark.django_db


def clock(ticket: Ticket, metric: str) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, metric=metric)


def move(ticket: Ticket, *statuses: S) -> Ticket:
    for status in statuses:
        ticket = ticket_transition(ticket=ticket, to_status=status, actor=None)
    return ticket


def sla_jobs(clock_id: int) -> list[tuple[int, dt.datetime]]:
    """The deferred checks enqueued for ``clock_id``: (clock id, scheduled for)."""
    return [
        (r.args[0], dt.datetime.fromisoformat(r.args[1]))
        for r in default_task_backend.results
        if r.task.name == check_sla_clock.name and r.args[0] == clock_id
    ]


# --- Policies -----------------------------------------------------------------------------


def test_the_most_specific_active_policy_wins():
    office = Calendar.objects.get(is_24x7=False)
    default = SlaPolicy.objects.get(priority=None, customer_tier="")
    key = SlaPolicy.objects.get(priority=None, customer_tier=CustomerTier.KEY)
    important = SlaPolicy.objects.get(priority=Priority.IMPORTANT, customer_tier="")
    key_important = SlaPolicy.objects.create(
        name="key important",
        priority=Priority.IMPORTANT,
        customer_tier=CustomerTier.KEY,
        calendar=office,
        first_response_minutes=60,
        solution_minutes=120,
        resolution_minutes=240,
    )
    assert sla_policy_for(priority=Priority.IMPORTANT, customer_tier=CustomerTier.KEY) == key_important
    assert sla_policy_for(priority=Priority.IMPORTANT, customer_tier=CustomerTier.NORMAL) == important
    assert sla_policy_for(priority=Priority.NORMAL, customer_tier=CustomerTier.KEY) == key
    assert sla_policy_for(priority=Priority.NORMAL, customer_tier=CustomerTier.LONG_TERM) == default
    SlaPolicy.objects.filter(pk=key_important.pk).update(active=False)
    assert sla_policy_for(priority=Priority.IMPORTANT, customer_tier=CustomerTier.KEY) == important


@freeze_time(MONDAY_0900)
def test_a_key_customers_ticket_gets_three_clocks_from_the_key_customer_policy():
    CustomerFactory(phone="+8613812345678", tier=CustomerTier.KEY)
    ticket = make_ticket(phone="13812345678")
    clocks = {c.metric: c for c in sla_clocks_for_ticket(ticket=ticket)}
    assert list(clocks) == [SlaMetric.FIRST_RESPONSE, SlaMetric.SOLUTION, SlaMetric.RESOLUTION]
    assert {c.policy.name for c in clocks.values()} == {"重要客户"}
    assert clocks[SlaMetric.FIRST_RESPONSE].due_at == at(2026, 11, 23, 13, 0)  # 4 working hours
    assert clocks[SlaMetric.FIRST_RESPONSE].warn_at == at(2026, 11, 23, 12, 0)  # at 75 %
    assert clocks[SlaMetric.SOLUTION].due_at == at(2026, 11, 24, 18, 0)  # two working days
    assert ticket.first_response_due_at == at(2026, 11, 23, 13, 0)
    assert ticket.due_at == clocks[SlaMetric.RESOLUTION].due_at == at(2026, 11, 26, 18, 0)
    assert all(c.status == ClockStatus.RUNNING for c in clocks.values())


@freeze_time(at(2026, 9, 30, 17, 0))
def test_the_due_time_skips_national_day_and_counts_the_administrators_days():
    ticket = make_ticket()  # normal: 9 working hours to reply
    # 1 h on Sep 30, then the holiday (Oct 1–7), then 8 h on Oct 8.
    assert ticket.first_response_due_at == at(2026, 10, 8, 17, 0)
    office = Calendar.objects.get(is_24x7=False)
    CalendarDay.objects.create(calendar=office, date=dt.date(2026, 10, 8), is_workday=False, name="公司假日")
    CalendarDay.objects.create(calendar=office, date=dt.date(2026, 10, 4), is_workday=True, name="加班")
    later = make_ticket(phone="13900000000")
    # The company works on Sunday Oct 4 and takes Oct 8 off: 1 h on Sep 30, 8 h on Oct 4.
    assert later.first_response_due_at == at(2026, 10, 4, 17, 0)


@freeze_time(at(2026, 11, 21, 3, 0))  # Saturday night
def test_an_urgent_ticket_runs_on_the_24x7_calendar():
    ticket = make_ticket(priority=Priority.URGENT)
    assert ticket.first_response_due_at == at(2026, 11, 21, 5, 0)
    assert ticket.due_at == at(2026, 11, 23, 3, 0)


# --- Pauses and met targets ---------------------------------------------------------------


def test_waiting_for_the_customer_pauses_the_clocks_and_extends_them_by_the_working_time_paused():
    with freeze_time(MONDAY_0900) as frozen:
        ticket = make_ticket()
        assert ticket.first_response_due_at == at(2026, 11, 23, 18, 0)
        ticket = move(ticket, S.VERIFYING)
        frozen.move_to(at(2026, 11, 23, 10, 0))
        ticket = move(ticket, S.AWAITING_INFO)
        assert {c.status for c in sla_clocks_for_ticket(ticket=ticket)} == {ClockStatus.PAUSED}
        frozen.move_to(at(2026, 11, 24, 10, 0))  # 8 h on Monday + 1 h on Tuesday
        ticket = move(ticket, S.VERIFYING)
    first = clock(ticket, SlaMetric.FIRST_RESPONSE)
    assert first.status == ClockStatus.RUNNING and first.paused_at is None
    assert first.paused_minutes == 540
    assert first.due_at == at(2026, 11, 24, 18, 0)
    assert first.warn_at == at(2026, 11, 24, 15, 45)
    assert ticket.first_response_due_at == first.due_at
    assert ticket.due_at == clock(ticket, SlaMetric.RESOLUTION).due_at == at(2026, 11, 30, 18, 0)


def test_each_target_is_met_at_its_step_and_a_final_status_stops_what_is_left():
    with freeze_time(MONDAY_0900) as frozen:
        agent = UserFactory()
        ticket = make_ticket()
        frozen.move_to(at(2026, 11, 23, 9, 30))
        ticket_add_note(ticket=ticket, actor=agent, body="您好，已收到。", kind=EventKind.MESSAGE_OUT)
        assert clock(ticket, SlaMetric.FIRST_RESPONSE).met_at == at(2026, 11, 23, 9, 30)
        ticket = move(ticket, S.VERIFYING, S.ANALYSING, S.PLANNING)
        assert clock(ticket, SlaMetric.SOLUTION).status == ClockStatus.RUNNING
        ticket = move(ticket, S.AWAITING_APPROVAL)
        # Internal approval tells the customer nothing: the solution clock runs on (docs/sla.md).
        assert clock(ticket, SlaMetric.SOLUTION).status == ClockStatus.RUNNING
        ticket = move(ticket, S.AWAITING_CUSTOMER)
        assert clock(ticket, SlaMetric.SOLUTION).status == ClockStatus.MET
        assert clock(ticket, SlaMetric.RESOLUTION).status == ClockStatus.PAUSED
        ticket = move(ticket, S.IN_PROGRESS, S.RESOLVED)
        resolution = clock(ticket, SlaMetric.RESOLUTION)
        assert resolution.status == ClockStatus.MET and resolution.breached_at is None
        frozen.move_to(at(2026, 11, 24, 9, 0))
        ticket = move(ticket, S.REOPENED)
        restarted = clock(ticket, SlaMetric.RESOLUTION)
        assert restarted.status == ClockStatus.RUNNING and restarted.started_at == at(2026, 11, 24, 9, 0)
        assert restarted.due_at == ticket.due_at == at(2026, 11, 30, 18, 0)  # five working days from now
        ticket = move(ticket, S.IN_PROGRESS, S.RESOLVED, S.CLOSED)
    assert [c.status for c in sla_clocks_for_ticket(ticket=ticket)] == [ClockStatus.MET] * 3


@freeze_time(MONDAY_0900)
def test_a_cancelled_ticket_stops_its_clocks():
    ticket = move(make_ticket(), S.CANCELLED)
    assert {c.status for c in sla_clocks_for_ticket(ticket=ticket)} == {ClockStatus.STOPPED}
    assert sla_check_clock(clock_id=clock(ticket, SlaMetric.FIRST_RESPONSE).pk, now=at(2026, 12, 1, 9, 0)) == []


# --- Warnings, breaches, escalation -------------------------------------------------------


def test_warning_breach_and_escalation_each_happen_once_at_the_right_time(supervisor, agent):
    with freeze_time(MONDAY_0900):
        ticket = make_ticket()
        ticket_assign(ticket=ticket, assignee=agent, actor=supervisor)
    first = clock(ticket, SlaMetric.FIRST_RESPONSE)  # warn 15:45, due 18:00, escalate Tue 18:00
    check = lambda *when: sla_check_clock(clock_id=first.pk, now=at(*when))  # noqa: E731

    assert check(2026, 11, 23, 15, 44) == []
    assert check(2026, 11, 23, 15, 45) == ["warned"]
    assert check(2026, 11, 23, 15, 46) == []
    assert sla_sweep(now=at(2026, 11, 23, 17, 59)) == 0
    warnings = Notification.objects.filter(template="sla_warning")
    assert [(n.recipient, n.channel) for n in warnings] == [(str(agent.pk), "in_app")]
    assert ticket.number in warnings.get().body
    # In the agent's inbox (the message belongs to the user), with an absolute link to the ticket.
    assert warnings.get().user_id == agent.pk
    assert f"/tickets/{ticket.number}/" in warnings.get().body and "http" in warnings.get().body

    assert sla_sweep(now=at(2026, 11, 23, 18, 0)) == 1
    assert sla_sweep(now=at(2026, 11, 23, 18, 1)) == 0
    assert check(2026, 11, 23, 18, 2) == []
    first.refresh_from_db()
    ticket.refresh_from_db()
    assert first.breached_at == at(2026, 11, 23, 18, 0) and first.status == ClockStatus.RUNNING
    assert ticket.escalation_level == 1
    breached = Notification.objects.filter(template="sla_breached")
    assert sorted(n.recipient for n in breached) == sorted([str(agent.pk), str(supervisor.pk)])

    assert check(2026, 11, 24, 17, 59) == []
    assert check(2026, 11, 24, 18, 0) == ["escalated"]
    assert check(2026, 11, 24, 18, 0) == []
    assert check(2026, 11, 25, 12, 0) == []
    assert [n.recipient for n in Notification.objects.filter(template="sla_escalated")] == [str(supervisor.pk)]
    ticket.refresh_from_db()
    assert ticket.escalation_level == 1
    marks = TicketEvent.objects.filter(ticket=ticket, actor_label="SLA").order_by("created_at")
    assert [e.data["sla"] for e in marks] == ["warning", "breach", "escalation"]
    assert not any(e.public for e in marks)


def test_a_late_check_breaches_without_a_separate_warning(supervisor):
    with freeze_time(MONDAY_0900):
        ticket = make_ticket()
    first = clock(ticket, SlaMetric.FIRST_RESPONSE)
    assert sla_check_clock(clock_id=first.pk, now=at(2026, 11, 23, 18, 30)) == ["breached"]
    first.refresh_from_db()
    assert first.warned_at == first.breached_at
    assert not Notification.objects.filter(template="sla_warning").exists()
    # No assignee: the supervisor hears of it.
    assert [n.recipient for n in Notification.objects.filter(template="sla_breached")] == [str(supervisor.pk)]


def test_a_job_that_fires_early_after_a_pause_does_nothing(supervisor, django_capture_on_commit_callbacks):
    default_task_backend.clear()
    committed = lambda: django_capture_on_commit_callbacks(execute=True)  # noqa: E731
    with freeze_time(MONDAY_0900) as frozen:
        with committed():
            ticket = make_ticket()
        first = clock(ticket, SlaMetric.FIRST_RESPONSE)
        # The intake scheduled a check at the warning time.
        assert first.next_check_at == at(2026, 11, 23, 15, 45)
        assert sla_jobs(first.pk) == [(first.pk, first.warn_at)]
        ticket = move(ticket, S.VERIFYING)
        frozen.move_to(at(2026, 11, 23, 10, 0))
        ticket = move(ticket, S.AWAITING_INFO)
        # The job fires while the ticket waits: nothing happens, nothing is rescheduled.
        frozen.move_to(at(2026, 11, 23, 15, 45))
        with committed():
            assert sla_check_clock(clock_id=first.pk, scheduled_for=at(2026, 11, 23, 15, 45)) == []
        assert len(sla_jobs(first.pk)) == 1
        frozen.move_to(at(2026, 11, 24, 10, 0))
        with committed():
            ticket = move(ticket, S.VERIFYING)
    first.refresh_from_db()
    assert first.next_check_at == first.warn_at == at(2026, 11, 24, 15, 45)
    assert sla_jobs(first.pk)[-1] == (first.pk, first.warn_at)
    # A stale copy of the old job, late: still nothing, and it does not multiply.
    with freeze_time(at(2026, 11, 24, 11, 0)), committed():
        assert sla_check_clock(clock_id=first.pk, scheduled_for=at(2026, 11, 23, 15, 45)) == []
    assert len(sla_jobs(first.pk)) == 2
    # The current job, when its time comes, warns and schedules the breach check.
    with freeze_time(at(2026, 11, 24, 15, 45)), committed():
        assert sla_check_clock(clock_id=first.pk, scheduled_for=first.next_check_at) == ["warned"]
    first.refresh_from_db()
    assert first.next_check_at == first.due_at == at(2026, 11, 24, 18, 0)
    assert sla_jobs(first.pk)[-1] == (first.pk, first.due_at)
    assert len(sla_jobs(first.pk)) == 3


def test_paused_clocks_are_not_warned_or_breached(supervisor):
    with freeze_time(MONDAY_0900):
        ticket = move(make_ticket(), S.VERIFYING, S.AWAITING_INFO)
    assert sla_sweep(now=at(2026, 12, 31, 12, 0)) == 0
    assert not Notification.objects.filter(template__startswith="sla_").exists()
    ticket.refresh_from_db()
    assert ticket.escalation_level == 0


def test_tickets_at_risk_are_those_warned_or_breached_that_the_user_may_see(supervisor, agent):
    with freeze_time(MONDAY_0900):
        risky = make_ticket()
        calm = make_ticket(priority=Priority.IMPORTANT, phone="13900000000")
        SlaPolicy.objects.update(warning_share=Decimal("0.99"))
    sla_sweep(now=at(2026, 11, 23, 15, 50))  # risky (normal) is warned; calm's 4 h reply is breached
    calm_first = clock(calm, SlaMetric.FIRST_RESPONSE)
    assert calm_first.breached_at is not None
    ticket_add_note(ticket=calm, actor=agent, body="已回复", kind=EventKind.CALL)
    ticket_transition(ticket=calm, to_status=S.CANCELLED, actor=None)
    at_risk = list(tickets_sla_at_risk(user=supervisor, now=at(2026, 11, 23, 15, 50)))
    assert at_risk == [risky]
    assert list(tickets_sla_at_risk(user=agent, now=at(2026, 11, 23, 15, 50))) == []


# --- The ticket's SLA state and changed terms ----------------------------------------------


def test_the_ticket_carries_the_worst_open_clock_state_for_its_lists(supervisor):
    with freeze_time(MONDAY_0900):
        ticket = make_ticket()
    assert ticket.sla_state == ""
    sla_sweep(now=at(2026, 11, 23, 15, 45))  # the first-response warning
    ticket.refresh_from_db()
    assert ticket.sla_state == "warning"
    sla_sweep(now=at(2026, 11, 23, 18, 0))
    ticket.refresh_from_db()
    assert ticket.sla_state == "breached"
    # The reply meets the breached clock: the other clocks are on track again.
    with freeze_time(at(2026, 11, 23, 18, 5)):
        ticket_add_note(ticket=ticket, actor=supervisor, body="已回复", kind=EventKind.CALL)
        ticket = move(ticket, S.VERIFYING)
    ticket.refresh_from_db()
    assert clock(ticket, SlaMetric.FIRST_RESPONSE).status == ClockStatus.MET
    assert ticket.sla_state == ""


def test_raising_the_priority_retargets_the_open_clocks_from_their_start(supervisor):
    from aftersales.tickets.process import ticket_classify

    with freeze_time(MONDAY_0900):
        ticket = make_ticket()
        ticket_add_note(ticket=ticket, actor=supervisor, body="已回复", kind=EventKind.CALL)
        ticket = move(ticket, S.VERIFYING)
    assert ticket.due_at == at(2026, 11, 27, 18, 0)  # default: 45 working hours
    with freeze_time(at(2026, 11, 23, 11, 0)):
        ticket = ticket_classify(
            ticket=ticket,
            actor=supervisor,
            category=None,
            nature="",
            severity="",
            request_type=ticket.request_type,
            priority=Priority.IMPORTANT,
        )
    resolution = clock(ticket, SlaMetric.RESOLUTION)
    assert resolution.policy.name == "重要"
    assert resolution.started_at == MONDAY_0900
    assert resolution.due_at == at(2026, 11, 25, 18, 0)  # 27 working hours from Monday 09:00
    assert ticket.due_at == resolution.due_at
    # The met first-response clock keeps its original policy.
    assert clock(ticket, SlaMetric.FIRST_RESPONSE).policy.name == "默认"
    # A safety hazard makes it urgent: the 24×7 calendar, 48 clock hours from the start.
    with freeze_time(at(2026, 11, 23, 11, 30)):
        ticket = ticket_classify(
            ticket=ticket,
            actor=supervisor,
            category=None,
            nature="",
            severity="",
            request_type=ticket.request_type,
            priority=Priority.IMPORTANT,
            safety_hazard=True,
        )
    assert ticket.due_at == at(2026, 11, 25, 9, 0)
    assert clock(ticket, SlaMetric.RESOLUTION).calendar.is_24x7


def test_a_customer_who_becomes_key_gets_the_key_customer_targets_on_open_tickets(supervisor):
    from aftersales.audit.models import AuditEvent
    from aftersales.customers.services import customer_set_tier

    with freeze_time(MONDAY_0900):
        ticket = make_ticket()
        done = make_ticket()
        ticket_transition(ticket=done, to_status=S.CANCELLED, actor=None)
    before_done = clock(done, SlaMetric.RESOLUTION).due_at
    customer_set_tier(customer=ticket.customer, tier=CustomerTier.KEY, actor=supervisor)
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == at(2026, 11, 23, 13, 0)  # 4 working hours
    assert ticket.due_at == at(2026, 11, 26, 18, 0)  # 36 working hours
    assert clock(done, SlaMetric.RESOLUTION).due_at == before_done  # a stopped clock stays
    assert AuditEvent.objects.filter(action="customer.tier_changed").count() == 1
    assert AuditEvent.objects.filter(action="sla.retargeted", object_id=str(ticket.pk)).count() == 3
