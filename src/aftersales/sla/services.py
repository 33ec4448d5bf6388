"""Writes for service levels: start, pause, resume, meet and stop a ticket's clocks; warn, breach
and escalate them exactly once.

The rules (SPEC §2, seed 001):

* A ticket gets three clocks at intake from the most specific active policy: **first response**,
  **solution commitment** (a plan, or an expected completion time told to the customer) and
  **resolution**. Their deadlines are columns, computed on the policy's business calendar.
* **First response** is met when staff first send a message or record a call (the ticket's
  ``first_responded_at``), or when the ticket is resolved.
* **Solution commitment** is met when a plan exists: the ticket reaches *awaiting approval*,
  *awaiting customer agreement*, *in progress* or *resolved*.
* **Resolution** is met when the ticket is resolved.
* While the ticket waits for the customer or for parts (``PAUSED_STATUSES``) every running clock
  pauses; when it leaves, the paused working time is added to the clock and its deadlines move.
* A final status (closed, rejected, cancelled, merged) stops every clock still open.
* Reopening (二次处理) restarts the resolution clock with a fresh target from the reopening.
* At ``warning_share`` of a target the assignee is warned; at the target the clock is breached:
  the ticket's escalation level rises by one and the assignee and supervisors are told; after
  ``escalate_after_minutes`` more working time the supervisors are told again (escalated).

Warnings, breaches and escalations are guarded by their timestamps under a row lock, so a job
that runs twice, late, or beside the sweep does each exactly once.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock as system_clock
from aftersales.core.jobs import enqueue_with_transaction
from aftersales.notifications.models import NotificationChannel
from aftersales.notifications.services import notification_queue
from aftersales.tickets.choices import EventKind, SlaState
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.states import FINAL_STATUSES, PAUSED_STATUSES, TicketStatus

from .calendar import BusinessCalendar, add_business_time, business_time_between
from .models import ClockStatus, SlaClock, SlaMetric, SlaPolicy
from .selectors import calendar_spec, sla_clock_ids_needing_check, sla_policy_for, supervisors_for_ticket

logger = logging.getLogger(__name__)

OPEN_CLOCK = (ClockStatus.RUNNING, ClockStatus.PAUSED)
# A plan exists once the ticket reaches one of these (the solution commitment is met).
SOLUTION_STATUSES = frozenset(
    {TicketStatus.AWAITING_APPROVAL, TicketStatus.AWAITING_CUSTOMER, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED}
)
SWEEP_BATCH = 500


# --- Deadlines -------------------------------------------------------------------------------


def _target_minutes(policy: SlaPolicy, metric: str) -> int:
    return {
        SlaMetric.FIRST_RESPONSE: policy.first_response_minutes,
        SlaMetric.SOLUTION: policy.solution_minutes,
        SlaMetric.RESOLUTION: policy.resolution_minutes,
    }[SlaMetric(metric)]


def _set_deadlines(clock: SlaClock, cal: BusinessCalendar) -> None:
    """warn_at, due_at, escalate_at from start + target (+ paused working time), on the calendar."""
    paused = dt.timedelta(seconds=clock.paused_seconds)
    target = dt.timedelta(minutes=clock.target_minutes)
    warn_after = dt.timedelta(seconds=int(clock.target_minutes * 60 * Decimal(clock.warning_share)))
    clock.warn_at = add_business_time(cal, clock.started_at, warn_after + paused)
    clock.due_at = add_business_time(cal, clock.started_at, target + paused)
    clock.escalate_at = add_business_time(cal, clock.due_at, dt.timedelta(minutes=clock.escalate_after_minutes))


def _next_event_at(clock: SlaClock) -> dt.datetime | None:
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


def _schedule(clock: SlaClock, *, enqueue: bool = True) -> None:
    """Remember when the clock next needs a look and enqueue a deferred job for then, with the
    transaction (``core.jobs``). ``enqueue=False``: the clock is not saved yet (no id); the
    caller enqueues with ``_enqueue_check`` once it is.

    A job carries the time it was scheduled for; only the job matching ``next_check_at`` schedules
    the following one, so jobs made stale by a pause never multiply.
    """
    when = _next_event_at(clock)
    clock.next_check_at = when
    if when is not None and enqueue:
        _enqueue_check(clock, when)


def _enqueue_check(clock: SlaClock, when: dt.datetime) -> None:
    from .tasks import check_sla_clock

    clock_id = clock.pk
    if clock_id is None:
        raise ValueError("an SLA check needs a saved clock")

    def enqueue() -> None:
        if not check_sla_clock.get_backend().supports_defer:
            return  # the periodic sweep covers backends that cannot defer (development)
        check_sla_clock.using(run_after=when).enqueue(clock_id, when.isoformat())

    enqueue_with_transaction(check_sla_clock, enqueue)


def _sla_state(clocks: list[SlaClock]) -> str:
    """The worst state among the open clocks: breached, warning or on track."""
    open_clocks = [c for c in clocks if c.status in OPEN_CLOCK]
    if any(c.breached_at is not None for c in open_clocks):
        return SlaState.BREACHED
    if any(c.warned_at is not None for c in open_clocks):
        return SlaState.WARNING
    return SlaState.ON_TRACK


def _sync_ticket_deadlines(ticket: Ticket, clocks: list[SlaClock]) -> None:
    """Copy the first-response and resolution deadlines and the SLA state onto the ticket, for
    its lists (badges and the "SLA at risk" queue)."""
    updates = sla_ticket_deadlines(clocks)
    if updates:
        Ticket.objects.filter(pk=ticket.pk).update(**updates)
        for name, value in updates.items():
            setattr(ticket, name, value)


_CLOCK_FIELDS = [
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


def _save(clock: SlaClock, now: dt.datetime) -> None:
    clock.updated_at = now
    clock.save(update_fields=_CLOCK_FIELDS)


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
            target_minutes=_target_minutes(policy, metric),
            warning_share=policy.warning_share,
            escalate_after_minutes=policy.escalate_after_minutes,
            started_at=started,
            updated_at=now,
        )
        _set_deadlines(clock, cal)
        _schedule(clock, enqueue=False)  # enqueued below, once the clock has its id
        clocks.append(clock)
    SlaClock.objects.bulk_create(clocks)  # one INSERT; the ids come back (RETURNING) for the jobs
    for clock in clocks:
        if clock.next_check_at is not None:
            _enqueue_check(clock, clock.next_check_at)
    if new_ticket:
        for name, value in sla_ticket_deadlines(clocks).items():
            setattr(ticket, name, value)
        return clocks
    _sync_ticket_deadlines(ticket, clocks)
    sla_audit_started(ticket=ticket, clocks=clocks)
    return clocks


def sla_ticket_deadlines(clocks: list[SlaClock]) -> dict[str, object]:
    """The ticket columns that mirror its clocks (state, first-response and resolution due)."""
    by_metric = {c.metric: c for c in clocks}
    values: dict[str, object] = {"sla_state": _sla_state(clocks)}
    if SlaMetric.FIRST_RESPONSE in by_metric:
        values["first_response_due_at"] = by_metric[SlaMetric.FIRST_RESPONSE].due_at
    if SlaMetric.RESOLUTION in by_metric:
        values["due_at"] = by_metric[SlaMetric.RESOLUTION].due_at
    return values


def sla_audit_started(*, ticket: Ticket, clocks: list[SlaClock]) -> None:
    """The audit row of started clocks (nothing when the ticket got none)."""
    if not clocks:
        return
    audit_record(
        action="sla.started",
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
    _set_deadlines(clock, cal)
    _schedule(clock)


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
        clock.target_minutes = _target_minutes(policy, clock.metric)
        clock.warning_share = policy.warning_share
        clock.escalate_after_minutes = policy.escalate_after_minutes
    cal = calendar_spec(calendar=clock.calendar)
    clock.status = ClockStatus.RUNNING
    clock.started_at = now
    clock.paused_at = None
    clock.paused_seconds = 0
    clock.met_at = clock.stopped_at = clock.warned_at = clock.breached_at = clock.escalated_at = None
    _set_deadlines(clock, cal)
    _schedule(clock)
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
    for clock in clocks:
        touched = True
        cal = calendar_spec(calendar=clock.calendar)
        if new in FINAL_STATUSES and clock.status in OPEN_CLOCK:
            _stop(clock, cal, now)
        elif new in FINAL_STATUSES:
            touched = False
        elif new == TicketStatus.REOPENED and clock.metric == SlaMetric.RESOLUTION:
            restarted_from = clock.due_at
            _restart(clock, ticket, now)
            audit_record(
                action="sla.restarted",
                obj=ticket,
                actor_label="SLA",
                changes={"metric": clock.metric, "due_at": [restarted_from.isoformat(), clock.due_at.isoformat()]},
            )
        elif clock.status in OPEN_CLOCK and _is_met_by(clock.metric, new):
            _meet(clock, cal, now)
        elif clock.status == ClockStatus.RUNNING and new in PAUSED_STATUSES and old not in PAUSED_STATUSES:
            _pause(clock, now)
        elif clock.status == ClockStatus.PAUSED and new not in PAUSED_STATUSES:
            _resume(clock, cal, now)
        else:
            touched = False
        if touched:
            _save(clock, now)
            changed.append(clock)
    if changed:
        _sync_ticket_deadlines(ticket, clocks)
    return changed


def _is_met_by(metric: str, status: TicketStatus) -> bool:
    if metric == SlaMetric.SOLUTION:
        return status in SOLUTION_STATUSES
    return status == TicketStatus.RESOLVED


@transaction.atomic
def sla_on_terms_change(*, ticket: Ticket, reason: str, now: dt.datetime | None = None) -> list[SlaClock]:
    """The ticket's priority or its customer's tier changed: its open clocks take the targets of
    the policy that applies now, counted from their original start with their paused time kept
    (a ticket raised to urgent is due sooner; one lowered later). Warnings and breaches already
    recorded stay recorded; a deadline that is now past is breached by the next check, once.
    Returns the clocks that changed.
    """
    now = now or system_clock.now()
    policy = sla_policy_for(priority=ticket.priority, customer_tier=ticket.customer.tier)
    if policy is None:
        return []
    clocks = list(SlaClock.objects.select_for_update().filter(ticket_id=ticket.pk).select_related("calendar").order_by("pk"))
    changed: list[SlaClock] = []
    for clock in clocks:
        if clock.status not in OPEN_CLOCK:
            continue
        target = _target_minutes(policy, clock.metric)
        if clock.policy_id == policy.pk and clock.target_minutes == target:
            continue
        before = (clock.policy.name if clock.policy else "", clock.due_at.isoformat())
        clock.policy = policy
        clock.calendar = policy.calendar
        clock.target_minutes = target
        clock.warning_share = policy.warning_share
        clock.escalate_after_minutes = policy.escalate_after_minutes
        _set_deadlines(clock, calendar_spec(calendar=clock.calendar))
        if clock.status == ClockStatus.RUNNING:
            _schedule(clock)
        _save(clock, now)
        changed.append(clock)
        audit_record(
            action="sla.retargeted",
            obj=ticket,
            actor_label="SLA",
            changes={
                "metric": clock.metric,
                "policy": [before[0], policy.name],
                "due_at": [before[1], clock.due_at.isoformat()],
                "reason": reason,
            },
        )
    if changed:
        _sync_ticket_deadlines(ticket, clocks)
    return changed


@transaction.atomic
def sla_record_first_response(*, ticket: Ticket, at: dt.datetime) -> SlaClock | None:
    """Mark the first-response clock met at ``at`` (once; later calls change nothing)."""
    clock = (
        SlaClock.objects.select_for_update()
        .select_related("calendar")
        .filter(ticket_id=ticket.pk, metric=SlaMetric.FIRST_RESPONSE, status__in=OPEN_CLOCK)
        .first()
    )
    if clock is None:
        return None
    _meet(clock, calendar_spec(calendar=clock.calendar), at)
    _save(clock, at)
    if clock.breached_at is not None or clock.warned_at is not None:
        siblings = list(SlaClock.objects.filter(ticket_id=ticket.pk).exclude(pk=clock.pk))
        _sync_ticket_deadlines(ticket, [clock, *siblings])
    return clock


# --- Warn, breach, escalate ------------------------------------------------------------------


def _notify(*, users: list[User], ticket: Ticket, template: str, subject: str, body: str, params: dict[str, str]) -> int:
    """Queue one in-app notification per user, in the user's language."""
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            notification_queue(
                channel=NotificationChannel.IN_APP,
                template=template,
                recipient=str(user.pk),
                subject=_(subject) % params,
                body=_(body) % params,
                language=language,
                ticket=ticket,
            )
    return len(seen)


def _timeline(ticket: Ticket, *, what: str, clock: SlaClock, body: str, now: dt.datetime) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.NOTE,
        actor=None,
        actor_label="SLA",
        public=False,
        body=body,
        data={"sla": what, "metric": clock.metric, "due_at": clock.due_at.isoformat()},
        created_at=now,
    )


def _metric_label(clock: SlaClock) -> str:
    return str(SlaMetric(clock.metric).label)


def _params(clock: SlaClock, ticket: Ticket) -> dict[str, str]:
    from django.utils import timezone

    return {
        "number": ticket.number,
        "metric": _metric_label(clock),
        "due": timezone.localtime(clock.due_at, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M"),
    }


# Message sources are marked for translation here and translated per recipient in _notify.
WARN_SUBJECT = gettext_noop("SLA warning: %(number)s")
WARN_BODY = gettext_noop("Ticket %(number)s: %(metric)s is due at %(due)s.")
BREACH_SUBJECT = gettext_noop("SLA breached: %(number)s")
BREACH_BODY = gettext_noop("Ticket %(number)s: %(metric)s was due at %(due)s and is overdue. The ticket is escalated.")
ESCALATE_SUBJECT = gettext_noop("SLA escalation: %(number)s")
ESCALATE_BODY = gettext_noop("Ticket %(number)s: %(metric)s has been overdue since %(due)s and still is. Please step in.")


def _warn(clock: SlaClock, ticket: Ticket, now: dt.datetime) -> None:
    clock.warned_at = now
    recipients = [ticket.assignee] if ticket.assignee is not None else supervisors_for_ticket(ticket=ticket)
    params = _params(clock, ticket)
    _notify(users=recipients, ticket=ticket, template="sla_warning", subject=WARN_SUBJECT, body=WARN_BODY, params=params)
    with translation.override(settings.LANGUAGE_CODE):
        _timeline(ticket, what="warning", clock=clock, body=_(WARN_BODY) % params, now=now)
    audit_record(action="sla.warned", obj=ticket, actor_label="SLA", changes={"metric": clock.metric})


def _breach(clock: SlaClock, ticket: Ticket, now: dt.datetime) -> None:
    if clock.warned_at is None:
        clock.warned_at = now  # the breach says more than a late warning would
    clock.breached_at = now
    Ticket.objects.filter(pk=ticket.pk).update(escalation_level=F("escalation_level") + 1)
    supervisors = supervisors_for_ticket(ticket=ticket)
    recipients = ([ticket.assignee] if ticket.assignee is not None else []) + supervisors
    params = _params(clock, ticket)
    _notify(users=recipients, ticket=ticket, template="sla_breached", subject=BREACH_SUBJECT, body=BREACH_BODY, params=params)
    with translation.override(settings.LANGUAGE_CODE):
        _timeline(ticket, what="breach", clock=clock, body=_(BREACH_BODY) % params, now=now)
    audit_record(
        action="sla.breached",
        obj=ticket,
        actor_label="SLA",
        changes={"metric": clock.metric, "escalation_level": [ticket.escalation_level, ticket.escalation_level + 1]},
    )
    ticket.escalation_level += 1


def _escalate(clock: SlaClock, ticket: Ticket, now: dt.datetime) -> None:
    clock.escalated_at = now
    params = _params(clock, ticket)
    _notify(
        users=supervisors_for_ticket(ticket=ticket),
        ticket=ticket,
        template="sla_escalated",
        subject=ESCALATE_SUBJECT,
        body=ESCALATE_BODY,
        params=params,
    )
    with translation.override(settings.LANGUAGE_CODE):
        _timeline(ticket, what="escalation", clock=clock, body=_(ESCALATE_BODY) % params, now=now)
    audit_record(action="sla.escalated", obj=ticket, actor_label="SLA", changes={"metric": clock.metric})


@transaction.atomic
def sla_check_clock(*, clock_id: int, now: dt.datetime | None = None, scheduled_for: dt.datetime | None = None) -> list[str]:
    """Warn, breach and escalate ``clock_id`` as far as ``now`` calls for; returns what it did.

    Each of the three happens at most once (row lock + timestamps), so running it twice, late or
    concurrently with the sweep is safe. A clock that is paused, met or stopped is left alone; a
    call before any deadline does nothing. ``scheduled_for`` is the time a deferred job was meant
    for: only the job matching the clock's ``next_check_at`` schedules the next one (a job made
    stale by a pause does nothing more); a call without it (the sweep) reschedules when the
    clock's next check is missing or past.
    """
    clock = SlaClock.objects.select_for_update().filter(pk=clock_id).first()
    if clock is None:
        return []
    now = now or system_clock.now()
    done: list[str] = []
    if clock.status == ClockStatus.RUNNING:
        ticket = Ticket.objects.select_related("assignee", "customer").get(pk=clock.ticket_id)
        if clock.breached_at is None and clock.due_at <= now:
            _breach(clock, ticket, now)
            done.append("breached")
        elif clock.warned_at is None and clock.breached_at is None and clock.warn_at <= now:
            _warn(clock, ticket, now)
            done.append("warned")
        if clock.breached_at is not None and clock.escalated_at is None and clock.escalate_at <= now:
            _escalate(clock, ticket, now)
            done.append("escalated")
    current_job = scheduled_for is not None and clock.next_check_at is not None and scheduled_for == clock.next_check_at
    sweep_due = scheduled_for is None and (clock.next_check_at is None or clock.next_check_at <= now)
    if current_job or sweep_due:
        _schedule(clock)
    if done or current_job or sweep_due:
        _save(clock, now)
    if done:
        siblings = list(SlaClock.objects.filter(ticket_id=clock.ticket_id).exclude(pk=clock.pk))
        _sync_ticket_deadlines(ticket, [clock, *siblings])
    return done


def sla_sweep(*, now: dt.datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """The safety net: check every running clock whose warning, breach or escalation time has passed
    without its mark (at most ``limit`` per run, soonest due first). Returns how many it checked.

    Each clock is checked in its own transaction, so one failure does not undo the others.
    """
    now = now or system_clock.now()
    ids = sla_clock_ids_needing_check(now=now, limit=limit)
    for clock_id in ids:
        try:
            sla_check_clock(clock_id=clock_id, now=now)
        except Exception:
            logger.exception("SLA check of clock %s failed; the next sweep retries it.", clock_id)
    return len(ids)
