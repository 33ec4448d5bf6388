"""The worker's first pass, run at the end of the demo load: the demo ends in the state the
background worker would reach in its first minutes, so the first page anyone opens agrees with
itself (the desk's "SLA breached" count with the overdue badges of "Due soon", the unassigned
count, the quality overview and the KPI pages with the tickets they count).

The demo's stories run in simulated time: the deferred SLA jobs (warn, breach, escalate) they
queue fell due long before any worker starts, and no periodic job has run yet. Here the periodic
jobs whose result a page shows run once, through the task bodies the scheduler enqueues
(``core.schedule.PERIODIC_JOBS``), in order: the SLA sweep first (a breach changes the ticket's
SLA state and its facts); the auto-close of resolved tickets the customer has not answered (the
stories resolve theirs within ``TICKET_AUTO_CLOSE_DAYS``, so it closes none of them: each ends
in the status it planned); the sweeps that place, triage and scan the new tickets; the revisits
that fell due; then the fault rollup and the analytics refresh, which read all of it. Every job
is idempotent, so the worker starting afterwards (or a second load) changes nothing more.

Left to the worker: the jobs that deliver (notifications, webhooks, reports, mail, reminders),
the survey sweep (its invitations and reminders are deliveries), and housekeeping no page shows.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from aftersales.analytics.tasks import refresh_analytics
from aftersales.crisis.tasks import detect_spikes
from aftersales.demo.stories import KEY_PREFIX
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.quality.tasks import refresh_fault_rollup
from aftersales.revisits.tasks import schedule_revisits
from aftersales.sla.services import SWEEP_BATCH
from aftersales.sla.tasks import sweep_sla_clocks
from aftersales.tickets.selectors import tickets_with_intake_key_prefix
from aftersales.tickets.tasks import auto_close_resolved_tickets, sweep_auto_assignment
from aftersales.triage.tasks import triage_sweep

# A sweep checks at most SWEEP_BATCH clocks; the demo has far fewer, this only bounds the loop.
MAX_SWEEPS = 20
# After the SLA sweep, in this order (the rollups last: they read what the others wrote).
JOBS = (
    auto_close_resolved_tickets,
    sweep_auto_assignment,
    triage_sweep,
    detect_spikes,
    schedule_revisits,
    refresh_fault_rollup,
    refresh_analytics,
)


def sweep_sla_until_settled() -> int:
    """Run the periodic SLA sweep until no running clock is left past a mark it has not got
    (the demo has a few hundred clocks: one sweep in practice). Returns how many it checked."""
    checked = 0
    for _round in range(MAX_SWEEPS):
        done = sweep_sla_clocks.call()
        checked += done
        if done < SWEEP_BATCH:
            break
    return checked


def run_first_worker_pass(out: Any) -> None:
    """The SLA sweep, then ``JOBS``, once each (see the module's docstring)."""
    checked = sweep_sla_until_settled()
    for job in JOBS:
        job.call()
    # As after every part of the demo: what the jobs queued about the stories' tickets (the
    # breach and warning notices) is stored, never sent; the staff's inboxes still list it.
    Notification.objects.filter(ticket__in=tickets_with_intake_key_prefix(KEY_PREFIX), status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SKIPPED, last_error="demo data: not sent"
    )
    out.write(
        _("Background jobs run once: %(clocks)d SLA clocks checked; the quality and analytics figures refreshed.")
        % {"clocks": checked}
        + "\n"
    )
