"""Start a ticket's clocks, and apply its status changes and its first response to them:
pause, resume, meet, stop, and restart the resolution clock when the ticket is reopened."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from aftersales.audit.services import audit_record
from aftersales.core import clock as system_clock
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import FINAL_STATUSES, PAUSED_STATUSES, TicketStatus

from ..audit_actions import SlaAudit
from ..calendar import BusinessCalendar, business_time_between
from ..models import ClockStatus, SlaClock, SlaMetric
from ..selectors import calendar_spec, sla_policy_for
from .common import (
    OPEN_CLOCK,
    SOLUTION_STATUSES,
    _enqueue_check,
    save_clock,
    schedule,
    set_deadlines,
    sla_ticket_deadlines,
    sync_ticket_deadlines,
    target_minutes,
)

logger = logging.getLogger("aftersales.sla.services")

# --- Start -----------------------------------------------------------------------------------


# No savepoint when nested (intake): a failure here fails the whole intake anyway, and the
# SAVEPOINT/RELEASE pair would be two more round trips while the ticket is being written.
@transaction.atomic(savepoint=False)
def sla_start_for_ticket(*, ticket: Ticket, new_ticket: bool = False) -> list[SlaClock]:
    """Start the ticket's three clocks from the most specific active policy, from its registration.

    Sets ``Ticket.first_response_due_at`` and ``Ticket.due_at`` (also on the instance passed in)
    and schedules the warning jobs after commit. Idempotent: a ticket that has clocks keeps them.
    Without any active policy the ticket gets no clocks (logged).

    ``new_ticket=True`` is intake's fast path for a ticket inserted in this transaction: no
    look-up of existing clocks, and neither the ticket row nor the audit log is written here —
    the caller writes the deadlines (``sla_ticket_deadlines``) with its own final ticket
    ``UPDATE`` and records ``sla_audit_started`` once the ticket has its number.
    """
    if not new_ticket:
        existing = list(SlaClock.objects.filter(ticket=ticket))
        if existing:
            return existing
    policy = sla_policy_for(priority=ticket.priority, customer_tier=ticket.customer.tier)
    if policy is None:
        logger.warning("No active SLA policy applies to ticket %s: it has no deadlines.", ticket.number)
        return []
    now = system_clock.now()
    started = ticket.created_at or now
    cal = calendar_spec(calendar=policy.calendar)
    clocks = []
    for metric in SlaMetric:
        clock = SlaClock(
            ticket=ticket,
            metric=metric,
            policy=policy,
            calendar=policy.calendar,
            target_minutes=target_minutes(policy, metric),
            warning_share=policy.warning_share,
            escalate_after_minutes=policy.escalate_after_minutes,
            started_at=started,
            updated_at=now,
        )
        set_deadlines(clock, cal)
        schedule(clock, enqueue=False)  # enqueued below, once the clock has its id
        clocks.append(clock)
    SlaClock.objects.bulk_create(clocks)  # one INSERT; the ids come back (RETURNING) for the jobs
    for clock in clocks:
        if clock.next_check_at is not None:
            _enqueue_check(clock, clock.next_check_at)
    if new_ticket:
        for name, value in sla_ticket_deadlines(clocks).items():
            setattr(ticket, name, value)
        return clocks
    sync_ticket_deadlines(ticket, clocks)
    sla_audit_started(ticket=ticket, clocks=clocks)
    return clocks


def sla_audit_started(*, ticket: Ticket, clocks: list[SlaClock]) -> None:
    """The audit row of started clocks (nothing when the ticket got none)."""
    if not clocks:
        return
    audit_record(
        action=SlaAudit.STARTED,
        obj=ticket,
        actor_label="SLA",
        changes={"policy": clocks[0].policy.name if clocks[0].policy else "", **{c.metric: c.due_at.isoformat() for c in clocks}},
    )


# --- Status changes --------------------------------------------------------------------------


def _pause(clock: SlaClock, now: dt.datetime) -> None:
    clock.status = ClockStatus.PAUSED
    clock.paused_at = now
    clock.next_check_at = None


def _fold_pause(clock: SlaClock, cal: BusinessCalendar, now: dt.datetime) -> int:
    """Add the working time since ``paused_at`` to the clock; returns the seconds added."""
    if clock.paused_at is None:
        return 0
    seconds = int(business_time_between(cal, clock.paused_at, now).total_seconds())
    clock.paused_seconds += seconds
    clock.paused_at = None
    return seconds


def _resume(clock: SlaClock, cal: BusinessCalendar, now: dt.datetime) -> None:
    _fold_pause(clock, cal, now)
    clock.status = ClockStatus.RUNNING
    set_deadlines(clock, cal)
    schedule(clock)


def _meet(clock: SlaClock, cal: BusinessCalendar, at: dt.datetime) -> None:
    _fold_pause(clock, cal, at)
    clock.status = ClockStatus.MET
    clock.met_at = at
    clock.next_check_at = None


def _stop(clock: SlaClock, cal: BusinessCalendar, now: dt.datetime) -> None:
    _fold_pause(clock, cal, now)
    clock.status = ClockStatus.STOPPED
    clock.stopped_at = now
    clock.next_check_at = None


def _restart(clock: SlaClock, ticket: Ticket, now: dt.datetime) -> BusinessCalendar:
    """A fresh target from ``now`` under the policy that applies today."""
    policy = sla_policy_for(priority=ticket.priority, customer_tier=ticket.customer.tier) or clock.policy
    if policy is not None:
        clock.policy = policy
        clock.calendar = policy.calendar
        clock.target_minutes = target_minutes(policy, clock.metric)
        clock.warning_share = policy.warning_share
        clock.escalate_after_minutes = policy.escalate_after_minutes
    cal = calendar_spec(calendar=clock.calendar)
    clock.status = ClockStatus.RUNNING
    clock.started_at = now
    clock.paused_at = None
    clock.paused_seconds = 0
    clock.met_at = clock.stopped_at = clock.warned_at = clock.breached_at = clock.escalated_at = None
    set_deadlines(clock, cal)
    schedule(clock)
    return cal


@transaction.atomic
def sla_on_status_change(
    *, ticket: Ticket, old_status: TicketStatus | str, new_status: TicketStatus | str, now: dt.datetime | None = None
) -> list[SlaClock]:
    """Apply a ticket's status change to its clocks (see the module docstring for the rules).

    Call it inside the transition's transaction; returns the clocks that changed.
    """
    old, new = TicketStatus(old_status), TicketStatus(new_status)
    now = now or system_clock.now()
    clocks = list(SlaClock.objects.select_for_update().filter(ticket_id=ticket.pk).select_related("calendar").order_by("pk"))
    changed: list[SlaClock] = []
    specs: dict[int, BusinessCalendar] = {}

    def spec(clock: SlaClock) -> BusinessCalendar:
        """The clock's calendar, read once per calendar for all the ticket's clocks (they share
        one as a rule), and only by a branch that counts business time (a pause does not)."""
        if clock.calendar_id not in specs:
            specs[clock.calendar_id] = calendar_spec(calendar=clock.calendar)
        return specs[clock.calendar_id]

    for clock in clocks:
        touched = True
        if new in FINAL_STATUSES and clock.status in OPEN_CLOCK:
            _stop(clock, spec(clock), now)
        elif new in FINAL_STATUSES:
            touched = False
        elif new == TicketStatus.REOPENED and clock.metric == SlaMetric.RESOLUTION:
            restarted_from = clock.due_at
            _restart(clock, ticket, now)
            audit_record(
                action=SlaAudit.RESTARTED,
                obj=ticket,
                actor_label="SLA",
                changes={"metric": clock.metric, "due_at": [restarted_from.isoformat(), clock.due_at.isoformat()]},
            )
        elif clock.status in OPEN_CLOCK and _is_met_by(clock.metric, new):
            _meet(clock, spec(clock), now)
        elif clock.status == ClockStatus.RUNNING and new in PAUSED_STATUSES and old not in PAUSED_STATUSES:
            _pause(clock, now)
        elif clock.status == ClockStatus.PAUSED and new not in PAUSED_STATUSES:
            _resume(clock, spec(clock), now)
        else:
            touched = False
        if touched:
            save_clock(clock, now)
            changed.append(clock)
    if changed:
        sync_ticket_deadlines(ticket, clocks)
    return changed


def _is_met_by(metric: str, status: TicketStatus) -> bool:
    if metric == SlaMetric.SOLUTION:
        return status in SOLUTION_STATUSES
    return status == TicketStatus.RESOLVED


@transaction.atomic
def sla_record_first_response(*, ticket: Ticket, at: dt.datetime) -> SlaClock | None:
    """Mark the first-response clock met at ``at`` (once; later calls change nothing)."""
    return _meet_metric(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE, at=at)


@transaction.atomic
def sla_on_solution_promised(*, ticket: Ticket, at: dt.datetime) -> SlaClock | None:
    """A solution date was promised to the customer: the solution clock is met at ``at`` (once;
    a revision changes nothing). Within its window it counts as met; after its breach the clock
    is closed late and stays breached. The resolution clock is not touched: the promise does not
    move the resolution deadline."""
    return _meet_metric(ticket=ticket, metric=SlaMetric.SOLUTION, at=at)


def _meet_metric(*, ticket: Ticket, metric: SlaMetric, at: dt.datetime) -> SlaClock | None:
    clock = (
        SlaClock.objects.select_for_update()
        .select_related("calendar")
        .filter(ticket_id=ticket.pk, metric=metric, status__in=OPEN_CLOCK)
        .first()
    )
    if clock is None:
        return None
    _meet(clock, calendar_spec(calendar=clock.calendar), at)
    save_clock(clock, at)
    if clock.breached_at is not None or clock.warned_at is not None:
        siblings = list(SlaClock.objects.filter(ticket_id=ticket.pk).exclude(pk=clock.pk))
        sync_ticket_deadlines(ticket, [clock, *siblings])
    return clock
