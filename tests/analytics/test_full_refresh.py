"""The batched, set-based full refresh gives exactly the facts and rollups of the old one-
transaction, per-fact computation (``reference``), resumes after a crash between chunks from a
consistent state, and interleaves safely with the incremental refresh."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.analytics.models import RefreshPhase, RefreshState, StaffDay, TicketFact
from aftersales.analytics.services import analytics_refresh, full
from aftersales.analytics.services.facts import TicketSet
from aftersales.analytics.services.rollups import _minutes, minute_key
from aftersales.sla.models import Calendar, SlaMetric
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.states import TicketStatus

from .fixtures import _clock, _survey, _ticket, at, build_world
from .reference import reference_full_refresh, snapshot

pytestmark = pytest.mark.django_db
NOW = at(2025, 11, 1, 0)


@pytest.fixture
def world():
    w = build_world()
    cal = Calendar.objects.get(name="工作日")
    # Durations on half minutes (Python rounds them half to even: 0, 2, 2, 4 minutes), a ticket
    # nobody is assigned, a resolved one with a survey, across two days and both agents.
    for i, seconds in enumerate((30, 90, 150, 210)):
        start = at(2025, 10, 20 + i % 2, 10)
        t = _ticket(start, assignee=w.wang if i % 2 else w.li, team=w.team if i % 2 else None, region=w.east)
        _clock(t, cal, SlaMetric.FIRST_RESPONSE, start, start + dt.timedelta(seconds=seconds))
    t = _ticket(at(2025, 10, 21, 9), region=w.west)
    _clock(t, cal, SlaMetric.FIRST_RESPONSE, at(2025, 10, 21, 9), None)
    t = _ticket(at(2025, 10, 22, 9), assignee=w.li, region=w.west, status=TicketStatus.RESOLVED, resolved_at=at(2025, 10, 23, 9))
    _clock(t, cal, SlaMetric.RESOLUTION, at(2025, 10, 22, 9), at(2025, 10, 23, 9, 0, 30), paused=600)
    _survey(t, "tok-x", overall=4, speed=5, attitude=1, professionalism=4, result=4)
    return w


def _reference() -> dict:
    reference_full_refresh(now=NOW)
    return snapshot()


def test_minutes_round_like_python(world):
    fact_id = world.a.pk
    analytics_refresh(now=NOW)
    for seconds in (0, 29, 30, 31, 59, 60, 89, 90, 91, 150, 210, 270, 3599, 3630, 5430, 61230):
        TicketFact.objects.filter(pk=fact_id).update(fr_seconds=seconds)
        got = TicketFact.objects.filter(pk=fact_id).annotate(m=_minutes("fr_seconds")).values_list("m", flat=True).get()
        assert str(got) == minute_key(seconds), seconds


@pytest.mark.parametrize("chunk", [1, 3, 2000])
def test_batched_refresh_equals_the_one_transaction_refresh(world, chunk):
    expected = _reference()
    assert expected["staff_days"] and expected["month_totals"] and expected["month_models"] and expected["job_facts"]
    # Start from stale rollups and facts: the batched run must overwrite and clear them.
    StaffDay.objects.create(day=dt.date(2025, 10, 2), kind="agent", user_key=world.li.pk, handled=9)
    TicketFact.objects.filter(pk=world.b.pk).update(cost_total=1, fr_seconds=1)
    steps: list[tuple[str, int]] = []
    result = analytics_refresh(full=True, now=NOW, chunk=chunk, progress=lambda phase, n: steps.append((phase, n)))
    assert snapshot() == expected
    tickets = Ticket.objects.count()
    assert result.tickets == tickets
    assert [n for phase, n in steps if phase == "facts"][-1] == tickets
    assert len([s for s in steps if s[0] == "facts"]) == -(-tickets // chunk)
    state = RefreshState.objects.get()
    assert (state.full_phase, state.full_started_at, state.refreshed_at) == (RefreshPhase.IDLE, None, NOW)


def test_a_crash_between_chunks_leaves_a_consistent_resumable_state(world, monkeypatch):
    expected = _reference()
    ids = sorted(Ticket.objects.values_list("pk", flat=True))
    real = full.write_facts
    calls: list = []

    def crash_on_third(tickets, **kwargs):
        calls.append(tickets)
        if len(calls) == 3:
            raise RuntimeError("killed")
        return real(tickets, **kwargs)

    monkeypatch.setattr(full, "write_facts", crash_on_third)
    later = NOW + dt.timedelta(hours=1)
    with pytest.raises(RuntimeError):
        analytics_refresh(full=True, now=later, chunk=2)
    state = RefreshState.objects.get()
    assert (state.full_phase, state.full_ticket_id, state.full_started_at) == (RefreshPhase.FACTS, ids[3], later)
    # The two committed chunks are recomputed whole; the failed third left nothing behind.
    done = set(TicketFact.objects.filter(computed_at=later).values_list("pk", flat=True))
    assert done == set(ids[:4])
    assert snapshot()["staff_days"] == expected["staff_days"]  # rollups untouched so far
    # The next run resumes at the fourth chunk, not at the start, and ends equal to the reference.
    monkeypatch.setattr(full, "write_facts", lambda tickets, **kw: (calls.append(tickets), real(tickets, **kw))[1])
    calls.clear()
    analytics_refresh(full=True, now=later, chunk=2)
    assert calls[0] == TicketSet.span(ids[4], ids[5])
    assert calls[-1] == TicketSet.span(ids[-2], ids[-1]) if len(ids) % 2 == 0 else TicketSet.span(ids[-1], ids[-1])
    got = snapshot()
    assert {k: v for k, v in got.items() if k not in ("ticket_facts", "job_facts")} == {
        k: v for k, v in expected.items() if k not in ("ticket_facts", "job_facts")
    }
    assert TicketFact.objects.exclude(computed_at=later).count() == 0
    assert RefreshState.objects.get().full_phase == RefreshPhase.IDLE


def test_a_crash_in_the_rollup_phase_resumes_there(world, monkeypatch):
    expected = _reference()
    real = full.rebuild_staff_days
    monkeypatch.setattr(full, "rebuild_staff_days", lambda days: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        analytics_refresh(full=True, now=NOW, chunk=100)
    assert RefreshState.objects.get().full_phase == RefreshPhase.DAYS
    monkeypatch.setattr(full, "write_facts", lambda *a, **k: pytest.fail("facts are done"))
    monkeypatch.setattr(full, "rebuild_staff_days", real)
    analytics_refresh(now=NOW)  # the periodic job finishes the first full run
    assert snapshot() == expected
    state = RefreshState.objects.get()
    assert state.full_phase == RefreshPhase.IDLE and state.refreshed_at == NOW


def test_the_incremental_refresh_interleaves_with_a_full_run(world):
    analytics_refresh(now=NOW)
    ids = sorted(Ticket.objects.values_list("pk", flat=True))
    moved = False

    def between_chunks(phase: str, _n: int) -> None:
        nonlocal moved
        if phase == "facts" and not moved:
            # Ticket D (already past the full run's cursor or not) changes hands meanwhile.
            moved = True
            Ticket.objects.filter(pk=world.d.pk).update(assignee=world.wang)
            TicketEvent.objects.create(ticket=world.d, kind=EventKind.ASSIGNMENT, created_at=NOW)
            analytics_refresh(now=NOW + dt.timedelta(minutes=5))

    analytics_refresh(full=True, now=NOW + dt.timedelta(minutes=1), chunk=2, progress=between_chunks)
    assert moved and ids
    assert TicketFact.objects.get(pk=world.d.pk).assignee_key == world.wang.pk
    got = snapshot()
    expected = _reference()
    strip = ("ticket_facts", "job_facts")  # computed_at differs; the figures must not
    assert {k: v for k, v in got.items() if k not in strip} == {k: v for k, v in expected.items() if k not in strip}
    # The incremental run's marks were not moved back by the full run that started before it.
    assert RefreshState.objects.get().refreshed_at == NOW + dt.timedelta(minutes=5)
