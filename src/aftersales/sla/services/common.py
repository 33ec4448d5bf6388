"""What the SLA services share: a clock's deadlines on its calendar, when it next needs a
look (and the deferred job for then), and the columns that mirror the clocks on the ticket."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from aftersales.core.jobs import enqueue_with_transaction
from aftersales.tickets.choices import SlaState
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import TicketStatus

from ..calendar import BusinessCalendar, add_business_time
from ..models import ClockStatus, SlaClock, SlaMetric, SlaPolicy

OPEN_CLOCK = (ClockStatus.RUNNING, ClockStatus.PAUSED)
# The solution commitment is met when the customer is given a solution: the plan is offered to
# them (the ticket reaches "awaiting customer", the moment ``Ticket.solution_committed_at`` is set;
# a plan waiting for internal approval is not yet told to anyone) or the ticket is resolved. The
# only ways to "in progress" pass through "awaiting customer" (or a reopening, after the clock was
# met). A promised solution date meets it too (``clocks.sla_on_solution_promised``).
SOLUTION_STATUSES = frozenset({TicketStatus.AWAITING_CUSTOMER, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED})


# --- Deadlines -------------------------------------------------------------------------------


def target_minutes(policy: SlaPolicy, metric: str) -> int:
    return {
        SlaMetric.FIRST_RESPONSE: policy.first_response_minutes,
        SlaMetric.SOLUTION: policy.solution_minutes,
        SlaMetric.RESOLUTION: policy.resolution_minutes,
    }[SlaMetric(metric)]


def set_deadlines(clock: SlaClock, cal: BusinessCalendar) -> None:
    """warn_at, due_at, escalate_at from start + target (+ paused working time), on the calendar."""
    paused = dt.timedelta(seconds=clock.paused_seconds)
    target = dt.timedelta(minutes=clock.target_minutes)
    warn_after = dt.timedelta(seconds=int(clock.target_minutes * 60 * Decimal(clock.warning_share)))
    clock.warn_at = add_business_time(cal, clock.started_at, warn_after + paused)
    clock.due_at = add_business_time(cal, clock.started_at, target + paused)
    clock.escalate_at = add_business_time(cal, clock.due_at, dt.timedelta(minutes=clock.escalate_after_minutes))


def next_event_at(clock: SlaClock) -> dt.datetime | None:
    if clock.status != ClockStatus.RUNNING:
        return None
    pending = []
    if clock.warned_at is None and clock.breached_at is None:
        pending.append(clock.warn_at)
    if clock.breached_at is None:
        pending.append(clock.due_at)
    elif clock.escalated_at is None:
        pending.append(clock.escalate_at)
    return min(pending) if pending else None


def schedule(clock: SlaClock, *, enqueue: bool = True) -> None:
    """Remember when the clock next needs a look and enqueue a deferred job for then, with the
    transaction (``core.jobs``). ``enqueue=False``: the clock is not saved yet (no id); the
    caller enqueues with ``_enqueue_check`` once it is.

    A job carries the time it was scheduled for; only the job matching ``next_check_at`` schedules
    the following one, so jobs made stale by a pause never multiply.
    """
    when = next_event_at(clock)
    clock.next_check_at = when
    if when is not None and enqueue:
        _enqueue_check(clock, when)


def _enqueue_check(clock: SlaClock, when: dt.datetime) -> None:
    # Imported here: ``sla.tasks`` (the jobs) imports these services to run them.
    from ..tasks import check_sla_clock

    clock_id = clock.pk
    if clock_id is None:
        raise ValueError("an SLA check needs a saved clock")

    def enqueue() -> None:
        if not check_sla_clock.get_backend().supports_defer:
            return  # the periodic sweep covers backends that cannot defer (development)
        check_sla_clock.using(run_after=when).enqueue(clock_id, when.isoformat())

    enqueue_with_transaction(check_sla_clock, enqueue)


def sla_state(clocks: list[SlaClock]) -> str:
    """The worst state among the open clocks: breached, warning or on track."""
    open_clocks = [c for c in clocks if c.status in OPEN_CLOCK]
    if any(c.breached_at is not None for c in open_clocks):
        return SlaState.BREACHED
    if any(c.warned_at is not None for c in open_clocks):
        return SlaState.WARNING
    return SlaState.ON_TRACK


def sync_ticket_deadlines(ticket: Ticket, clocks: list[SlaClock]) -> None:
    """Copy the first-response and resolution deadlines and the SLA state onto the ticket, for
    its lists (badges and the "SLA at risk" queue)."""
    updates = sla_ticket_deadlines(clocks)
    if updates:
        Ticket.objects.filter(pk=ticket.pk).update(**updates)
        for name, value in updates.items():
            setattr(ticket, name, value)


CLOCK_FIELDS = [
    "status",
    "started_at",
    "warn_at",
    "due_at",
    "escalate_at",
    "paused_at",
    "paused_seconds",
    "met_at",
    "stopped_at",
    "warned_at",
    "breached_at",
    "escalated_at",
    "next_check_at",
    "target_minutes",
    "warning_share",
    "escalate_after_minutes",
    "policy",
    "calendar",
    "updated_at",
]


def save_clock(clock: SlaClock, now: dt.datetime) -> None:
    clock.updated_at = now
    clock.save(update_fields=CLOCK_FIELDS)


def sla_ticket_deadlines(clocks: list[SlaClock]) -> dict[str, object]:
    """The ticket columns that mirror its clocks (state, first-response and resolution due)."""
    by_metric = {c.metric: c for c in clocks}
    values: dict[str, object] = {"sla_state": sla_state(clocks)}
    if SlaMetric.FIRST_RESPONSE in by_metric:
        values["first_response_due_at"] = by_metric[SlaMetric.FIRST_RESPONSE].due_at
    if SlaMetric.RESOLUTION in by_metric:
        values["due_at"] = by_metric[SlaMetric.RESOLUTION].due_at
    return values
