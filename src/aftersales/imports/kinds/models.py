"""Product models, keyed by their model number."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductCategory, ProductModel, WarrantyPolicy

from ..columns import Column
from .base import Kind, Parsed


class ProductModelImport(Kind):
    kind = "models"
    model = ProductModel
    key_columns = ("code",)
    compared = ("name", "category_id", "warranty_policy_id", "launched_on", "active")
    columns = (
        Column(
            "code",
            _("Model number"),
            "产品型号",
            required=True,
            aliases=("型号", "model", "model code"),
            max_length=64,
            example="KFR-35GW/BP3DN8Y",
        ),
        Column(
            "name",
            _("Product name"),
            "产品名称",
            required=True,
            aliases=("名称", "型号名称", "name"),
            max_length=128,
            example="1.5匹变频挂壁式空调",
        ),
        Column(
            "category",
            _("Product category"),
            "品类",
            required=True,
            aliases=("产品类别", "类别", "category"),
            example="air-conditioner",
        ),
        Column("warranty_policy", _("Warranty policy"), "保修政策", aliases=("保修",), example="整机三年"),
        Column("launched_on", _("Launched on"), "上市日期", aliases=("上市时间",), example="2024-03-01"),
        Column("active", _("On sale"), "在售", aliases=("是否在售", "active"), example=_("yes")),
    )

    def prepare(self) -> None:
        self.categories: dict[str, int] = {}
        for pk, code, name, name_en in ProductCategory.objects.values_list("pk", "code", "name", "name_en"):
            self.categories.update({code.lower(): pk, name.lower(): pk})
            if name_en:
                self.categories[name_en.lower()] = pk
        self.policies = {name.lower(): pk for pk, name in WarrantyPolicy.objects.values_list("pk", "name")}

    def clean(self, cells: dict[str, Any]) -> tuple[Hashable, dict[str, Any]]:
        row = self.reader(cells)
        code = row.text("code")
        values: dict[str, Any] = {"name": row.text("name")}
        category = row.lookup("category", self.categories, "unknown_category")
        if category is not None:
            values["category_id"] = category
        policy = row.lookup("warranty_policy", self.policies, "unknown_policy")
        if policy is not None:
            values["warranty_policy_id"] = policy
        launched = row.date("launched_on")
        if launched is not None:
            values["launched_on"] = launched
        active = row.yes_no("active")
        if active is not None:
            values["active"] = active
        row.done()
        values["code"] = code
        return code, values

    def existing(self, keys: list[Hashable]) -> dict[Hashable, tuple[int, dict[str, Any]]]:
        rows = ProductModel.objects.filter(code__in=keys).values("pk", "code", *self.compared)
        return {r["code"]: (r["pk"], {n: r[n] for n in self.compared}) for r in rows}

    def create(self, rows: list[Parsed], *, actor: User | None) -> list[int]:
        return [m.pk for m in ProductModel.objects.bulk_create([ProductModel(**r.values) for r in rows])]

    def update(self, rows: list[tuple[int, dict[str, Any]]], fields: list[str]) -> list[int]:
        ProductModel.objects.bulk_update([ProductModel(pk=pk, **values) for pk, values in rows], fields)
        return [pk for pk, _values in rows]
