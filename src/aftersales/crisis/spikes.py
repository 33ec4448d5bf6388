"""Spike detection: tickets per model, batch, region, category and component against their own baseline.

Method (docs/crisis.md): at a moment ``now``, for every key (a batch, a model, a category, a
region) with tickets in the last ``LONG_WINDOW`` hours, and for each window W of ``WINDOWS``
(1 h and 6 h), two tests must both reject "nothing unusual" at ``ALPHA``:

* **volume** — observed ``n`` (the key's tickets in (now − W, now]) against the key's own rate in
  the ``BASELINE_DAYS`` days before the long window (never below ``FLOOR_PER_DAY`` a day: a new
  batch has no history): Poisson upper tail ``P(X ≥ n | λ = rate × W)``;
* **share** — the key's ``n`` among all ``N`` tickets of the window against its share of the
  baseline (Laplace-smoothed, ``(b + 1) / (B + 2)``): binomial upper tail ``P(X ≥ n | N, share)``.
  A busy day (every key up together: a holiday, a campaign, a backlog entered at once) is no
  crisis; a cluster on one key is.

and ``n ≥ MIN_COUNT``.

**Component.** No component is known when a ticket is registered: it is recorded later, when a
technician fits a part on one of the ticket's work orders (``parts.PartUsage``) or an appraiser
signs a report naming the component at fault (``appraisal.Appraisal.component``). A component's
"tickets in a window" are therefore the tickets on which that part was recorded in the window
(each ticket once per part), its baseline the same count over the baseline days, and its share
the part's among every part recorded. Both sources sit below crisis in the import layers and are
read directly (not through quality's rollup, which lags by its job's period). A component spike
is a wave of repairs or appraisals of one part: it is seen when the parts are recorded, not at
intake (the intake scan, ``only=ticket``, has no component to look at).

One query reads the recent tickets; baselines are counted only for keys
that passed ``MIN_COUNT``, so a sweep costs one query on a quiet day. Only tickets registered at
or before ``now`` are read, which is what lets a test replay history through the clock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from aftersales.appraisal.models import Appraisal
from aftersales.parts.models import PartUsage
from aftersales.tickets.models import Ticket

from .models import Dimension

WINDOWS = (dt.timedelta(hours=1), dt.timedelta(hours=6))
LONG_WINDOW = max(WINDOWS)
BASELINE_DAYS = 28
FLOOR_PER_DAY = 0.5
MIN_COUNT = 5
ALPHA = 1e-6

# Field of the ticket per dimension, from the most specific (a batch) to the broadest.
FIELDS: dict[str, str] = {
    Dimension.BATCH: "reported_batch",
    Dimension.MODEL: "product_model_id",
    Dimension.CATEGORY: "category_id",
    Dimension.REGION: "region_id",
}
# The dimensions in the order alerts are listed, the component (known after intake) last.
ORDER = (*FIELDS, Dimension.COMPONENT)


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), summed from k upwards in log space."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    total = 0.0
    for i in range(k, n + 1):
        total += math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q)
    return min(1.0, total)


def poisson_upper_tail(n: int, lam: float) -> float:
    """P(X ≥ n) for X ~ Poisson(λ), summed from n upwards in log space (exact for small tails)."""
    if n <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    log_term = -lam + n * math.log(lam) - math.lgamma(n + 1)
    total = 0.0
    k = n
    term = math.exp(log_term)
    while term > 1e-300 and k < n + 1000:
        total += term
        k += 1
        term *= lam / k
        if term < total * 1e-15:
            break
    return min(1.0, total)


@dataclass
class Spike:
    dimension: str
    key: str
    observed: int
    expected: float
    p_value: float
    window_hours: int
    ticket_ids: list[int] = field(default_factory=list)


def _key_filter(dimension: str, key: str) -> Q:
    return Q(**{FIELDS[dimension]: key})


def _recent(now: dt.datetime, only: Ticket | None) -> list[dict]:
    qs = Ticket.objects.filter(created_at__gt=now - LONG_WINDOW, created_at__lte=now)
    if only is not None:
        keys = Q()
        for dimension, name in FIELDS.items():
            value = getattr(only, name)
            if value not in (None, ""):
                keys |= _key_filter(dimension, value)
        if not keys:
            return []
        qs = qs.filter(keys)
    return list(qs.values("pk", "created_at", *FIELDS.values()))


def component_records(lo: dt.datetime, hi: dt.datetime, *, part: str | None = None) -> dict[tuple[int, str], dt.datetime]:
    """(ticket, part) → the latest moment in (lo, hi] the part was recorded on the ticket: fitted
    on one of its work orders or named by a signed appraisal as the component at fault."""
    usages = PartUsage.objects.filter(created_at__gt=lo, created_at__lte=hi)
    appraisals = Appraisal.objects.filter(component__isnull=False, signed_at__gt=lo, signed_at__lte=hi)
    if part is not None:
        usages = usages.filter(part_id=part)
        appraisals = appraisals.filter(component_id=int(part))
    found: dict[tuple[int, str], dt.datetime] = {}
    rows = [
        *usages.values_list("work_order__ticket_id", "part_id", "created_at"),
        *appraisals.values_list("ticket_id", "component_id", "signed_at"),
    ]
    for ticket_id, part_id, moment in rows:
        pair = (ticket_id, str(part_id))
        if moment is not None and (pair not in found or moment > found[pair]):
            found[pair] = moment
    return found


def _component_count(lo: dt.datetime, hi: dt.datetime, part: str | None = None) -> int:
    """Tickets (once per part) with a part recorded in (lo, hi]; every part's when ``part`` is None."""
    if part is not None:
        return len(component_records(lo, hi, part=part))
    usages = PartUsage.objects.filter(created_at__gt=lo, created_at__lte=hi).values("work_order__ticket_id", "part_id")
    appraisals = Appraisal.objects.filter(component__isnull=False, signed_at__gt=lo, signed_at__lte=hi).values(
        "ticket_id", "component_id"
    )
    # A part both fitted and named by an appraisal counts twice in this total: it only smooths
    # the share (the denominator), and does so the same way in the baseline and the window.
    return usages.distinct().count() + appraisals.distinct().count()


def _counter(dimension: str, key: str) -> Callable[[dt.datetime, dt.datetime], int]:
    """The key's tickets in the baseline [lo, hi) (by registration; a component's by part record, in (lo, hi])."""
    if dimension == Dimension.COMPONENT:
        return lambda lo, hi: _component_count(lo, hi, key)
    return lambda lo, hi: Ticket.objects.filter(_key_filter(dimension, key), created_at__gte=lo, created_at__lt=hi).count()


def scan(*, now: dt.datetime, only: Ticket | None = None) -> list[Spike]:
    """The keys spiking at ``now`` (``only``: just the keys of that ticket, for intake)."""
    rows = _recent(now, only)
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        for dimension, name in FIELDS.items():
            value = row[name]
            if value in (None, ""):
                continue
            if only is not None and str(getattr(only, name)) != str(value):
                continue
            groups[(dimension, str(value))].append(row)
    if only is None:
        for (ticket_id, part), moment in component_records(now - LONG_WINDOW, now).items():
            groups[(Dimension.COMPONENT, part)].append({"pk": ticket_id, "created_at": moment})
    spikes: list[Spike] = []
    baseline_end = now - LONG_WINDOW
    baseline_start = baseline_end - dt.timedelta(days=BASELINE_DAYS)
    totals: dict[tuple[str, str], int] = {}

    def total(name: str, dimension: str, lo: dt.datetime, hi: dt.datetime) -> int:
        """Every key's tickets in the range (the share's denominator), per family of dimensions."""
        family = "component" if dimension == Dimension.COMPONENT else "ticket"
        if (name, family) not in totals:
            if family == "component":
                totals[(name, family)] = _component_count(lo, hi)
            elif name == "baseline":
                totals[(name, family)] = Ticket.objects.filter(created_at__gte=lo, created_at__lt=hi).count()
            else:
                totals[(name, family)] = Ticket.objects.filter(created_at__gt=lo, created_at__lte=hi).count()
        return totals[(name, family)]

    for (dimension, key), members in groups.items():
        if len(members) < MIN_COUNT:
            continue
        history = _counter(dimension, key)(baseline_start, baseline_end)
        base_total = total("baseline", dimension, baseline_start, baseline_end)
        rate = max(history / (BASELINE_DAYS * 24), FLOOR_PER_DAY / 24)
        share = (history + 1) / (base_total + 2)
        best: Spike | None = None
        for window in WINDOWS:
            inside = [m for m in members if m["created_at"] > now - window]
            if len(inside) < MIN_COUNT:
                continue
            hours = window.total_seconds() / 3600
            expected = rate * hours
            p_volume = poisson_upper_tail(len(inside), expected)
            if p_volume >= ALPHA:
                continue
            window_total = total(f"w{hours}", dimension, now - window, now)
            p_share = binomial_upper_tail(len(inside), window_total, share)
            p_value = max(p_volume, p_share)
            if p_value < ALPHA and (best is None or p_value < best.p_value):
                best = Spike(
                    dimension=dimension,
                    key=key,
                    observed=len(inside),
                    expected=round(expected, 4),
                    p_value=p_value,
                    window_hours=int(hours),
                    ticket_ids=sorted(m["pk"] for m in inside),
                )
        if best is not None:
            spikes.append(best)
    order = list(ORDER)
    spikes.sort(key=lambda s: (order.index(s.dimension), s.p_value))
    return spikes


def curve(*, dimension: str, key: str, now: dt.datetime, hours: int = 24) -> list[dict[str, object]]:
    """The key's tickets per hour over the last ``hours`` hours (the evidence's curve)."""
    start = now - dt.timedelta(hours=hours)
    times: Iterable[dt.datetime]
    if dimension == Dimension.COMPONENT:
        times = component_records(start, now, part=key).values()
    else:
        times = Ticket.objects.filter(_key_filter(dimension, key), created_at__gt=start, created_at__lte=now).values_list(
            "created_at", flat=True
        )
    counts = [0] * hours
    for moment in times:
        index = min(hours - 1, int((moment - start).total_seconds() // 3600))
        counts[index] += 1
    return [{"hour": (start + dt.timedelta(hours=i + 1)).isoformat(), "count": c} for i, c in enumerate(counts)]


def replay(
    *, start: dt.datetime, end: dt.datetime, step: dt.timedelta = dt.timedelta(hours=1)
) -> list[tuple[dt.datetime, Spike]]:
    """Run the scan at every step from ``start`` to ``end`` over the stored history, writing
    nothing: what the detector would have raised (its false alarms, on a quiet history)."""
    raised: list[tuple[dt.datetime, Spike]] = []
    moment = start
    while moment <= end:
        raised.extend((moment, spike) for spike in scan(now=moment))
        moment += step
    return raised
