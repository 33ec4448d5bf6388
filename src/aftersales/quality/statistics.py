"""Fault statistics, read from the rollups (``FaultSummary``, ``FaultCount``) and the shipment volumes only.

Every function takes ``StatFilters`` (period, region, product category, model, batch), scoped to
the caller by ``filters_for`` (staff who do not see every ticket see their region's figures), and
returns typed rows. No function reads the tickets table: the figures stay as fast at 10 million
tickets as at 1,000: each figure reads the narrow summary of its question (``FaultSummary``, per
region and model — all-time rows without a period, month rows for the months a period covers
whole and week rows for the weeks at its edges), and ``FaultCount`` only under a batch filter
(which the summaries other than the batch's do not carry; ``FaultCount`` is indexed by model and
batch). A period counts whole weeks: those whose Monday falls from monday(since) to until
(``periods.covered_dates``), as the p-chart does.

- **Fault rate per batch** = distinct faulty units (their first fault in the period) ÷ units
  shipped for that model and batch (``catalog.ShipmentVolume``, the region's rows under a region
  filter). A batch without shipments has no rate and is flagged; units of unknown batch and
  fault tickets without a registered unit are counted apart.
- **Time to failure**: per month in service, claims per 1,000 units that had reached that age
  (units shipped at least that many months ago), and the Kaplan–Meier survival (``survival.py``).
- **Pareto** of causes and components; **p-chart** of weekly faulty units over units in the field.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Q, QuerySet, Sum

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel, ShipmentVolume
from aftersales.core import clock
from aftersales.tickets.selectors.scope import sees_every_ticket

from .models import UNKNOWN_MONTHS, FaultCount, FaultSummary, RollupState, SummaryGrain
from .periods import months_q, period_plan, period_q
from .rollup import SUMMARY_FIELDS, SUMMARY_STATE, monday, summary_value
from .survival import kaplan_meier_from_counts

DIMENSIONS = ("model", "batch", "production_month", "factory", "component", "supplier", "cause")
PARETO_DIMENSIONS = ("cause", "component")
MAX_MONTHS = 36
DEFAULT_WEEKS = 26


@dataclass(frozen=True)
class StatFilters:
    since: dt.date | None = None
    until: dt.date | None = None
    region_id: int | None = None
    category_id: int | None = None  # product category
    model_id: int | None = None
    batch: str | None = None
    scoped_out: bool = False  # the caller may see no region at all

    def query(self) -> dict[str, Any]:
        """The filters as the query string of a quality page (for the links behind figures)."""
        q: dict[str, Any] = {}
        if self.since:
            q["since"] = self.since.isoformat()
        if self.until:
            q["until"] = self.until.isoformat()
        for key, value in (("region", self.region_id), ("category", self.category_id), ("model", self.model_id)):
            if value:
                q[key] = value
        if self.batch is not None:
            q["batch"] = self.batch
        return q


def filters_for(user: User, filters: StatFilters) -> StatFilters:
    """The caller's filters within their data scope: a region-bound member of staff sees only their region."""
    if sees_every_ticket(user):
        return filters
    if user.region_id:
        return replace(filters, region_id=user.region_id)
    return replace(filters, scoped_out=True)


def _counts(filters: StatFilters) -> QuerySet[FaultCount]:
    qs = FaultCount.objects.all()
    if filters.scoped_out:
        return qs.none()
    if filters.since:
        qs = qs.filter(week__gte=monday(filters.since))
    if filters.until:
        qs = qs.filter(week__lte=filters.until)
    if filters.region_id:
        qs = qs.filter(region_id=filters.region_id)
    if filters.category_id:
        qs = qs.filter(product_category_id=filters.category_id)
    if filters.model_id:
        qs = qs.filter(model_id=filters.model_id)
    if filters.batch is not None:
        qs = qs.filter(batch=filters.batch)
    return qs.order_by()


def _shipments(filters: StatFilters) -> QuerySet[ShipmentVolume]:
    qs = ShipmentVolume.objects.all()
    if filters.scoped_out:
        return qs.none()
    if filters.region_id:
        qs = qs.filter(region_id=filters.region_id)
    if filters.category_id:
        qs = qs.filter(model__category_id=filters.category_id)
    if filters.model_id:
        qs = qs.filter(model_id=filters.model_id)
    if filters.batch is not None:
        qs = qs.filter(batch=filters.batch)
    return qs.order_by()


Sums = list[int]  # [tickets, units, unitless]


def _place_q(filters: StatFilters) -> Q:
    """The summary rows of the filters' place: one region's, or the rows summed over every region."""
    q = Q(all_regions=False, region_id=filters.region_id) if filters.region_id else Q(all_regions=True)
    if filters.category_id:
        q &= Q(product_category_id=filters.category_id)
    if filters.model_id:
        q &= Q(model_id=filters.model_id)
    return q


_READY = {"weeks": False}  # once the week rows of every question are built, they stay built


def _week_rows_built() -> bool:
    """Whether the summaries hold the week rows of every question: the job builds them on its first
    run after the upgrade (``rollup.SUMMARY_STATE``); until then a period's edge weeks are read
    from ``FaultCount``, as before them."""
    if not _READY["weeks"]:
        _READY["weeks"] = RollupState.objects.filter(name=SUMMARY_STATE).exists()
    return _READY["weeks"]


def _summed(qs: QuerySet[Any], keys: list[str]) -> list[dict[str, Any]]:
    """Σ tickets, units, unitless of ``qs`` per ``keys`` (one row of the whole without keys)."""
    sums = {"t": Sum("tickets"), "u": Sum("units"), "nu": Sum("unitless")}
    if not keys:
        return [{**qs.aggregate(**sums)}]
    return list(qs.order_by().values(*keys).annotate(**sums))


def _grouped(filters: StatFilters, dimension: str, by: tuple[str, ...]) -> dict[tuple[Any, ...], Sums]:
    """Σ tickets, units and unitless tickets of the fault counts within ``filters``, per ``by``
    (``"model"``: the model id, ``"value"``: the dimension's value, typed as in ``FaultCount``).
    Exactly what summing ``_counts(filters)`` per ``by`` gives, read from the summaries."""
    out: dict[tuple[Any, ...], Sums] = defaultdict(lambda: [0, 0, 0])
    if filters.scoped_out:
        return out
    field = SUMMARY_FIELDS[dimension]

    def add(key: tuple[Any, ...], row: dict[str, Any]) -> None:
        acc = out[key]
        acc[0] += int(row["t"] or 0)
        acc[1] += int(row["u"] or 0)
        acc[2] += int(row["nu"] or 0)

    def from_counts(qs: QuerySet[FaultCount]) -> None:
        names = {"model": "model_id", "value": field}
        keys = [names[k] for k in by]
        for row in _summed(qs, keys):  # type: ignore[arg-type]
            add(tuple(row[names[k]] for k in by), row)  # type: ignore[index]

    if filters.batch is not None and dimension != "batch":
        from_counts(_counts(filters))  # the batch is a key of FaultCount, not of this summary
        return out
    summary = FaultSummary.objects.filter(_place_q(filters), dimension=dimension)
    if filters.batch is not None:
        summary = summary.filter(value=filters.batch)
    names = {"model": "model_id", "value": "value"}
    if filters.since is None and filters.until is None:
        summary = summary.filter(grain=SummaryGrain.ALL)
    elif _week_rows_built():
        summary = summary.filter(period_q(filters.since, filters.until))
    else:
        months, edges = period_plan(filters.since, filters.until)
        summary = summary.filter(months_q(months))
        wide = _counts(replace(filters, since=None, until=None))
        for start, end in edges:
            from_counts(wide.filter(week__gte=start, week__lte=end))  # start: maybe not a Monday
    for row in _summed(summary, [names[k] for k in by]):
        add(tuple(summary_value(dimension, row["value"]) if k == "value" else row[names[k]] for k in by), row)
    return out


# --- Fault rate per batch ---------------------------------------------------------------------


@dataclass(frozen=True)
class BatchRate:
    model_id: int | None
    model: str
    batch: str  # "" = unknown batch
    shipped: int | None  # None = no shipment volume recorded (the rate is then unknown)
    faulty_units: int
    tickets: int

    @property
    def rate(self) -> float | None:
        """Faulty units ÷ units shipped; None when nothing was recorded as shipped."""
        return self.faulty_units / self.shipped if self.shipped else None

    @property
    def per_thousand(self) -> float | None:
        return None if self.rate is None else 1000.0 * self.rate

    @property
    def missing_volume(self) -> bool:
        return not self.shipped and bool(self.batch)


@dataclass(frozen=True)
class BatchRates:
    rows: list[BatchRate]  # batches with a known batch number (with or without shipments)
    unknown_batch: list[BatchRate]  # per model: faulty units whose batch is unknown
    unitless_tickets: int  # fault tickets without a registered product unit (no unit to count)

    @property
    def missing_volumes(self) -> list[BatchRate]:
        return [r for r in self.rows if r.missing_volume]


def _model_codes(ids: set[int | None]) -> dict[int | None, str]:
    codes: dict[int | None, str] = {None: "—"}
    codes.update(ProductModel.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "code"))
    return codes


def batch_fault_rates(filters: StatFilters) -> BatchRates:
    faults = {key: {"t": t, "u": u, "nu": nu} for key, (t, u, nu) in _grouped(filters, "batch", ("model", "value")).items()}
    shipped = {
        (row["model_id"], row["batch"]): int(row["n"] or 0)
        for row in _shipments(filters).values("model_id", "batch").annotate(n=Sum("units"))
    }
    keys = set(faults) | set(shipped)
    codes = _model_codes({m for m, _b in keys})
    rows: list[BatchRate] = []
    unknown: list[BatchRate] = []
    unitless = 0
    for key in keys:
        row = faults.get(key, {})
        unitless += int(row.get("nu") or 0)
        item = BatchRate(
            model_id=key[0],
            model=codes.get(key[0], "—"),
            batch=key[1],
            shipped=shipped.get(key) or None,
            faulty_units=int(row.get("u") or 0),
            tickets=int(row.get("t") or 0),
        )
        (rows if key[1] else unknown).append(item)
    rows.sort(key=lambda r: (r.rate is None, -(r.rate or 0.0), r.model, r.batch))
    unknown.sort(key=lambda r: (r.model,))
    return BatchRates(rows=rows, unknown_batch=[r for r in unknown if r.tickets or r.faulty_units], unitless_tickets=unitless)


# --- Counts per dimension and Pareto ----------------------------------------------------------


@dataclass(frozen=True)
class DimensionCount:
    key: Any  # the value filtered on (model id, batch, month, text)
    label: str
    tickets: int
    units: int


_DIMENSION_FIELD = {
    "model": "model_id",
    "batch": "batch",
    "production_month": "production_month",
    "factory": "factory",
    "component": "component",
    "supplier": "supplier",
    "cause": "cause",
}


def counts_by(dimension: str, filters: StatFilters, *, limit: int = 50) -> list[DimensionCount]:
    """Fault tickets and faulty units per ``dimension``, most tickets first."""
    if dimension not in _DIMENSION_FIELD:
        raise ValueError(f"unknown dimension {dimension!r}")
    field = _DIMENSION_FIELD[dimension]
    grouped = _grouped(filters, "total", ("model",)) if dimension == "model" else _grouped(filters, dimension, ("value",))
    # Most tickets first, then by the value (as the database orders it: empty values last).
    ordered = sorted(grouped.items(), key=lambda kv: (-kv[1][0], kv[0][0] is None, kv[0][0] if kv[0][0] is not None else 0))
    rows = [{field: key[0], "t": sums[0], "u": sums[1]} for key, sums in ordered[:limit]]
    codes = _model_codes({r[field] for r in rows}) if dimension == "model" else {}
    result = []
    for row in rows:
        value = row[field]
        if dimension == "model":
            label = codes.get(value, "—")
        elif dimension == "production_month":
            label = value.strftime("%Y-%m") if value else ""
        else:
            label = str(value or "")
        result.append(DimensionCount(key=value, label=label, tickets=int(row["t"] or 0), units=int(row["u"] or 0)))
    return result


def pareto_of(dimension: str, filters: StatFilters, *, limit: int = 15) -> list[DimensionCount]:
    """The Pareto rows (cause or component), most tickets first; tickets of no known cause or
    component are not a bar (``period_totals`` has them)."""
    if dimension not in PARETO_DIMENSIONS:
        raise ValueError(f"unknown Pareto dimension {dimension!r}")
    return [row for row in counts_by(dimension, filters, limit=limit + 1) if row.key][:limit]


# --- p-chart ----------------------------------------------------------------------------------


# A week is judged against its control limits only when the centre line expects at least this many
# faulty units in it (n·p̄ ≥ 5, the usual condition for p̄ ± 3σ limits): below it the binomial is too
# skewed for the normal limits, and a single fault in a quiet week lies "beyond 3σ" by arithmetic
# alone (the first fault ticket on day zero flagged its week). docs/quality.md says the same.
MIN_EXPECTED = 5.0
PPM = 1_000_000  # the p-chart's unit on the page: faulty units per million units in the field


@dataclass(frozen=True)
class ControlPoint:
    week: dt.date
    faulty_units: int
    in_field: int  # units shipped up to that week (the subgroup size)
    p: float | None
    centre: float | None
    upper: float | None
    lower: float | None

    @property
    def expected(self) -> float | None:
        """n·p̄: the faulty units the centre line expects in this week."""
        return None if self.centre is None or not self.in_field else self.in_field * self.centre

    @property
    def judged(self) -> bool:
        """Whether the week has enough data to be judged against its limits (``MIN_EXPECTED``)."""
        return self.expected is not None and self.expected >= MIN_EXPECTED

    @property
    def out_of_control(self) -> bool:
        return (
            self.judged
            and self.p is not None
            and ((self.upper is not None and self.p > self.upper) or (self.lower is not None and self.p < self.lower))
        )


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _shipped_by_month(filters: StatFilters) -> dict[dt.date, int]:
    return {
        row["month"]: int(row["n"] or 0) for row in _shipments(filters).values("month").annotate(n=Sum("units")).order_by("month")
    }


def _weekly_units(filters: StatFilters, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Faulty units per week from ``first`` to ``last``: the week rows of the summary (``FaultCount``
    under a batch filter)."""
    if filters.scoped_out:
        return {}
    if filters.batch is not None:
        wide = _counts(replace(filters, since=first, until=last)).values("week").annotate(u=Sum("units"))
        return {row["week"]: int(row["u"] or 0) for row in wide}
    qs = (
        FaultSummary.objects.filter(_place_q(filters), dimension="total", grain=SummaryGrain.WEEK)
        .filter(period__gte=monday(first), period__lte=last)
        .order_by()
        .values("period")
        .annotate(u=Sum("units"))
    )
    return {row["period"]: int(row["u"] or 0) for row in qs}


def weekly_p_chart(filters: StatFilters, *, today: dt.date | None = None) -> list[ControlPoint]:
    """A p-chart of the weeks of the period (the last 26 weeks by default): the share of the units in
    the field (shipped up to that week's month) whose first fault was in that week, the centre line
    p̄ = Σ faulty ÷ Σ in field and the limits p̄ ± 3·√(p̄(1−p̄)/n) per week (the lower one at least 0).
    A week is out of control only when it is judged (n·p̄ ≥ ``MIN_EXPECTED``, ``ControlPoint``)."""
    today = today or clock.local_today()
    last = monday(filters.until or today)
    first = monday(filters.since) if filters.since else last - dt.timedelta(weeks=DEFAULT_WEEKS - 1)
    weeks: list[dt.date] = []
    week = first
    while week <= last and len(weeks) < 260:
        weeks.append(week)
        week += dt.timedelta(weeks=1)
    faulty = _weekly_units(filters, first, last + dt.timedelta(days=6))
    monthly = sorted(_shipped_by_month(filters).items())
    points_raw: list[tuple[dt.date, int, int]] = []
    for week in weeks:
        in_field = sum(n for month, n in monthly if month <= _month_start(week + dt.timedelta(days=6)))
        points_raw.append((week, int(faulty.get(week) or 0), in_field))
    total_n = sum(n for _w, _x, n in points_raw if n)
    total_x = sum(x for _w, x, n in points_raw if n)
    p_bar = total_x / total_n if total_n else None
    points = []
    for week, x, n in points_raw:
        if not n or p_bar is None:
            points.append(ControlPoint(week, x, n, None, p_bar, None, None))
            continue
        sigma = math.sqrt(p_bar * (1 - p_bar) / n)
        points.append(ControlPoint(week, x, n, x / n, p_bar, p_bar + 3 * sigma, max(0.0, p_bar - 3 * sigma)))
    return points


# --- Time to failure --------------------------------------------------------------------------


@dataclass(frozen=True)
class FailureMonth:
    month: int  # months in service (0 = the first month)
    claims: int  # fault tickets opened in that month of service
    faulty_units: int  # units whose first fault was in that month
    at_risk: int  # units shipped at least ``month`` months ago (the denominator)
    survival: float | None  # Kaplan–Meier: share of units without a fault after this month

    @property
    def per_thousand(self) -> float | None:
        return 1000.0 * self.claims / self.at_risk if self.at_risk else None


@dataclass(frozen=True)
class TimeToFailure:
    months: list[FailureMonth]
    unknown_age_claims: int  # fault tickets whose unit has neither a purchase nor a production date
    shipped: int


def time_to_failure(filters: StatFilters, *, today: dt.date | None = None) -> TimeToFailure:
    today = today or clock.local_today()
    rows = [(key[0], t, u) for key, (t, u, _nu) in _grouped(filters, "months_in_service", ("value",)).items()]
    claims: dict[int, int] = defaultdict(int)
    failures: dict[int, int] = defaultdict(int)
    unknown = 0
    for age, t, u in rows:
        if age == UNKNOWN_MONTHS:
            unknown += int(t or 0)
            continue
        claims[min(age, MAX_MONTHS)] += int(t or 0)
        failures[min(age, MAX_MONTHS)] += int(u or 0)
    shipped_at_age: dict[int, int] = defaultdict(int)
    for month, n in _shipped_by_month(filters).items():
        age = (today.year - month.year) * 12 + today.month - month.month
        if age >= 0:
            shipped_at_age[min(age, MAX_MONTHS)] += n
    horizon = max([*claims, *shipped_at_age, 0])
    survival = kaplan_meier_from_counts(failures=failures, shipped_at_age=shipped_at_age, horizon=horizon)
    months = []
    for m in range(horizon + 1):
        at_risk = sum(n for age, n in shipped_at_age.items() if age >= m)
        months.append(
            FailureMonth(month=m, claims=claims.get(m, 0), faulty_units=failures.get(m, 0), at_risk=at_risk, survival=survival[m])
        )
    return TimeToFailure(months=months, unknown_age_claims=unknown, shipped=sum(shipped_at_age.values()))


def period_totals(filters: StatFilters) -> dict[str, int]:
    t, u, nu = _grouped(filters, "total", ()).get((), [0, 0, 0])
    totals = {"t": t, "u": u, "nu": nu}
    shipped = _shipments(filters).aggregate(n=Sum("units"))["n"]
    return {
        "tickets": int(totals["t"] or 0),
        "units": int(totals["u"] or 0),
        "unitless": int(totals["nu"] or 0),
        "shipped": int(shipped or 0),
    }
