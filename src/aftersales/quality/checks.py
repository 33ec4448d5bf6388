"""The Check step of an improvement action: did batches made after the change fail less?

The batches of the action's product model are split by when they were made: a batch's start is
the earliest production date of its registered units (else its first shipment month). Batches
starting on or after the change's effective date — or, when a first batch is named, on or after
that batch's start — are "after"; the others "before". Each side adds its units shipped and its
faulty units (``FaultCount``). So that young batches are not flattered by their short time in
the field, faults are counted only up to the months in service the oldest "after" batch has
reached (the same exposure window on both sides).

The significance test is Fisher's exact test, one-sided (the "after" rate lower), from scipy; the
check passes when p < ``QUALITY_CHECK_ALPHA`` (default 0.05) and the rate fell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Min, Sum

from aftersales.catalog.models import ProductUnit, ShipmentVolume
from aftersales.catalog.warranty import add_months
from aftersales.core import clock

from .models import UNKNOWN_MONTHS, FaultCount, ImprovementAction


def alpha() -> float:
    return float(getattr(settings, "QUALITY_CHECK_ALPHA", 0.05))


@dataclass(frozen=True)
class BatchSide:
    batch: str
    start: dt.date | None
    shipped: int
    faulty_units: int
    after: bool

    @property
    def rate(self) -> float | None:
        return self.faulty_units / self.shipped if self.shipped else None


class SideRates:
    """The fault rate on each side of a change, from the counts a comparison keeps (the check's
    and the measured effect's)."""

    before_units: int
    before_faulty: int
    after_units: int
    after_faulty: int

    @property
    def before_rate(self) -> float | None:
        return self.before_faulty / self.before_units if self.before_units else None

    @property
    def after_rate(self) -> float | None:
        return self.after_faulty / self.after_units if self.after_units else None


@dataclass(frozen=True)
class CheckResult(SideRates):
    before_units: int
    before_faulty: int
    after_units: int
    after_faulty: int
    p_value: float | None
    passed: bool
    window_months: int | None
    batches: list[BatchSide] = field(default_factory=list)
    reason: str = ""  # why no test could be made ("no_model", "no_change_date", "no_after_batches", …)

    def as_detail(self) -> dict[str, object]:
        return {
            "window_months": self.window_months,
            "reason": self.reason,
            "batches": [
                {
                    "batch": b.batch,
                    "start": b.start.isoformat() if b.start else None,
                    "shipped": b.shipped,
                    "faulty_units": b.faulty_units,
                    "after": b.after,
                }
                for b in self.batches
            ],
        }


def _months(start: dt.date, end: dt.date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month)


def compute_check(action: ImprovementAction, *, today: dt.date | None = None) -> CheckResult:
    today = today or clock.local_today()
    empty = CheckResult(0, 0, 0, 0, None, False, None)
    if action.product_model_id is None:
        return CheckResult(**{**empty.__dict__, "reason": "no_model"})
    shipped = dict(
        ShipmentVolume.objects.filter(model_id=action.product_model_id)
        .exclude(batch="")
        .values("batch")
        .annotate(n=Sum("units"))
        .values_list("batch", "n")
    )
    first_shipped = dict(
        ShipmentVolume.objects.filter(model_id=action.product_model_id, batch__in=list(shipped))
        .values("batch")
        .annotate(m=Min("month"))
        .values_list("batch", "m")
    )
    produced = dict(
        ProductUnit.objects.filter(model_id=action.product_model_id, batch__in=list(shipped), production_date__isnull=False)
        .values("batch")
        .annotate(d=Min("production_date"))
        .values_list("batch", "d")
    )
    starts = {b: produced.get(b) or first_shipped.get(b) for b in shipped}
    if action.first_batch:
        cut = starts.get(action.first_batch)
        if cut is None:
            return CheckResult(**{**empty.__dict__, "reason": "unknown_first_batch"})
    elif action.effective_date:
        cut = action.effective_date
    else:
        return CheckResult(**{**empty.__dict__, "reason": "no_change_date"})
    after = {b for b, start in starts.items() if start is not None and start >= cut}
    after_starts = [starts[b] for b in after if starts[b] is not None]
    if not after_starts:
        return CheckResult(**{**empty.__dict__, "reason": "no_after_batches"})
    window = _months(min(d for d in after_starts if d is not None), today)
    # The "before" side is the same span of production just before the change: batches made
    # years earlier (other parts, other suppliers, often no tickets kept) would dilute the rate
    # the change is meant to lower. A batch with no known start has no place on either side.
    since = add_months(cut, -max(window, 1))
    comparable = {b for b, start in starts.items() if start is not None and (b in after or start >= since)}
    shipped = {b: n for b, n in shipped.items() if b in comparable}
    faulty = dict(
        FaultCount.objects.filter(model_id=action.product_model_id, batch__in=list(shipped))
        .exclude(months_in_service=UNKNOWN_MONTHS)
        .filter(months_in_service__lte=window)
        .order_by()
        .values("batch")
        .annotate(u=Sum("units"))
        .values_list("batch", "u")
    )
    sides = sorted(
        (
            BatchSide(
                batch=b, start=starts[b], shipped=int(shipped[b] or 0), faulty_units=int(faulty.get(b) or 0), after=b in after
            )
            for b in shipped
        ),
        key=lambda s: (s.start or dt.date.min, s.batch),
    )
    before_units = sum(s.shipped for s in sides if not s.after)
    before_faulty = sum(s.faulty_units for s in sides if not s.after)
    after_units = sum(s.shipped for s in sides if s.after)
    after_faulty = sum(s.faulty_units for s in sides if s.after)
    if not before_units or not after_units:
        reason = "no_before_batches" if not before_units else "no_after_batches"
        return CheckResult(before_units, before_faulty, after_units, after_faulty, None, False, window, sides, reason)
    table = [
        [before_faulty, max(0, before_units - before_faulty)],
        [after_faulty, max(0, after_units - after_faulty)],
    ]
    from scipy import stats  # imported when used: scipy.stats costs seconds at start-up

    p_value = float(stats.fisher_exact(table, alternative="greater").pvalue)
    fell = after_faulty / after_units < before_faulty / before_units
    return CheckResult(
        before_units, before_faulty, after_units, after_faulty, p_value, bool(fell and p_value < alpha()), window, sides
    )
