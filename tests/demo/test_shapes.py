"""The demo's pure parts: story paths obey the transition table; bulk volumes and timestamps are sane."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from aftersales.demo import generate
from aftersales.demo.bulk import bulk_phone
from aftersales.demo.distribution import BulkStatusPicker, allocate, spread_over_days
from aftersales.demo.stories import plan_path
from aftersales.tickets.states import TRANSITIONS, TicketStatus

NOW = dt.datetime(2026, 11, 24, 3, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("target", list(TicketStatus))
def test_every_story_path_is_allowed_by_the_transition_table(target):
    for seed in range(40):
        path = plan_path(target, random.Random(seed), approval=seed % 2 == 0)
        current = TicketStatus.REGISTERED
        for step in path:
            assert step in TRANSITIONS[current], f"{current} → {step} in {path}"
            current = step
        assert current == target


def test_allocation_splits_the_total_exactly():
    weights = [random.Random(1).random() + 0.1 for _ in range(730)]
    for total in (0, 1, 729, 2000, 1_000_003):
        counts = allocate(total, weights)
        assert sum(counts) == total
        assert min(counts) >= 0


def test_bulk_moments_are_in_the_past_in_order_and_within_the_period():
    moments = list(spread_over_days(5000, days=730, rng=random.Random(7), now=NOW))
    assert len(moments) == 5000
    assert all(moment <= NOW for moment, _day in moments)
    assert [m for m, _d in moments] == sorted(m for m, _d in moments)
    zone = timezone.get_default_timezone()
    today = NOW.astimezone(zone).date()
    assert all(timezone.localtime(moment, zone).date() == day for moment, day in moments)
    assert min(day for _m, day in moments) >= today - dt.timedelta(days=729)
    assert max(day for _m, day in moments) == today, "recent days are the busiest, so today has tickets"


def test_old_tickets_are_mostly_closed_and_new_ones_open():
    picker = BulkStatusPicker(random.Random(3))
    old = [picker.pick(200) for _ in range(2000)]
    new = [picker.pick(0.2) for _ in range(2000)]
    assert old.count("closed") / len(old) > 0.8
    assert new.count("closed") == 0
    assert new.count("registered") / len(new) > 0.2


@pytest.mark.parametrize("status", [s.value for s in TicketStatus])
def test_bulk_timestamps_follow_each_other(status):
    rng = random.Random(status)
    picker = BulkStatusPicker(rng)
    for age_hours in (0.5, 30, 24 * 40):
        created = NOW - dt.timedelta(hours=age_hours)
        times = picker.timestamps(status, created, NOW, rng)
        moments = [t for t in (times.first_response, times.resolved, times.closed) if t is not None]
        assert all(created <= m <= NOW for m in [*moments, times.updated])
        if times.resolved and times.first_response:
            assert times.first_response <= times.resolved
        if status in {"closed", "rejected", "cancelled", "merged"}:
            assert times.closed is not None
        if status in {"resolved", "closed", "reopened"}:
            assert times.resolved is not None


def test_generated_phone_numbers_are_valid_and_bulk_ones_never_repeat():
    rng = random.Random(11)
    assert all(generate.is_valid_cn_mobile(generate.mobile_e164(rng).removeprefix("+86")) for _ in range(500))
    bulk = [bulk_phone(counter) for counter in range(1, 50_001)]
    assert len(set(bulk)) == len(bulk)
    assert all(p.startswith("+861") and len(p) == 14 for p in bulk)
