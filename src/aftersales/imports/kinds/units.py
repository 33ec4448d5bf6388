"""Serial units, keyed by their serial number (stored upper case, as ``catalog.unit_register``
does); the owner optional, found by phone among the customers already stored."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel, ProductUnit, SalesChannel, UnitStatus
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer
from aftersales.customers.phones import normalize_phone

from ..columns import Column
from .base import Issue, Kind, Parsed, choice_table, insert_rows

OWNER_PHONE = "_owner_phone"


def model_table() -> dict[str, int]:
    return {code.lower(): pk for pk, code in ProductModel.objects.values_list("pk", "code")}


class UnitImport(Kind):
    kind = "units"
    model = ProductUnit
    key_columns = ("serial_number",)
    compared = ("model_id", "batch", "factory", "production_date", "purchase_date", "sales_channel", "store", "customer_id")
    columns = (
        Column(
            "serial_number",
            _("Serial number"),
            "序列号",
            required=True,
            aliases=("产品序列号", "机身编号", "条码", "sn", "serial"),
            max_length=64,
            example="KT2507SZ000123",
        ),
        Column(
            "model",
            _("Model number"),
            "产品型号",
            required=True,
            aliases=("型号", "model", "model code"),
            example="KFR-35GW/BP3DN8Y",
        ),
        Column("batch", _("Batch"), "批次", aliases=("批号", "生产批次", "lot"), max_length=64, example="B2025-07-A"),
        Column("factory", _("Factory"), "工厂", aliases=("生产工厂", "产地"), max_length=64, example="苏州工厂"),
        Column("production_date", _("Production date"), "生产日期", aliases=("生产时间",), example="2025-07-15"),
        Column("sales_channel", _("Sales channel"), "销售渠道", aliases=("渠道", "channel"), example="online"),
        Column(
            "store",
            _("Store or dealer"),
            "门店/经销商",
            aliases=("门店", "经销商", "store"),
            max_length=128,
            example="京东自营旗舰店",
        ),
        Column("purchase_date", _("Purchase date"), "购买日期", aliases=("购买时间", "销售日期"), example="2025-08-20"),
        Column(
            "owner_phone",
            _("Owner's phone"),
            "用户手机号",
            aliases=("用户电话", "客户手机号", "机主电话", "owner phone"),
            example="13812345678",
        ),
    )

    def prepare(self) -> None:
        self.models = model_table()
        self.channels = choice_table(
            SalesChannel.choices,
            ("线上", SalesChannel.ONLINE),
            ("门店", SalesChannel.STORE),
            ("经销商", SalesChannel.DEALER),
            ("工程", SalesChannel.PROJECT),
        )

    def clean(self, cells: dict[str, Any]) -> tuple[Hashable, dict[str, Any]]:
        row = self.reader(cells)
        serial = row.text("serial_number").upper()
        values: dict[str, Any] = {}
        model = row.lookup("model", self.models, "unknown_model")
        if model is not None:
            values["model_id"] = model
        for name in ("batch", "factory", "store"):
            if value := row.text(name):
                values[name] = value
        produced, bought = row.date("production_date"), row.date("purchase_date")
        if produced is not None:
            values["production_date"] = produced
        if bought is not None:
            values["purchase_date"] = bought
        if produced and bought and bought < produced:
            row.add("purchase_date", "dates_inconsistent")
        channel = row.choice("sales_channel", self.channels, SalesChannel.labels)
        if channel:
            values["sales_channel"] = channel
        raw_phone = row.text("owner_phone")
        if raw_phone:
            try:
                values[OWNER_PHONE] = normalize_phone(raw_phone)
            except ValidationFailed:
                row.add("owner_phone", "phone_invalid", value=raw_phone[:40])
        row.done()
        values["serial_number"] = serial
        return serial, values

    def resolve(self, rows: list[Parsed]) -> dict[int, list[Issue]]:
        phones = {r.values[OWNER_PHONE] for r in rows if OWNER_PHONE in r.values}
        owners: dict[str, int] = {}
        if phones:
            for pk, phone in Customer.objects.filter(phone__in=phones).order_by("-pk").values_list("pk", "phone"):
                owners[phone] = pk
        issues: dict[int, list[Issue]] = {}
        for r in rows:
            phone = r.values.pop(OWNER_PHONE, None)
            if phone is None:
                continue
            if phone in owners:
                r.values["customer_id"] = owners[phone]
            else:
                issues[r.row] = [Issue("owner_phone", "unknown_owner", {"value": phone})]
        return issues

    def existing(self, keys: list[Hashable]) -> dict[Hashable, tuple[int, dict[str, Any]]]:
        rows = ProductUnit.objects.filter(serial_number__in=keys).values("pk", "serial_number", *self.compared)
        return {r["serial_number"]: (r["pk"], {n: r[n] for n in self.compared}) for r in rows}

    def create(self, rows: list[Parsed], *, actor: User | None) -> list[int]:
        now = clock.now()
        insert_rows(ProductUnit, [r.values for r in rows], {"created_at": now, "status": UnitStatus.IN_SERVICE})
        pks = dict(ProductUnit.objects.filter(serial_number__in=[r.key for r in rows]).values_list("serial_number", "pk"))
        return [pks[str(r.key)] for r in rows]

    def update(self, rows: list[tuple[int, dict[str, Any]]], fields: list[str]) -> list[int]:
        ProductUnit.objects.bulk_update([ProductUnit(pk=pk, **values) for pk, values in rows], fields)
        return [pk for pk, _values in rows]
