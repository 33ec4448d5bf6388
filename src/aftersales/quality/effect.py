"""The measured effect of an improvement action: did units of batches made after the change fail
less, in the same months in the field, than units of batches made before it?

**Scope** (``scope.py``): a factory's batches, or the batches with a component of a supplier (the
named component), as the production register places them — narrowed to the product model when one
is named; with a model only, every shipped batch of the model. For a supplier the faulty units
counted are those whose component at fault the supplier made in that batch (as its fault rate on
/quality/rates/ counts them); otherwise every faulty unit of the batch.

**Before / after**: a batch's start is the earliest production date of its units, else the
register's production month, else its first shipment month. Batches starting on or after the
effective date (or the named first batch's start) are "after"; "before" are those started in the
same number of months just before it as have passed since it (at least the window), so years of
unrelated production do not dilute the baseline. A batch with no known start is on neither side.

**Equal observation window** of W months in the field (``effect_window_months``, else
``QUALITY_EFFECT_WINDOW_MONTHS``, default 3): a batch counts only once **every** unit of it has
been in the field W whole months (W months after the end of its last shipment month: a "mature"
batch), and only faults within the first W months in service count, on both sides. A batch still
inside its window is listed, with the day it will count, and is in no figure. A batch without a
shipment volume has no denominator and is in no figure either (its count is said); faulty units
of unknown time in service are counted apart.

**Verdict**: "fell" when the after rate is lower and Fisher's exact test (one-sided) gives
p < ``QUALITY_CHECK_ALPHA``; "too early to say" when no after batch is mature yet, or when the
after side's units are too few to show a drop (fewer than ``MIN_EXPECTED`` faulty units expected
at the before rate); otherwise "did not fall". No baseline (no mature before batch) or no scope:
no verdict, with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Max, Min, Sum

from aftersales.catalog.models import ProductModel, ProductUnit, ShipmentVolume
from aftersales.catalog.selectors import BatchFacts, BatchKey
from aftersales.catalog.warranty import add_months
from aftersales.core import clock

from .checks import SideRates, alpha
from .models import UNKNOWN_MONTHS, EffectVerdict, FaultCount, ImprovementAction
from .rates import batch_suppliers
from .scope import same_component, scope_batches

MIN_EXPECTED = 5.0  # after units × before rate below this: too few units to show a drop
MAX_WINDOW = 60
CHUNK = 500


def default_window() -> int:
    return int(getattr(settings, "QUALITY_EFFECT_WINDOW_MONTHS", 3))


def window_of(action: ImprovementAction) -> int:
    return int(action.effect_window_months or default_window())


@dataclass(frozen=True)
class EffectBatch:
    model: str
    batch: str
    start: dt.date | None
    shipped: int
    faulty_units: int
    months_in_field: int  # whole months every unit of the batch has been in the field
    after: bool
    counted: dt.date | None  # None: counted now; else the day it will have been W months in the field

    @property
    def mature(self) -> bool:
        return self.counted is None


@dataclass(frozen=True)
class Effect(SideRates):
    verdict: str  # EffectVerdict value, or "" (cannot be measured: see reason)
    reason: str = ""  # "no_scope", "no_change_date", "unknown_first_batch", "no_batches", "no_after_batches",
    # "not_mature", "no_before_batches", "too_few_units"
    window_months: int = 0
    cut: dt.date | None = None
    before_units: int = 0
    before_faulty: int = 0
    after_units: int = 0
    after_faulty: int = 0
    p_value: float | None = None
    ready_on: dt.date | None = None  # too early: when the first after batch will count
    unshipped_batches: int = 0
    unknown_start_batches: int = 0
    unknown_months_units: int = 0
    batches: list[EffectBatch] = field(default_factory=list)

    def as_detail(self) -> dict[str, Any]:
        def iso(day: dt.date | None) -> str | None:
            return day.isoformat() if day else None

        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "window_months": self.window_months,
            "cut": iso(self.cut),
            "before_units": self.before_units,
            "before_faulty": self.before_faulty,
            "after_units": self.after_units,
            "after_faulty": self.after_faulty,
            "p_value": self.p_value,
            "ready_on": iso(self.ready_on),
            "unshipped_batches": self.unshipped_batches,
            "unknown_start_batches": self.unknown_start_batches,
            "unknown_months_units": self.unknown_months_units,
            "batches": [
                {
                    "model": b.model,
                    "batch": b.batch,
                    "start": iso(b.start),
                    "shipped": b.shipped,
                    "faulty_units": b.faulty_units,
                    "months_in_field": b.months_in_field,
                    "after": b.after,
                    "counted": iso(b.counted),
                }
                for b in self.batches
            ],
        }


def _on_or_after(start: dt.date | None, cut: dt.date) -> bool:
    return start is not None and start >= cut


def _months(start: dt.date, end: dt.date) -> int:
    return max(0, (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0))


def _chunks(keys: list[BatchKey]) -> Any:
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        yield chunk, {m for m, _b in chunk}, {b for _m, b in chunk}


def _scope(action: ImprovementAction) -> tuple[list[BatchKey], dict[BatchKey, BatchFacts]] | None:
    if action.factory or action.supplier:
        facts = scope_batches(
            model_id=action.product_model_id, factory=action.factory, supplier=action.supplier, component=action.component
        )
        return sorted(facts), facts
    if action.product_model_id is None:
        return None
    batches = (
        ShipmentVolume.objects.filter(model_id=action.product_model_id)
        .exclude(batch="")
        .order_by()
        .values_list("batch", flat=True)
        .distinct()
    )
    return sorted((action.product_model_id, b) for b in batches), {}


def _shipments(keys: list[BatchKey]) -> dict[BatchKey, tuple[int, dt.date, dt.date]]:
    """Units shipped, first and last shipment month per batch (batches with a volume only)."""
    out: dict[BatchKey, tuple[int, dt.date, dt.date]] = {}
    wanted = set(keys)
    for _chunk, models, batches in _chunks(keys):
        rows = (
            ShipmentVolume.objects.filter(model_id__in=models, batch__in=batches)
            .values("model_id", "batch")
            .annotate(n=Sum("units"), first=Min("month"), last=Max("month"))
        )
        for r in rows:
            if (r["model_id"], r["batch"]) in wanted and r["n"]:
                out[(r["model_id"], r["batch"])] = (int(r["n"]), r["first"], r["last"])
    return out


def _starts(
    keys: list[BatchKey], facts: dict[BatchKey, BatchFacts], first_shipped: dict[BatchKey, dt.date]
) -> dict[BatchKey, dt.date | None]:
    produced: dict[BatchKey, dt.date] = {}
    for _chunk, models, batches in _chunks(keys):
        rows = (
            ProductUnit.objects.filter(model_id__in=models, batch__in=batches, production_date__isnull=False)
            .values("model_id", "batch")
            .annotate(d=Min("production_date"))
        )
        produced.update({(r["model_id"], r["batch"]): r["d"] for r in rows})
    starts: dict[BatchKey, dt.date | None] = {}
    for key in keys:
        fact = facts.get(key)
        starts[key] = produced.get(key) or (fact.production_month if fact else None) or first_shipped.get(key)
    return starts


def _faults(
    action: ImprovementAction, keys: list[BatchKey], facts: dict[BatchKey, BatchFacts], window: int
) -> tuple[dict[BatchKey, int], int]:
    """Faulty units within the first ``window`` months in service per batch, and those of unknown
    time in service (for a supplier: only faults in its components)."""
    within: dict[BatchKey, int] = defaultdict(int)
    unknown = 0
    wanted = set(keys)
    for _chunk, models, batches in _chunks(keys):
        rows = (
            FaultCount.objects.filter(model_id__in=models, batch__in=batches)
            .filter(months_in_service__lt=window)
            .order_by()
            .values("model_id", "batch", "component", "supplier", "months_in_service")
            .annotate(u=Sum("units"))
        )
        for r in rows:
            key = (r["model_id"], r["batch"])
            if key not in wanted or not r["u"]:
                continue
            if action.supplier:
                if action.supplier not in batch_suppliers(facts[key], r["component"], r["supplier"]):
                    continue
                if action.component and not same_component(action.component, r["component"]):
                    continue
            if r["months_in_service"] == UNKNOWN_MONTHS:
                unknown += int(r["u"])
            else:
                within[key] += int(r["u"])
    return within, unknown


def measure_effect(action: ImprovementAction, *, today: dt.date | None = None) -> Effect:
    today = today or clock.local_today()
    window = max(1, min(window_of(action), MAX_WINDOW))
    found = _scope(action)
    if found is None:
        return Effect("", "no_scope", window)
    keys, facts = found
    shipments = _shipments(keys)
    starts = _starts(keys, facts, {k: v[1] for k, v in shipments.items()})
    if action.first_batch:
        named = [starts[k] for k in keys if k[1] == action.first_batch and starts.get(k)]
        if not named:
            return Effect("", "unknown_first_batch", window)
        cut = min(d for d in named if d is not None)
    elif action.effective_date:
        cut = action.effective_date
    else:
        return Effect("", "no_change_date", window)
    if not keys:
        return Effect("", "no_batches", window, cut)
    since = add_months(cut, -max(_months(cut, today), window, 1))
    shipped_keys = [k for k in keys if k in shipments]
    unknown_start = sum(1 for k in shipped_keys if starts.get(k) is None)
    compared = [k for k in shipped_keys if (s := starts.get(k)) is not None and s >= since]
    faults, unknown_months = _faults(action, compared, facts, window)
    codes = dict(ProductModel.objects.filter(pk__in={m for m, _b in compared}).values_list("pk", "code"))
    rows: list[EffectBatch] = []
    for key in compared:
        units, _first, last = shipments[key]
        in_field_from = add_months(last.replace(day=1), 1)
        counted_from = add_months(in_field_from, window)
        rows.append(
            EffectBatch(
                model=codes.get(key[0], ""),
                batch=key[1],
                start=starts[key],
                shipped=units,
                faulty_units=faults.get(key, 0),
                months_in_field=_months(in_field_from, today) if today >= in_field_from else 0,
                after=_on_or_after(starts[key], cut),
                counted=None if counted_from <= today else counted_from,
            )
        )
    rows.sort(key=lambda b: (b.start or dt.date.min, b.model, b.batch))
    base = Effect(
        "",
        "",
        window,
        cut,
        before_units=sum(b.shipped for b in rows if b.mature and not b.after),
        before_faulty=sum(b.faulty_units for b in rows if b.mature and not b.after),
        after_units=sum(b.shipped for b in rows if b.mature and b.after),
        after_faulty=sum(b.faulty_units for b in rows if b.mature and b.after),
        unshipped_batches=len(keys) - len(shipped_keys),
        unknown_start_batches=unknown_start,
        unknown_months_units=unknown_months,
        batches=rows,
    )
    return _verdict(base)


def _verdict(e: Effect) -> Effect:
    def with_(**changes: Any) -> Effect:
        return Effect(**{**e.__dict__, **changes})

    if not e.after_units:
        waiting = [b.counted for b in e.batches if b.after and b.counted is not None]
        if waiting:
            return with_(verdict=EffectVerdict.TOO_EARLY, reason="not_mature", ready_on=min(waiting))
        return with_(verdict=EffectVerdict.TOO_EARLY, reason="no_after_batches")
    if not e.before_units:
        return with_(reason="no_before_batches")
    table = [
        [e.before_faulty, max(0, e.before_units - e.before_faulty)],
        [e.after_faulty, max(0, e.after_units - e.after_faulty)],
    ]
    from scipy import stats  # imported when used: scipy.stats costs seconds at start-up

    p_value = float(stats.fisher_exact(table, alternative="greater").pvalue)
    before_rate, after_rate = e.before_rate or 0.0, e.after_rate or 0.0
    if after_rate < before_rate and p_value < alpha():
        return with_(verdict=EffectVerdict.FELL, p_value=p_value)
    if e.after_units * before_rate < MIN_EXPECTED:
        return with_(verdict=EffectVerdict.TOO_EARLY, reason="too_few_units", p_value=p_value)
    return with_(verdict=EffectVerdict.NOT_FELL, p_value=p_value)


def suggested_outcome(verdict: str) -> str:
    """The outcome the measured effect suggests when closing ("" when it suggests none)."""
    return {EffectVerdict.FELL: "effective", EffectVerdict.NOT_FELL: "not_effective"}.get(verdict, "")  # type: ignore[call-overload]
