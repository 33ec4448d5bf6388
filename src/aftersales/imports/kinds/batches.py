"""The production register (``catalog.ProductionBatch``): per model and batch, the factory, the
production month and the key components with their suppliers — what the fault rates per factory,
supplier and production month count the shipped units by. One row per batch; the components in one
cell, ``压缩机=凌达; 主控板=拓邦``. An imported batch is the register's: it replaces what was
inferred from the serial units (``source``)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.batches import ComponentsInvalid, components_text, parse_components
from aftersales.catalog.models import BatchComponent, BatchSource, ProductionBatch
from aftersales.core import clock

from ..columns import Column
from .base import Kind, Parsed, insert_rows
from .units import model_table

COMPONENTS = "components"


class ProductionBatchImport(Kind):
    kind = "batches"
    model = ProductionBatch
    key_columns = ("model", "batch")
    compared = ("factory", "production_month", COMPONENTS, "source")
    columns = (
        Column(
            "model",
            _("Model number"),
            "产品型号",
            required=True,
            aliases=("型号", "model", "model code"),
            example="KFR-35GW/BP3DN8Y",
        ),
        Column(
            "batch",
            _("Batch"),
            "批次",
            required=True,
            aliases=("批号", "生产批次", "lot"),
            max_length=64,
            example="B2025-07-A",
        ),
        Column(
            "factory", _("Factory"), "工厂", aliases=("生产工厂", "生产基地", "plant"), max_length=64, example=_("Foshan plant")
        ),
        Column(
            "production_month",
            _("Production month"),
            "生产月份",
            aliases=("生产日期", "production date", "生产年月"),
            example="2025-07",
        ),
        Column(
            COMPONENTS,
            _("Key components"),
            "关键零部件",
            aliases=("零部件供应商", "关键件", "components", "suppliers"),
            example=_("compressor=GMCC; control board=Topband"),
        ),
    )

    def prepare(self) -> None:
        self.models = model_table()

    def clean(self, cells: dict[str, Any]) -> tuple[Hashable, dict[str, Any]]:
        row = self.reader(cells)
        model = row.lookup("model", self.models, "unknown_model")
        batch = row.text("batch")
        values: dict[str, Any] = {"model_id": model, "batch": batch, "source": BatchSource.REGISTER}
        if factory := row.text("factory"):
            values["factory"] = factory
        month = row.month("production_month")
        if month is not None:
            values["production_month"] = month
        raw = row.text(COMPONENTS)
        if raw:
            try:
                values[COMPONENTS] = components_text(parse_components(raw))
            except ComponentsInvalid as exc:
                row.add(COMPONENTS, exc.code, value=exc.value, limit=exc.limit)
        row.done()
        return (model, batch), values

    def existing(self, keys: list[Hashable]) -> dict[Hashable, tuple[int, dict[str, Any]]]:
        wanted = set(keys)
        models = {k[0] for k in keys}  # type: ignore[index]
        batches = {k[1] for k in keys}  # type: ignore[index]
        stored = {
            (model, batch): (pk, {"factory": factory, "production_month": month, "source": source})
            for pk, model, batch, factory, month, source in ProductionBatch.objects.filter(
                model_id__in=models, batch__in=batches
            ).values_list("pk", "model_id", "batch", "factory", "production_month", "source")
            if (model, batch) in wanted
        }
        pairs: dict[int, list[tuple[str, str]]] = {}
        for batch_id, component, supplier in BatchComponent.objects.filter(
            production_batch_id__in=[pk for pk, _v in stored.values()]
        ).values_list("production_batch_id", "component", "supplier"):
            pairs.setdefault(batch_id, []).append((component, supplier))
        for pk, values in stored.values():
            values[COMPONENTS] = components_text(pairs.get(pk, []))
        return stored  # type: ignore[return-value]

    def create(self, rows: list[Parsed], *, actor: User | None) -> list[int]:
        insert_rows(ProductionBatch, [r.values for r in rows], {"updated_at": clock.now()})
        found = self.existing([r.key for r in rows])
        pks = [found[r.key][0] for r in rows]
        _write_components([(pk, r.values.get(COMPONENTS, "")) for pk, r in zip(pks, rows, strict=True)])
        return pks

    def update(self, rows: list[tuple[int, dict[str, Any]]], fields: list[str]) -> list[int]:
        now = clock.now()
        plain = [f for f in fields if f != COMPONENTS]
        ProductionBatch.objects.bulk_update(
            [
                ProductionBatch(pk=pk, updated_at=now, **{k: v for k, v in values.items() if k != COMPONENTS})
                for pk, values in rows
            ],
            [*plain, "updated_at"],
        )
        if COMPONENTS in fields:
            _write_components([(pk, values.get(COMPONENTS, "")) for pk, values in rows])
        return [pk for pk, _values in rows]


def _write_components(rows: list[tuple[int, str]]) -> None:
    """Replace the components of each batch (pk, canonical text) by the text's pairs."""
    BatchComponent.objects.filter(production_batch_id__in=[pk for pk, _t in rows]).delete()
    BatchComponent.objects.bulk_create(
        [
            BatchComponent(production_batch_id=pk, component=component, supplier=supplier)
            for pk, text in rows
            for component, supplier in parse_components(text)
        ],
        batch_size=1000,
    )
