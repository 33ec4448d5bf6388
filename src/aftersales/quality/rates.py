"""Fault rates per factory, per supplier and per production month (SPEC §5): faulty units ÷ units
shipped of the batches the production register places there (``catalog.ProductionBatch``: per model
and batch, its factory, production month and key components with their suppliers; imported, edited
in the admin, or inferred from the serial units where the register holds nothing).

Both sides count **batches**, so they agree: a batch's faulty units (their first fault in the
period, as the fault rate per batch counts them: ``statistics.batch_fault_rates``) and its units
shipped (``ShipmentVolume``, the region's rows under a region filter) go to the batch's factory and
production month as the register says.

- **Per factory / production month** = Σ faulty units ÷ Σ units shipped over the group's batches
  that have a shipment volume. A batch with faults and no shipment volume has no denominator: its
  faulty units are counted apart (``unshipped_units``), never divided by a guess. Batches the
  register does not place (no register row, or no factory / month) form the "unknown" row, which
  has no rate either; faulty units of no batch number are counted apart (``unknown_batch_units``).
- **Per supplier** = faulty units whose component at fault is one the supplier made *in that batch*
  (``catalog.models.component_matches``: the register's component is the fault's component, its
  part number or its name; or the appraisal named the supplier) ÷ units shipped of the batches with
  a component of the supplier (a batch counts once per supplier). Faults of a batch with registered
  components whose component is none of them are ``unattributed_units``; batches without registered
  components are the "unknown" row.

Read from the summaries (the per-batch figures) and, for the supplier's component, from
``FaultCount`` limited to the registered batches (indexed by model and batch).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Sum

from aftersales.catalog.models import component_matches
from aftersales.catalog.selectors import BatchFacts, BatchKey, batch_register

from .statistics import StatFilters, _counts, _grouped, _shipments

RATE_DIMENSIONS = ("factory", "supplier", "production_month")
CHUNK = 500


@dataclass
class GroupRate:
    dimension: str
    key: Any  # a factory, a supplier, a month (date); None: the register does not say
    batches: int = 0  # batches of the group with a shipment volume
    shipped: int = 0
    faulty_units: int = 0  # in those batches
    tickets: int = 0
    unshipped_batches: int = 0  # batches of the group with faults and no shipment volume
    unshipped_units: int = 0  # their faulty units (in no rate)

    @property
    def label(self) -> str:
        if isinstance(self.key, dt.date):
            return self.key.strftime("%Y-%m")
        return str(self.key or "")

    @property
    def rate(self) -> float | None:
        """Faulty units ÷ units shipped; None without a shipped unit or for the unknown row."""
        return self.faulty_units / self.shipped if self.shipped and self.key is not None else None

    @property
    def per_thousand(self) -> float | None:
        return None if self.rate is None else 1000.0 * self.rate


@dataclass
class GroupRates:
    dimension: str
    rows: list[GroupRate]  # the known groups: by production month oldest first, else highest rate first
    unknown: GroupRate | None  # batches the register does not place (no rate)
    unknown_batch_units: int = 0  # faulty units without a batch number
    unattributed_units: int = 0  # supplier: faulty units whose component no registered supplier made
    batch_count: int = field(default=0)  # batches with faults or shipments under the filters

    @property
    def unshipped_units(self) -> int:
        return sum(r.unshipped_units for r in self.rows)


def _batch_figures(filters: StatFilters) -> tuple[dict[BatchKey, tuple[int, int]], dict[BatchKey, int], int]:
    """Per (model, batch): (fault tickets, faulty units) and units shipped; and the faulty units
    of no batch number."""
    faults: dict[BatchKey, tuple[int, int]] = {}
    no_batch = 0
    for (model_id, batch), (t, u, _nu) in _grouped(filters, "batch", ("model", "value")).items():
        if model_id is None or not batch:
            no_batch += u
            continue
        faults[(model_id, batch)] = (t, u)
    shipped: dict[BatchKey, int] = {}
    for row in _shipments(filters).exclude(batch="").values("model_id", "batch").annotate(n=Sum("units")):
        shipped[(row["model_id"], row["batch"])] = int(row["n"] or 0)
    return faults, shipped, no_batch


def _add(group: GroupRate, shipped: int, tickets: int, units: int) -> None:
    if shipped:
        group.batches += 1
        group.shipped += shipped
        group.faulty_units += units
        group.tickets += tickets
    elif tickets or units:
        group.unshipped_batches += 1
        group.unshipped_units += units
        group.tickets += tickets


def _ordered(dimension: str, groups: dict[Any, GroupRate]) -> tuple[list[GroupRate], GroupRate | None]:
    unknown = groups.pop(None, None)
    rows = list(groups.values())
    if dimension == "production_month":
        rows.sort(key=lambda r: r.key)
    else:
        rows.sort(key=lambda r: (r.rate is None, -(r.rate or 0.0), r.label))
    return rows, unknown


def group_rates(dimension: str, filters: StatFilters) -> GroupRates:
    """The fault rates per ``dimension`` ("factory", "production_month", "supplier")."""
    if dimension not in RATE_DIMENSIONS:
        raise ValueError(f"unknown rate dimension {dimension!r}")
    faults, shipped, no_batch = _batch_figures(filters)
    keys = set(faults) | set(shipped)
    facts = batch_register(keys)
    if dimension == "supplier":
        return _supplier_rates(filters, faults, shipped, facts, no_batch, len(keys))
    groups: dict[Any, GroupRate] = {}
    for key in keys:
        fact = facts.get(key)
        value: Any = None
        if fact is not None:
            value = (fact.factory or None) if dimension == "factory" else fact.production_month
        group = groups.setdefault(value, GroupRate(dimension, value))
        t, u = faults.get(key, (0, 0))
        _add(group, shipped.get(key, 0), t, u)
    rows, unknown = _ordered(dimension, groups)
    return GroupRates(dimension, rows, unknown, unknown_batch_units=no_batch, batch_count=len(keys))


def _component_faults(filters: StatFilters, keys: list[BatchKey]) -> list[dict[str, Any]]:
    """Fault tickets and faulty units per (model, batch, component, supplier) of ``keys``."""
    out: list[dict[str, Any]] = []
    wanted = set(keys)
    base = _counts(filters)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = (
            base.filter(model_id__in={m for m, _b in chunk}, batch__in={b for _m, b in chunk})
            .values("model_id", "batch", "component", "supplier")
            .annotate(t=Sum("tickets"), u=Sum("units"))
        )
        out.extend(r for r in rows if (r["model_id"], r["batch"]) in wanted)
    return out


def batch_suppliers(fact: BatchFacts, component: str, supplier: str) -> set[str]:
    """The suppliers of a batch a fault counts for: those whose registered component is the fault's
    component, and the supplier the appraisal named if it supplied the batch."""
    found = {s for c, s in fact.components if component_matches(component, c)}
    if supplier and supplier in {s for _c, s in fact.components}:
        found.add(supplier)
    return found


def _supplier_rates(
    filters: StatFilters,
    faults: dict[BatchKey, tuple[int, int]],
    shipped: dict[BatchKey, int],
    facts: dict[BatchKey, BatchFacts],
    no_batch: int,
    batch_count: int,
) -> GroupRates:
    groups: dict[Any, GroupRate] = {}
    placed = sorted(k for k in set(faults) | set(shipped) if k in facts and facts[k].components)
    for key in set(faults) | set(shipped):
        if key in facts and facts[key].components:
            continue
        t, u = faults.get(key, (0, 0))
        _add(groups.setdefault(None, GroupRate("supplier", None)), shipped.get(key, 0), t, u)
    per_supplier: dict[str, dict[BatchKey, list[int]]] = defaultdict(dict)  # supplier → batch → [t, u]
    for key in placed:
        for _c, supplier in facts[key].components:
            per_supplier[supplier].setdefault(key, [0, 0])
    unattributed = 0
    for row in _component_faults(filters, placed):
        key = (row["model_id"], row["batch"])
        suppliers = batch_suppliers(facts[key], row["component"], row["supplier"])
        if not suppliers:
            unattributed += int(row["u"] or 0)
        for supplier in suppliers:
            acc = per_supplier[supplier][key]
            acc[0] += int(row["t"] or 0)
            acc[1] += int(row["u"] or 0)
    for supplier, batches in per_supplier.items():
        group = groups.setdefault(supplier, GroupRate("supplier", supplier))
        for key, (t, u) in batches.items():
            _add(group, shipped.get(key, 0), t, u)
    rows, unknown = _ordered("supplier", groups)
    return GroupRates(
        "supplier", rows, unknown, unknown_batch_units=no_batch, unattributed_units=unattributed, batch_count=batch_count
    )


def supplier_fault_q(facts: dict[BatchKey, BatchFacts], supplier: str) -> Q:
    """The fault records a supplier's rate counts (for the tickets behind the figure): of its
    batches, whose component is one it made there or whose appraisal named it."""
    q = Q(pk__in=[])
    for (model_id, batch), fact in facts.items():
        made = Q(supplier=supplier)
        for component, by in fact.components:
            if by == supplier:
                made |= Q(component__iexact=component) | Q(component__istartswith=component + " ")
                made |= Q(component__iendswith=" " + component)
        q |= Q(model_id=model_id, batch=batch) & made
    return q


def batches_q(keys: Any) -> Q:
    """The fault records of the batches ``keys`` ((model id, batch) pairs)."""
    q = Q(pk__in=[])
    for model_id, batch in keys:
        q |= Q(model_id=model_id, batch=batch)
    return q
