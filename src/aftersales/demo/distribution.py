"""How bulk tickets are spread in time and which status a ticket of a given age is in.

Pure functions of a seeded ``random.Random`` and an injected ``now``; nothing here touches the
database, so the shapes are tested directly.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from django.utils import timezone

# Requests by hour of the local day: quiet at night, peaks mid-morning and mid-afternoon.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 7, 8, 10, 10, 9, 8, 7, 8, 7, 5, 3, 2)
_HOUR_CUM = list(accumulate(HOUR_WEIGHTS))
WEEKDAY_FACTORS = (1.15, 1.1, 1.05, 1.0, 1.0, 0.9, 0.8)  # Monday first: problems pile up over the weekend
MONTH_FACTORS = (0.85, 0.75, 0.9, 0.95, 1.0, 1.15, 1.4, 1.35, 1.05, 0.95, 1.0, 0.95)  # air-conditioner summer

# Status weights by age in days (upper bound of the bucket): young tickets are open, old ones done.
AGE_BUCKETS: tuple[tuple[float, dict[str, float]], ...] = (
    (1, {"registered": 30, "verifying": 22, "awaiting_info": 8, "analysing": 12, "planning": 6, "awaiting_approval": 2,
         "awaiting_customer": 4, "in_progress": 6, "resolved": 2, "rejected": 2, "cancelled": 3, "merged": 3}),
    (3, {"registered": 4, "verifying": 10, "awaiting_info": 9, "analysing": 13, "planning": 11, "awaiting_approval": 6,
         "awaiting_customer": 10, "in_progress": 17, "on_hold": 4, "resolved": 7, "closed": 3, "rejected": 2,
         "cancelled": 2, "merged": 2}),
    (7, {"verifying": 3, "awaiting_info": 6, "analysing": 6, "planning": 6, "awaiting_approval": 4,
         "awaiting_customer": 6, "in_progress": 16, "on_hold": 7, "resolved": 18, "reopened": 1, "closed": 20,
         "rejected": 3, "cancelled": 3, "merged": 1}),
    (30, {"awaiting_info": 2, "analysing": 1, "planning": 1, "awaiting_approval": 1, "awaiting_customer": 1,
          "in_progress": 4, "on_hold": 3, "resolved": 8, "reopened": 2, "closed": 66, "rejected": 5, "cancelled": 5,
          "merged": 1}),
    (math.inf, {"in_progress": 0.3, "on_hold": 0.3, "resolved": 0.5, "reopened": 0.3, "closed": 87, "rejected": 5,
                "cancelled": 5, "merged": 1.6}),
)  # fmt: skip
# Changes a ticket in each status has been through (assignment, transitions): its row version.
CHANGES = {
    "registered": 0, "verifying": 2, "awaiting_info": 3, "analysing": 3, "planning": 4, "awaiting_approval": 5,
    "awaiting_customer": 5, "in_progress": 7, "on_hold": 8, "resolved": 8, "awaiting_acceptance": 9,
    "reopened": 9, "closed": 9,
    "rejected": 2, "cancelled": 3, "merged": 2,
}  # fmt: skip
FINAL_CLOSED = frozenset({"closed", "rejected", "cancelled", "merged"})
WAS_RESOLVED = frozenset({"resolved", "awaiting_acceptance", "closed", "reopened"})


def day_weights(first: dt.date, days: int) -> list[float]:
    """Relative volume of each day: growing 60 % → 100 % over the period, by weekday and month."""
    weights = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        trend = 0.6 + 0.4 * (i / max(days - 1, 1))
        weights.append(trend * WEEKDAY_FACTORS[day.weekday()] * MONTH_FACTORS[day.month - 1])
    return weights


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def spread_over_days(total: int, *, days: int, rng: random.Random, now: dt.datetime) -> Iterator[tuple[dt.datetime, dt.date]]:
    """``total`` (moment, local day) pairs over the last ``days`` local days, oldest first, none
    after ``now``; within a day in time order, so numbers rise with time."""
    zone = timezone.get_default_timezone()
    today = timezone.localtime(now, zone).date()
    first = today - dt.timedelta(days=days - 1)
    for i, count in enumerate(allocate(total, day_weights(first, days))):
        if not count:
            continue
        day = first + dt.timedelta(days=i)
        start = dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
        limit = min(86_400.0, (now - start).total_seconds() - 60)
        seconds = []
        for _ in range(count):
            second = rng.choices(range(24), cum_weights=_HOUR_CUM)[0] * 3600 + rng.random() * 3600
            seconds.append(second if second < limit else rng.random() * max(limit, 1.0))
        seconds.sort()
        for second in seconds:
            yield start + dt.timedelta(seconds=second), day


@dataclass(frozen=True)
class Timestamps:
    first_response: dt.datetime | None
    resolved: dt.datetime | None
    closed: dt.datetime | None
    updated: dt.datetime
    escalation: int
    version: int


class BulkStatusPicker:
    """Draws a status for a ticket's age and the timestamps that go with it."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.bounds = [bound for bound, _weights in AGE_BUCKETS]
        self.options = [(list(weights), list(accumulate(weights.values()))) for _bound, weights in AGE_BUCKETS]

    def pick(self, age_days: float) -> str:
        statuses, cum = self.options[min(bisect_right(self.bounds, age_days), len(self.bounds) - 1)]
        return self.rng.choices(statuses, cum_weights=cum)[0]

    def timestamps(self, status: str, created: dt.datetime, now: dt.datetime, rng: random.Random) -> Timestamps:
        latest = now - dt.timedelta(minutes=1)

        def after(start: dt.datetime, hours: float) -> dt.datetime:
            return max(start, min(start + dt.timedelta(hours=hours), latest))

        first = None
        if status != "registered" or rng.random() < 0.3:
            first = after(created, rng.uniform(0.1, 8) if rng.random() < 0.85 else rng.uniform(8, 40))
        resolved = after(first or created, rng.lognormvariate(math.log(40), 0.8)) if status in WAS_RESOLVED else None
        closed = None
        if status == "closed":
            closed = after(resolved or created, rng.uniform(12, 96))
        elif status in FINAL_CLOSED:
            closed = after(first or created, rng.uniform(0.5, 72))
        escalation = 1 if status == "reopened" or (status == "closed" and rng.random() < 0.05) else 0
        last = closed or resolved or first or created
        if status not in FINAL_CLOSED and status not in {"resolved", "awaiting_acceptance"}:
            last = after(last, rng.uniform(0, 72))
        if status == "reopened":
            last = after(resolved or last, rng.uniform(24, 96))
        return Timestamps(first, resolved, closed, last, escalation, 1 + CHANGES[status] + 2 * escalation)
