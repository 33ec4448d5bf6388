"""A fresh demo looks like a working day: the open tickets' SLA clocks are spread around now (most
on track, some due within hours, a few breached), and every role's queue has something in it —
the agent's own and unassigned tickets, the supervisor's approvals, the technician's jobs of
today and tomorrow, the warehouse keeper's requisitions.

These hold whenever the tests run (the demo is made relative to the real time, on any weekday
or holiday): the urgent tickets run on the 24×7 calendar, so something is due soon on a Sunday too.
"""

import datetime as dt

import pytest

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.demo.stories import KEY_PREFIX
from aftersales.fieldservice.models import WorkOrderStatus
from aftersales.fieldservice.selectors import technician_jobs
from aftersales.parts import permissions as parts_permissions
from aftersales.parts.models import Requisition, RequisitionStatus
from aftersales.sla.models import ClockStatus, SlaClock, SlaMetric
from aftersales.sla.services import sla_sweep
from aftersales.tickets.choices import SlaState
from aftersales.tickets.models import ApprovalRequest
from aftersales.tickets.selectors import TicketFilters, ticket_list_for_user, tickets_visible_to, tickets_with_intake_key_prefix
from aftersales.tickets.states import OPEN_STATUS_LIST

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(hours=24)
OPEN_JOB = (WorkOrderStatus.DISPATCHED, WorkOrderStatus.ACCEPTED, WorkOrderStatus.ON_THE_WAY, WorkOrderStatus.ON_SITE)


def _open_tickets():
    return tickets_with_intake_key_prefix(KEY_PREFIX).filter(status__in=OPEN_STATUS_LIST)


def _open_clocks(metric: SlaMetric) -> list[SlaClock]:
    return list(SlaClock.objects.filter(ticket__in=_open_tickets(), metric=metric))


def _breached(clock: SlaClock, now: dt.datetime) -> bool:
    return clock.breached_at is not None or (clock.status == ClockStatus.RUNNING and clock.due_at <= now)


def test_open_tickets_resolution_clocks_are_spread_around_now(demo_output):
    now = clock.now()
    clocks = _open_clocks(SlaMetric.RESOLUTION)
    assert len(clocks) == _open_tickets().count() >= 100
    running = [c for c in clocks if c.status == ClockStatus.RUNNING]
    later = [c for c in running if c.due_at > now + DAY]
    within_8h = [c for c in running if now < c.due_at <= now + dt.timedelta(hours=8)]
    breached = [c for c in clocks if _breached(c, now)]
    assert len(later) >= 0.6 * len(clocks), "most open tickets are on track: running and not due within 24 hours"
    assert within_8h, "some tickets fall due within hours"
    assert 1 <= len(breached) <= 0.15 * len(clocks), "a few tickets are past their deadline"


def test_paused_tickets_show_a_due_time_ahead(demo_output):
    """A ticket waiting for the customer or for parts shows the due time it will have when the
    clock resumes: never one in the past (which the lists would show as overdue)."""
    now = clock.now()
    paused = [c for c in _open_clocks(SlaMetric.RESOLUTION) if c.status == ClockStatus.PAUSED]
    assert len(paused) >= 10
    assert all(c.due_at > now for c in paused)


def test_the_tightest_clocks_warn_and_breach_only_a_few_tickets(demo_output):
    """Every running clock (first response, solution, resolution): a few breached, more due
    soon, most far from their deadline — and the new tickets nobody has answered yet are young."""
    now = clock.now()
    clocks = [c for metric in SlaMetric for c in _open_clocks(metric) if c.status == ClockStatus.RUNNING]
    tickets = {c.ticket_id for c in clocks}
    breached = {c.ticket_id for c in clocks if _breached(c, now)}
    assert 2 <= len(breached) <= 0.15 * _open_tickets().count()
    unanswered = [c for c in _open_clocks(SlaMetric.FIRST_RESPONSE) if c.status == ClockStatus.RUNNING]
    assert unanswered and sum(_breached(c, now) for c in unanswered) <= 1
    assert len(tickets - breached) >= 0.8 * len(tickets)


def test_after_the_first_sla_sweep_the_badges_show_some_warnings_and_breaches(demo_output):
    """What the worker does on the first start (its deferred checks, or the minute's sweep):
    the lists then show mostly "on track" with a few warnings and breaches."""
    sla_sweep(now=clock.now())
    states = list(_open_tickets().values_list("sla_state", flat=True))
    assert states.count(SlaState.BREACHED) >= 1
    assert states.count(SlaState.WARNING) >= 1
    assert states.count(SlaState.BREACHED) <= 0.15 * len(states)
    assert states.count(SlaState.ON_TRACK) >= 0.7 * len(states)


def test_the_agent_has_own_unassigned_and_at_risk_tickets_but_not_everything_at_risk(demo_output):
    agent = User.objects.get(username="agent")

    def total(queue: str) -> int:
        return ticket_list_for_user(user=agent, filters=TicketFilters(queue=queue), page_size=1).total

    open_total = total("")
    assert total("mine") >= 5
    assert total("unassigned") >= 3
    assert 1 <= total("at_risk") <= open_total // 3


def test_the_supervisor_has_approvals_to_decide(demo_output):
    supervisor = User.objects.get(username="supervisor")
    pending = ApprovalRequest.objects.filter(status="pending", plan__is_current=True)
    mine = tickets_visible_to(supervisor).filter(plans__in=pending.values("plan")).distinct()
    assert mine.count() >= 2


def test_the_technician_has_jobs_today_and_tomorrow(demo_output):
    technician = User.objects.get(username="technician")
    today = clock.local_today()
    jobs_today = [wo for wo in technician_jobs(user=technician, day=today) if wo.status in OPEN_JOB]
    jobs_tomorrow = [wo for wo in technician_jobs(user=technician, day=today + dt.timedelta(days=1)) if wo.status in OPEN_JOB]
    assert len(jobs_today) >= 2
    assert len(jobs_tomorrow) >= 1
    # Today's jobs are still ahead (or under way) while the day lasts.
    assert all(wo.appointment_end > clock.now() for wo in jobs_today) or clock.local_now().hour >= 21


def test_the_warehouse_keeper_and_the_supervisor_have_requisitions_to_decide(demo_output):
    keeper = User.objects.get(username="warehouse")
    supervisor = User.objects.get(username="supervisor")
    submitted = list(Requisition.objects.filter(status=RequisitionStatus.SUBMITTED))
    for_keeper = [r for r in submitted if parts_permissions.can_decide_requisition(keeper, r)]
    assert len(for_keeper) >= 2
    assert any(r.approver_role == "supervisor" and parts_permissions.can_decide_requisition(supervisor, r) for r in submitted)
