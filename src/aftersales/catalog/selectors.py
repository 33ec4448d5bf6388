from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .models import BatchComponent, ProductionBatch, ProductUnit

CHUNK = 500


def unit_find_by_serial(*, serial_number: str) -> ProductUnit | None:
    serial = (serial_number or "").strip().upper()
    if not serial:
        return None
    return (
        ProductUnit.objects.select_related("model__category", "model__warranty_policy", "customer")
        .filter(serial_number=serial)
        .first()
    )


def unit_ids_by_serial(*, serial_number: str) -> list[int]:
    """The id of the unit with this serial number (as the catalogue keeps them: upper case), or
    none: one probe of the serial number's unique index, nothing else read."""
    serial = (serial_number or "").strip().upper()
    if not serial:
        return []
    return list(ProductUnit.objects.filter(serial_number=serial).values_list("id", flat=True)[:1])


@dataclass(frozen=True)
class BatchFacts:
    """What the production register knows of one batch (a model's batch number)."""

    factory: str  # "" = unknown
    production_month: dt.date | None
    components: tuple[tuple[str, str], ...]  # (component, supplier)
    source: str  # BatchSource


BatchKey = tuple[int, str]  # (model id, batch)


def batch_register(keys: Iterable[BatchKey]) -> dict[BatchKey, BatchFacts]:
    """The register's facts of ``keys`` (a batch it does not hold is absent)."""
    wanted = set(keys)
    found: dict[BatchKey, tuple[int, str, dt.date | None, str]] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        rows = ProductionBatch.objects.filter(model_id__in={m for m, _b in chunk}, batch__in={b for _m, b in chunk}).values_list(
            "pk", "model_id", "batch", "factory", "production_month", "source"
        )
        for pk, model_id, batch, factory, month, source in rows:
            if (model_id, batch) in wanted:
                found[(model_id, batch)] = (pk, factory, month, source)
    pairs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    ids = [v[0] for v in found.values()]
    for start in range(0, len(ids), CHUNK):
        for batch_id, component, supplier in BatchComponent.objects.filter(
            production_batch_id__in=ids[start : start + CHUNK]
        ).values_list("production_batch_id", "component", "supplier"):
            pairs[batch_id].append((component, supplier))
    return {
        key: BatchFacts(factory=factory, production_month=month, components=tuple(sorted(pairs.get(pk, []))), source=source)
        for key, (pk, factory, month, source) in found.items()
    }


def registered_batches(
    *,
    model_ids: Iterable[int] | None = None,
    factory: str | None = None,
    production_month: dt.date | None = None,
    supplier: str | None = None,
) -> dict[BatchKey, BatchFacts]:
    """The register's batches made in ``factory`` / in ``production_month`` / with a component of
    ``supplier`` ("" or a None month: the batches the register holds without one)."""
    qs = ProductionBatch.objects.order_by()
    if model_ids is not None:
        qs = qs.filter(model_id__in=list(model_ids))
    if factory is not None:
        qs = qs.filter(factory=factory)
    if production_month is not None:
        qs = qs.filter(production_month=production_month)
    if supplier is not None:
        qs = qs.filter(components__supplier=supplier)
    return batch_register(qs.values_list("model_id", "batch").distinct())
