"""Warn, breach and escalate clocks exactly once: the deferred job of each clock, and the sweep
that catches what a lost or late job missed."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock as system_clock
from aftersales.core.i18n import TEXT_KEY, deferred, frozen
from aftersales.notifications.services import notify_staff
from aftersales.tickets.choices import EventKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.selectors.recipients import supervisors_for_ticket

from ..audit_actions import SlaAudit
from ..effects import SLA_BREACHED
from ..models import ClockStatus, SlaClock, SlaMetric
from ..selectors import sla_clock_ids_needing_check
from .common import save_clock, schedule, sync_ticket_deadlines

logger = logging.getLogger("aftersales.sla.services")

SWEEP_BATCH = 500


# --- Warn, breach, escalate ------------------------------------------------------------------


def _notify(*, users: list[User], ticket: Ticket, template: str, subject: Any, body: Any, params: dict[str, Any]) -> int:
    """Put one message in each user's inbox, in the user's language, with the ticket's link."""
    return len(notify_staff(users=users, template=template, subject=subject, body=body, ticket=ticket, params=params))


def _timeline(ticket: Ticket, *, what: str, clock: SlaClock, body: Any, params: dict[str, Any], now: dt.datetime) -> None:
    """The timeline entry: ``body`` (a lazy message) with ``params``, read in the reader's language."""
    text = deferred(body, **params)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.NOTE,
        actor=None,
        actor_label="SLA",
        public=False,
        body=frozen(text),
        data={"sla": what, "metric": clock.metric, "due_at": clock.due_at.isoformat(), TEXT_KEY: text},
        created_at=now,
    )


def _params(clock: SlaClock, ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "metric": SlaMetric(clock.metric).label,  # lazy: each reader's language
        "due": timezone.localtime(clock.due_at, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M"),
    }


# Translated per recipient (notify_staff) and, on the timeline, per reader (core.i18n.deferred).
WARN_SUBJECT = gettext_lazy("SLA warning: %(number)s")
WARN_BODY = gettext_lazy("Ticket %(number)s: %(metric)s is due at %(due)s.")
BREACH_SUBJECT = gettext_lazy("SLA breached: %(number)s")
BREACH_BODY = gettext_lazy("Ticket %(number)s: %(metric)s was due at %(due)s and is overdue. The ticket is escalated.")
ESCALATE_SUBJECT = gettext_lazy("SLA escalation: %(number)s")
ESCALATE_BODY = gettext_lazy("Ticket %(number)s: %(metric)s has been overdue since %(due)s and still is. Please step in.")


def _warn(clock: SlaClock, ticket: Ticket, now: dt.datetime) -> None:
    clock.warned_at = now
    recipients = [ticket.assignee] if ticket.assignee is not None else supervisors_for_ticket(ticket=ticket)
    params = _params(clock, ticket)
    _notify(users=recipients, ticket=ticket, template="sla_warning", subject=WARN_SUBJECT, body=WARN_BODY, params=params)
    _timeline(ticket, what="warning", clock=clock, body=WARN_BODY, params=params, now=now)
    audit_record(action=SlaAudit.WARNED, obj=ticket, actor_label="SLA", changes={"metric": clock.metric})


def _breach(clock: SlaClock, ticket: Ticket, now: dt.datetime) -> None:
    if clock.warned_at is None:
        clock.warned_at = now  # the breach says more than a late warning would
    clock.breached_at = now
    Ticket.objects.filter(pk=ticket.pk).update(escalation_level=F("escalation_level") + 1)
    supervisors = supervisors_for_ticket(ticket=ticket)
    recipients = ([ticket.assignee] if ticket.assignee is not None else []) + supervisors
    params = _params(clock, ticket)
    _notify(users=recipients, ticket=ticket, template="sla_breached", subject=BREACH_SUBJECT, body=BREACH_BODY, params=params)
    _timeline(ticket, what="breach", clock=clock, body=BREACH_BODY, params=params, now=now)
    audit_record(
        action=SlaAudit.BREACHED,
        obj=ticket,
        actor_label="SLA",
        changes={"metric": clock.metric, "escalation_level": [ticket.escalation_level, ticket.escalation_level + 1]},
    )
    SLA_BREACHED.send(ticket=ticket, metric=clock.metric)
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
    _timeline(ticket, what="escalation", clock=clock, body=ESCALATE_BODY, params=params, now=now)
    audit_record(action=SlaAudit.ESCALATED, obj=ticket, actor_label="SLA", changes={"metric": clock.metric})


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
    ticket_id = SlaClock.objects.filter(pk=clock_id).values_list("ticket_id", flat=True).first()
    if ticket_id is None:
        return []
    # The ticket before its clock (``tickets.locking``): a breach writes the ticket row, and a
    # status change locks the ticket, then its clocks.
    lock_ticket(ticket_id)
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
        schedule(clock)
    if done or current_job or sweep_due:
        save_clock(clock, now)
    if done:
        siblings = list(SlaClock.objects.filter(ticket_id=clock.ticket_id).exclude(pk=clock.pk))
        sync_ticket_deadlines(ticket, [clock, *siblings])
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
