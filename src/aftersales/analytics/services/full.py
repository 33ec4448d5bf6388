"""The full refresh, batched: every ticket's facts, then every staff day, month and the backlog,
in key-ordered chunks of one short transaction each, so it scales to 10 million tickets and a
crash costs one chunk.

Phases (kept on ``RefreshState``, so the next run — the nightly job, or the periodic refresh if
no full run ever finished — resumes where the last one stopped):

1. ``facts``: tickets in id order, ``chunk`` at a time: their ticket and job facts are computed
   and upserted (``write_facts``); ``full_ticket_id`` moves to the chunk's last ticket in the
   same transaction.
2. ``days``: every day that has facts or a staff-day row, ``day_chunk`` days at a time: their
   ``StaffDay`` rows are rebuilt from the facts (grouped SQL); ``full_day`` moves with them.
3. ``months``: likewise one month of the dashboard's rollups (``cubes.py``) and of the staff
   months (``staff_months.py``, from the staff days) per transaction, then the backlog recount.

Staff months are also rebuilt with the staff days they sum, in the same transaction (phase 2 and
the incremental refresh), so the two agree at every commit; phase 3 rebuilds them all from the
staff days as the safety net. Every transaction that changed a rollup row moves ``RefreshState.data_version`` (the
pages' cache key); one that found the rows already right writes nothing and moves nothing.

Every chunk's transaction first locks the ``RefreshState`` row, the lock the incremental refresh
holds for its whole run: the two interleave chunk by chunk and never write the same rows at once.
The intake never waits: the refresh reads tickets (read committed) and writes only analytics
tables. A chunk that fails is rolled back whole and redone by the next run; between chunks the
tables are consistent (every fact row is one ticket's complete facts; every rollup row is the sum
of the facts it covers as of its chunk's transaction).

The marks the incremental refresh starts from (``last_event_id``, ``refreshed_at``) only move
back to where the full run started (first run), never past a change: a change after the full
run read a ticket is still found by the next incremental run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from aftersales.tickets.models import Ticket, TicketEvent

from ..models import LEVEL_ALL, JobFact, MonthTotal, RefreshPhase, RefreshState, StaffDay, StaffMonth, TicketFact
from .complaints import next_complaint_day
from .cubes import rebuild_months
from .facts import Calendars, TicketSet, compute_job_facts
from .facts_sql import upsert_ticket_facts
from .rollups import backlog_moment, month_of, rebuild_backlog, rebuild_staff_days
from .staff_months import rebuild_all_staff_months, rebuild_staff_months

TICKET_CHUNK = 2000
DAY_CHUNK = 31
STATE = "default"

Progress = Callable[[str, int], None]

JOB_FACT_FIELDS = [f.name for f in JobFact._meta.concrete_fields if not f.primary_key]


@dataclass(frozen=True)
class FullResult:
    tickets: int
    staff_days: int
    months: int
    backlog_cells: int


def locked_state() -> RefreshState:
    """The refresh's state row, locked until the caller's transaction ends."""
    state, _created = RefreshState.objects.select_for_update().get_or_create(name=STATE)
    return state


def bump_version(state: RefreshState, *, staff: int = 0, other: int = 0) -> None:
    """Move the data versions the pages' caches key on, if this transaction changed rollup rows
    (``staff``: how many staff days and months, ``other``: how many other rollup rows); the
    caller holds the state row's lock."""
    if staff or other:
        state.data_version += 1
        state.staff_version += 1 if staff else 0
        state.save(update_fields=["data_version", "staff_version"])


def ensure_staff_months(state: RefreshState) -> int:
    """Build every month's ``StaffMonth`` rows from the staff days the first time (the table was
    added after staff days existed), in the caller's transaction; returns how many rows changed.
    Later refreshes keep them with the staff days (``rebuild_staff_days``)."""
    if state.staff_months_ready:
        return 0
    changed = rebuild_all_staff_months(atomic=False)
    state.staff_months_ready = True
    state.save(update_fields=["staff_months_ready"])
    return changed


def write_facts(tickets: TicketSet, *, calendars: Calendars, now: dt.datetime) -> tuple[set[dt.date], int]:
    """Recompute and upsert the facts of these tickets and their jobs (``INSERT … SELECT … ON
    CONFLICT DO UPDATE`` for the tickets, a bulk upsert for the jobs; facts of tickets and work
    orders gone are deleted). Returns the days touched (old and new) and how many ticket facts
    were written."""
    facts = TicketFact.objects.filter(tickets.q("ticket_id"))
    job_facts = JobFact.objects.filter(tickets.q("ticket_key"))
    days = set(facts.order_by().values_list("day", flat=True).distinct())
    days |= set(job_facts.order_by().values_list("day", flat=True).distinct())
    facts.exclude(ticket_id__in=Ticket.objects.filter(tickets.q("pk")).values("pk")).delete()
    written = upsert_ticket_facts(tickets, calendars=calendars, now=now)
    jobs = compute_job_facts(tickets, now=now)
    job_facts.exclude(pk__in=[j.work_order_id for j in jobs]).delete()
    JobFact.objects.bulk_create(
        jobs, batch_size=1000, update_conflicts=True, unique_fields=["work_order"], update_fields=JOB_FACT_FIELDS
    )
    days |= set(facts.order_by().values_list("day", flat=True).distinct())
    days |= {j.day for j in jobs}
    return days, written


def _begin(now: dt.datetime) -> None:
    with transaction.atomic():
        state = locked_state()
        if state.full_phase == RefreshPhase.IDLE:
            state.full_phase = RefreshPhase.FACTS
            state.full_started_at = now
            state.full_event_id = TicketEvent.objects.aggregate(m=Max("pk"))["m"] or 0
            state.full_ticket_id = 0
            state.full_day = None
            state.save(update_fields=["full_phase", "full_started_at", "full_event_id", "full_ticket_id", "full_day"])


def _facts_chunk(*, chunk: int, calendars: Calendars, now: dt.datetime) -> int | None:
    """One chunk of phase 1; None when the phase is over (the state then moves to ``days``)."""
    with transaction.atomic():
        state = locked_state()
        if state.full_phase != RefreshPhase.FACTS:
            return None
        ids = list(Ticket.objects.filter(pk__gt=state.full_ticket_id).order_by("pk").values_list("pk", flat=True)[:chunk])
        if not ids:
            state.full_phase = RefreshPhase.DAYS
            state.save(update_fields=["full_phase"])
            return None
        _days, written = write_facts(TicketSet.span(ids[0], ids[-1]), calendars=calendars, now=now)
        state.full_ticket_id = ids[-1]
        state.save(update_fields=["full_ticket_id"])
        return written


def _next_days(after: dt.date | None, limit: int) -> list[dt.date]:
    """The next ``limit`` days after ``after`` that have facts or staff-day rows (to rebuild or
    to clear): per table, day after day, the smallest day after the last one found — one probe
    of its day index each. (A ``DISTINCT day … LIMIT`` reads every row after ``after``: ~10 s a
    chunk at 10 million facts, where these probes take milliseconds.)"""
    days: set[dt.date] = set()
    for qs in (TicketFact.objects.all(), JobFact.objects.all(), StaffDay.objects.all()):
        last = after
        for _ in range(limit):
            day = (qs if last is None else qs.filter(day__gt=last)).aggregate(first=Min("day"))["first"]
            if day is None:
                break
            days.add(day)
            last = day
    last = after
    for _ in range(limit):  # the days of complaints about staff (recorded on revisit calls)
        found = next_complaint_day(last)
        if found is None:
            break
        days.add(found)
        last = found
    return sorted(days)[:limit]


def _next_month(after: dt.date | None) -> dt.date | None:
    """The next month after ``after`` that has facts, staff days or rollup rows (every month with
    dashboard rows has its all-regions total row, so that level's rows find them); one probe of
    an index per table."""
    start = None if after is None else (after + dt.timedelta(days=32)).replace(day=1)
    by_day = [TicketFact.objects.all(), StaffDay.objects.all()]
    by_month = [MonthTotal.objects.filter(level=LEVEL_ALL, region_key=0, category_key=0), StaffMonth.objects.all()]
    found = []
    for qs in by_day:
        day = (qs if start is None else qs.filter(day__gte=start)).aggregate(first=Min("day"))["first"]
        if day is not None:
            found.append(month_of(day))
    for qs in by_month:
        month = (qs if start is None else qs.filter(month__gte=start)).aggregate(first=Min("month"))["first"]
        if month is not None:
            found.append(month)
    return min(found) if found else None


def _days_chunk(*, day_chunk: int) -> int | None:
    with transaction.atomic():
        state = locked_state()
        if state.full_phase != RefreshPhase.DAYS:
            return None
        days = _next_days(state.full_day, day_chunk)
        if not days:
            state.full_phase, state.full_day = RefreshPhase.MONTHS, None
            state.save(update_fields=["full_phase", "full_day"])
            return None
        written = rebuild_staff_days(days)
        state.full_day = days[-1]
        state.save(update_fields=["full_day"])
        bump_version(state, staff=written)
        return written


def _month_chunk() -> int | None:
    with transaction.atomic():
        state = locked_state()
        if state.full_phase != RefreshPhase.MONTHS:
            return None
        month = _next_month(state.full_day)
        if month is None:
            return None
        cube, people = rebuild_months([month]), rebuild_staff_months(month)
        state.full_day = month
        state.save(update_fields=["full_day"])
        bump_version(state, staff=people, other=cube)
        return cube + people


def _finish(now: dt.datetime) -> int:
    with transaction.atomic():
        state = locked_state()
        if state.full_phase != RefreshPhase.MONTHS:
            return 0
        cells = rebuild_backlog(now=now)
        state.backlog_at = backlog_moment(now)
        people = ensure_staff_months(state)
        bump_version(state, staff=people, other=cells)
        started = state.full_started_at or now
        if state.refreshed_at is None:
            # The first run: the incremental refresh starts from where this one started.
            state.last_event_id = state.full_event_id
            state.refreshed_at = started
        elif state.refreshed_at < started:
            # No incremental run since this one started: the next looks back to its start.
            state.refreshed_at = started
        state.full_phase, state.full_started_at, state.full_day = RefreshPhase.IDLE, None, None
        state.full_ticket_id = 0
        state.save()
        return cells + people


def full_refresh(
    *,
    now: dt.datetime | None = None,
    chunk: int = TICKET_CHUNK,
    day_chunk: int = DAY_CHUNK,
    progress: Progress | None = None,
) -> FullResult:
    """Recompute every fact and rollup in chunks (see the module docstring); resumes a full run
    that stopped part-way. Must not run inside a transaction (each chunk commits its own)."""
    now = now or timezone.now()
    _begin(now)
    calendars = Calendars()
    tickets = staff_days = months = 0
    while (written := _facts_chunk(chunk=chunk, calendars=calendars, now=now)) is not None:
        tickets += written
        if progress:
            progress("facts", tickets)
    while (written := _days_chunk(day_chunk=day_chunk)) is not None:
        staff_days += written
        if progress:
            progress("days", staff_days)
    while (written := _month_chunk()) is not None:
        months += written
        if progress:
            progress("months", months)
    cells = _finish(now)
    return FullResult(tickets=tickets, staff_days=staff_days, months=months, backlog_cells=cells)
