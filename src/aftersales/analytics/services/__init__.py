"""Writes of analytics: the periodic, idempotent refresh of the facts and rollups.

``analytics_refresh`` finds the tickets touched since its last run (timeline events after the
last event id it saw, with a margin for transactions that committed late; surveys, work orders,
refunds and compensation changed since its last run), recomputes their facts, then rebuilds the
staff days and months those facts belong to, and recounts the backlog. ``full=True`` recomputes
every ticket (the nightly safety net, and the first run). Running it twice changes nothing.
Two runs at once are serialised by a row lock on ``RefreshState``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aftersales.tickets.models import Ticket, TicketEvent

from ..models import JobFact, RefreshState, TicketFact
from .facts import Calendars, changed_ticket_ids, compute_job_facts, compute_ticket_facts, same_unit_ticket_ids
from .rollups import AGE_BANDS, month_of, rebuild_backlog, rebuild_months, rebuild_staff_days

__all__ = ["AGE_BANDS", "RefreshResult", "analytics_refresh", "refresh_tickets"]

BATCH = 500
# Events may commit out of id order: look this many ids back each time (recomputing is harmless).
EVENT_MARGIN = 1000
# Likewise for the timestamp-based sources.
TIME_MARGIN = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class RefreshResult:
    tickets: int
    staff_days: int
    months: int
    backlog_cells: int


def refresh_tickets(ticket_ids: set[int] | list[int], *, now: dt.datetime) -> tuple[set[dt.date], set[dt.date]]:
    """Recompute the facts of these tickets and their jobs; returns (days, months) touched."""
    calendars = Calendars()
    days: set[dt.date] = set()
    ordered = sorted(ticket_ids)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        days |= set(TicketFact.objects.filter(pk__in=chunk).values_list("day", flat=True))
        days |= set(JobFact.objects.filter(ticket_key__in=chunk).values_list("day", flat=True))
        facts = compute_ticket_facts(chunk, calendars=calendars, now=now)
        jobs = compute_job_facts(chunk, now=now)
        TicketFact.objects.filter(pk__in=chunk).delete()
        JobFact.objects.filter(ticket_key__in=chunk).delete()
        TicketFact.objects.bulk_create(facts, batch_size=BATCH)
        JobFact.objects.bulk_create(jobs, batch_size=BATCH)
        days |= {f.day for f in facts} | {j.day for j in jobs}
    months = {month_of(d) for d in days}
    return days, months


def analytics_refresh(*, full: bool = False, now: dt.datetime | None = None) -> RefreshResult:
    """Bring the facts and rollups up to date (see the module docstring)."""
    now = now or timezone.now()
    with transaction.atomic():
        state, _created = RefreshState.objects.select_for_update().get_or_create(name="default")
        top_event = TicketEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        if full or state.refreshed_at is None:
            ids = set(Ticket.objects.values_list("pk", flat=True))
        else:
            ids = changed_ticket_ids(
                since_event=max(0, state.last_event_id - EVENT_MARGIN), since=state.refreshed_at - TIME_MARGIN
            )
            ids |= same_unit_ticket_ids(ids)
        days, months = refresh_tickets(ids, now=now)
        staff_days = rebuild_staff_days(days)
        cube = rebuild_months(months)
        backlog = rebuild_backlog(now=now)
        state.last_event_id = top_event
        state.refreshed_at = now
        state.save(update_fields=["last_event_id", "refreshed_at"])
    return RefreshResult(tickets=len(ids), staff_days=staff_days, months=cube, backlog_cells=backlog)
