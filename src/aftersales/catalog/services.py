"""Writes for the catalog."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record, audit_record_many
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer

from .audit_actions import CatalogAudit
from .models import BatchSource, ProductionBatch, ProductModel, ProductUnit


@transaction.atomic
def unit_register(
    *,
    serial_number: str,
    model: ProductModel,
    batch: str = "",
    factory: str = "",
    production_date: dt.date | None = None,
    purchase_date: dt.date | None = None,
    sales_channel: str = "",
    store: str = "",
    customer: Customer | None = None,
    actor: User | None = None,
) -> ProductUnit:
    """Register a serial unit. Serial numbers are stored upper-case and must be unique."""
    serial = (serial_number or "").strip().upper()
    if not serial:
        raise ValidationFailed({"serial_number": [_("Enter the serial number.")]}, code="serial_required")
    too_long = {
        name: [_("At most %(limit)d characters.") % {"limit": limit}]
        for name, value, limit in (
            ("serial_number", serial, 64),
            ("batch", batch, 64),
            ("factory", factory, 64),
            ("store", store, 128),
        )
        if len(value or "") > limit
    }
    if too_long:
        raise ValidationFailed(too_long, code="unit_invalid")
    if ProductUnit.objects.filter(serial_number=serial).exists():
        raise ValidationFailed(
            {"serial_number": [_("A unit with this serial number is already registered.")]}, code="serial_taken"
        )
    if production_date and purchase_date and purchase_date < production_date:
        raise ValidationFailed(
            {"purchase_date": [_("The purchase date is before the production date.")]}, code="dates_inconsistent"
        )
    unit = ProductUnit.objects.create(
        serial_number=serial,
        model=model,
        batch=batch,
        factory=factory,
        production_date=production_date,
        purchase_date=purchase_date,
        sales_channel=sales_channel,
        store=store,
        customer=customer,
    )
    audit_record(action=CatalogAudit.UNIT_REGISTERED, obj=unit, actor=actor)
    return unit


INFER_CHUNK = 500


def _chunked(keys: list[tuple[int, str]], size: int = INFER_CHUNK) -> list[list[tuple[int, str]]]:
    return [keys[i : i + size] for i in range(0, len(keys), size)]


def _unit_facts(keys: list[tuple[int, str]]) -> dict[tuple[int, str], tuple[str, dt.date | None]]:
    """Per (model, batch): the factory and the production month its serial units agree on ("" and
    None where they name none, or more than one: a mixed batch is not guessed)."""
    wanted = set(keys)
    units = ProductUnit.objects.filter(model_id__in={m for m, _b in keys}, batch__in={b for _m, b in keys}).order_by()
    factories: dict[tuple[int, str], set[str]] = {}
    for model_id, batch, factory in units.exclude(factory="").values_list("model_id", "batch", "factory").distinct():
        if (model_id, batch) in wanted:
            factories.setdefault((model_id, batch), set()).add(factory)
    months: dict[tuple[int, str], dt.date | None] = {}
    for row in units.values("model_id", "batch").annotate(lo=Min("production_date"), hi=Max("production_date")):
        key = (row["model_id"], row["batch"])
        lo, hi = row["lo"], row["hi"]
        if key in wanted and lo is not None and hi is not None and (lo.year, lo.month) == (hi.year, hi.month):
            months[key] = lo.replace(day=1)
    out: dict[tuple[int, str], tuple[str, dt.date | None]] = {}
    for key in keys:
        found = factories.get(key, set())
        out[key] = (next(iter(found)) if len(found) == 1 else "", months.get(key))
    return out


@transaction.atomic
def production_batches_infer(*, units_since: dt.datetime | None = None) -> int:
    """Fill the production register from the serial units (``ProductUnit``: batch, factory,
    production date) for every batch of the units registered since ``units_since`` (every batch
    without it) that the register does not hold from an import or the admin: the register wins, a
    batch inferred before is inferred again. A factory or month is taken only when every unit of
    the batch that names one agrees. Returns the batches created or changed (each audited)."""
    units = ProductUnit.objects.exclude(batch="").order_by()
    if units_since is not None:
        units = units.filter(created_at__gte=units_since)
    keys = sorted(set(units.values_list("model_id", "batch").distinct()))
    created: list[tuple[object, str, dict[str, object]]] = []
    changed: list[tuple[object, str, dict[str, object]]] = []
    for chunk in _chunked(keys):
        stored = {
            (b.model_id, b.batch): b
            for b in ProductionBatch.objects.filter(model_id__in={m for m, _b in chunk}, batch__in={b for _m, b in chunk})
        }
        todo = [k for k in chunk if k not in stored or stored[k].source == BatchSource.UNITS]
        for key, (factory, month) in _unit_facts(todo).items():
            row = stored.get(key)
            if row is None:
                if not factory and month is None:
                    continue
                row = ProductionBatch.objects.create(
                    model_id=key[0], batch=key[1], factory=factory, production_month=month, source=BatchSource.UNITS
                )
                created.append((row.pk, key[1], {"factory": factory, "production_month": month.isoformat() if month else None}))
            elif (row.factory, row.production_month) != (factory, month):
                before = {"factory": row.factory, "production_month": row.production_month}
                row.factory, row.production_month = factory, month
                row.save(update_fields=["factory", "production_month", "updated_at"])
                changes: dict[str, object] = {
                    name: [str(before[name] or ""), str(value or "")]
                    for name, value in (("factory", factory), ("production_month", month))
                    if before[name] != value
                }
                changed.append((row.pk, key[1], changes))
    for entries in (created, changed):
        if entries:
            audit_record_many(action=CatalogAudit.BATCH_INFERRED, object_type=ProductionBatch._meta.label_lower, entries=entries)
    return len(created) + len(changed)
