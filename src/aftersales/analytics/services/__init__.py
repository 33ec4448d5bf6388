"""Writes of analytics: the periodic, idempotent refresh of the facts and rollups.

``analytics_refresh`` finds the tickets touched since its last run (timeline events after the
last event id it saw, with a margin for transactions that committed late; surveys, work orders,
refunds and compensation changed since its last run), recomputes their facts, then rebuilds the
staff days (and staff months) and months those facts belong to, and recounts the backlog, in one
transaction; rollup rows already right are not rewritten, and ``RefreshState.data_version`` (the
pages' cache key) moves only when some were.
``full=True`` recomputes every ticket (the nightly safety net, and the first run) in chunks of
one transaction each, resumable after a crash (``full.py``). Running it twice changes nothing.
Runs at once are serialised by a row lock on ``RefreshState`` (per chunk for the full run).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aftersales.tickets.models import TicketEvent

from ..models import RefreshState
from .complaints import complaint_days_since
from .cubes import rebuild_months
from .facts import Calendars, TicketSet, changed_ticket_ids, same_unit_ticket_ids
from .full import STATE, TICKET_CHUNK, Progress, bump_version, ensure_staff_months, full_refresh, locked_state, write_facts
from .rollups import AGE_BANDS, backlog_moment, month_of, rebuild_backlog, rebuild_staff_days

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
    # Whether the run changed a rollup the pages read (``RefreshState.data_version`` moved), and
    # a staff rollup (``staff_version`` moved: the KPI page's figures).
    changed: bool = True
    staff_changed: bool = True


def refresh_tickets(ticket_ids: set[int] | list[int], *, now: dt.datetime) -> tuple[set[dt.date], set[dt.date]]:
    """Recompute the facts of these tickets and their jobs; returns (days, months) touched."""
    calendars = Calendars()
    days: set[dt.date] = set()
    ordered = sorted(ticket_ids)
    for start in range(0, len(ordered), BATCH):
        touched, _written = write_facts(TicketSet.of(ordered[start : start + BATCH]), calendars=calendars, now=now)
        days |= touched
    months = {month_of(d) for d in days}
    return days, months


def analytics_refresh(
    *, full: bool = False, now: dt.datetime | None = None, chunk: int = TICKET_CHUNK, progress: Progress | None = None
) -> RefreshResult:
    """Bring the facts and rollups up to date (see the module docstring). ``full=True``, the first
    run, and a run after a full one stopped part-way take the batched full path
    (``full.full_refresh``, which must not run inside a transaction); the others are one
    transaction over what changed."""
    now = now or timezone.now()
    state = RefreshState.objects.filter(name=STATE).first()
    if full or state is None or state.refreshed_at is None:
        done = full_refresh(now=now, chunk=chunk, progress=progress)
        return RefreshResult(
            tickets=done.tickets,
            staff_days=done.staff_days,
            months=done.months,
            backlog_cells=done.backlog_cells,
            changed=bool(done.staff_days or done.months or done.backlog_cells),
            staff_changed=bool(done.staff_days or done.months or done.backlog_cells),
        )
    with transaction.atomic():
        state = locked_state()
        top_event = TicketEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        since = state.refreshed_at - TIME_MARGIN if state.refreshed_at else None
        ids = changed_ticket_ids(since_event=max(0, state.last_event_id - EVENT_MARGIN), since=since)
        ids |= same_unit_ticket_ids(ids)
        days, months = refresh_tickets(ids, now=now)
        if since is not None:
            days |= complaint_days_since(since)  # complaints about staff count on their own day
        staff_days = rebuild_staff_days(days)
        cube = rebuild_months(months)
        backlog = rebuild_backlog(now=now)
        staff_days += ensure_staff_months(state)
        bump_version(state, staff=staff_days, other=cube + backlog)
        state.last_event_id = top_event
        state.refreshed_at = now
        state.backlog_at = backlog_moment(now)
        state.save(update_fields=["last_event_id", "refreshed_at", "backlog_at"])
    return RefreshResult(
        tickets=len(ids),
        staff_days=staff_days,
        months=cube,
        backlog_cells=backlog,
        changed=bool(staff_days or cube or backlog),
        staff_changed=bool(staff_days),
    )
