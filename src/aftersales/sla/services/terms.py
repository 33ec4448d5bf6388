"""New terms for open clocks: the ticket's priority or its customer's tier changed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from aftersales.audit.services import audit_record
from aftersales.core import clock as system_clock
from aftersales.tickets.models import Ticket

from ..audit_actions import SlaAudit
from ..models import ClockStatus, SlaClock
from ..selectors import calendar_spec, sla_policy_for
from .common import OPEN_CLOCK, save_clock, schedule, set_deadlines, sync_ticket_deadlines, target_minutes


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
        target = target_minutes(policy, clock.metric)
        if clock.policy_id == policy.pk and clock.target_minutes == target:
            continue
        before = (clock.policy.name if clock.policy else "", clock.due_at.isoformat())
        clock.policy = policy
        clock.calendar = policy.calendar
        clock.target_minutes = target
        clock.warning_share = policy.warning_share
        clock.escalate_after_minutes = policy.escalate_after_minutes
        set_deadlines(clock, calendar_spec(calendar=clock.calendar))
        if clock.status == ClockStatus.RUNNING:
            schedule(clock)
        save_clock(clock, now)
        changed.append(clock)
        audit_record(
            action=SlaAudit.RETARGETED,
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
        sync_ticket_deadlines(ticket, clocks)
    return changed
