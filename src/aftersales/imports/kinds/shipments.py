"""Shipment volumes (the fault rate's denominator), keyed by model, batch, month and region
(no region: the whole market)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.models import ShipmentVolume
from aftersales.core import clock

from ..columns import Column
from .base import Kind, Parsed, insert_rows, region_table
from .units import model_table


class ShipmentImport(Kind):
    kind = "shipments"
    model = ShipmentVolume
    key_columns = ("model", "batch", "month", "region")
    compared = ("units",)
    columns = (
        Column(
            "model",
            _("Model number"),
            "产品型号",
            required=True,
            aliases=("型号", "model", "model code"),
            example="KFR-35GW/BP3DN8Y",
        ),
        Column("batch", _("Batch"), "批次", aliases=("批号", "生产批次", "lot"), max_length=64, example="B2025-07-A"),
        Column("month", _("Month"), "月份", required=True, aliases=("出货月份", "发货月份", "销售月份"), example="2025-08"),
        Column("region", _("Region"), "区域", aliases=("大区",), example="east"),
        Column(
            "units",
            _("Units shipped"),
            "出货数量",
            required=True,
            aliases=("数量", "台数", "销量", "units", "quantity"),
            example="1200",
        ),
    )

    def prepare(self) -> None:
        self.models = model_table()
        self.regions = region_table()

    def clean(self, cells: dict[str, Any]) -> tuple[Hashable, dict[str, Any]]:
        row = self.reader(cells)
        model = row.lookup("model", self.models, "unknown_model")
        batch = row.text("batch")
        month = row.month("month")
        region = row.lookup("region", self.regions, "unknown_region")
        units = row.integer("units")  # not negative
        row.done()
        values = {"model_id": model, "batch": batch, "month": month, "region_id": region, "units": units}
        return (model, batch, month, region), values

    def existing(self, keys: list[Hashable]) -> dict[Hashable, tuple[int, dict[str, Any]]]:
        wanted = set(keys)
        models = {k[0] for k in keys}  # type: ignore[index]
        months = {k[2] for k in keys}  # type: ignore[index]
        found: dict[Hashable, tuple[int, dict[str, Any]]] = {}
        rows = ShipmentVolume.objects.filter(model_id__in=models, month__in=months).values_list(
            "pk", "model_id", "batch", "month", "region_id", "units"
        )
        for pk, model, batch, month, region, units in rows.iterator(chunk_size=5000):
            key = (model, batch, month, region)
            if key in wanted:
                found[key] = (pk, {"units": units})
        return found

    def create(self, rows: list[Parsed], *, actor: User | None) -> list[int]:
        insert_rows(ShipmentVolume, [r.values for r in rows], {"updated_at": clock.now()})
        found = self.existing([r.key for r in rows])
        return [found[r.key][0] for r in rows]

    def update(self, rows: list[tuple[int, dict[str, Any]]], fields: list[str]) -> list[int]:
        now = clock.now()
        ShipmentVolume.objects.bulk_update(
            [ShipmentVolume(pk=pk, updated_at=now, **values) for pk, values in rows], [*fields, "updated_at"]
        )
        return [pk for pk, _values in rows]
