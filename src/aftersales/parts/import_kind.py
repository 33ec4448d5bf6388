"""The spare parts import (备件目录), keyed by the part number: a kind of ``aftersales.imports``
(named there by its dotted path, ``imports.kinds.KIND_PATHS``, since ``imports`` sits below
``parts``). Reads, compares and writes like the other kinds: one query per chunk, new parts in
one statement, changed ones with ``bulk_update``.

The compatible product models are a list of model numbers in one cell (separated by commas,
semicolons, 、 or spaces); a filled cell replaces the part's list, an empty one keeps it. Stock is
not imported here: quantities move only through the stock documents (receipts), which write the
ledger."""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel
from aftersales.imports.columns import Column
from aftersales.imports.kinds.base import Kind, Parsed

from .models import Part

MODELS = "compatible_models"  # not a column of ``Part``: the many-to-many list, as a frozenset of ids
MAX_WARRANTY_MONTHS = 120
_LIST_SEPARATORS = re.compile(r"[,，;；、\s]+")


class PartImport(Kind):
    kind = "parts"
    model = Part
    key_columns = ("number",)
    compared = ("name", "unit_cost", "unit_price", "warranty_months", "active", MODELS)
    columns = (
        Column(
            "number",
            _("Part number"),
            "备件编号",
            required=True,
            aliases=("备件号", "物料编码", "物料号", "配件编号", "part number", "part no", "number"),
            max_length=40,
            example="P-COMP-35",
        ),
        Column(
            "name",
            _("Part name"),
            "备件名称",
            required=True,
            aliases=("名称", "物料名称", "配件名称", "name"),
            max_length=128,
            example="压缩机 1.5匹",
        ),
        Column(
            "unit_cost",
            _("Unit cost"),
            "单位成本",
            required=True,
            aliases=("成本价", "成本", "采购价", "cost"),
            example="420.00",
        ),
        Column(
            "unit_price",
            _("Unit price"),
            "单价",
            required=True,
            aliases=("销售价", "价格", "零售价", "收费价", "price"),
            example="680.00",
        ),
        Column(
            "warranty_months",
            _("Part warranty (months)"),
            "备件保修期（月）",
            aliases=("备件保修月数", "保修月数", "配件保修期", "warranty months"),
            example="3",
        ),
        Column("active", _("Active"), "启用", aliases=("是否启用", "有效", "active"), example=_("yes")),
        Column(
            "compatible_models",
            _("Compatible models"),
            "适用型号",
            aliases=("适配型号", "适用机型", "compatible models", "models"),
            example="KFR-35GW/BP3DN8Y, KFR-26GW/BP3DN8Y",
        ),
    )

    def prepare(self) -> None:
        self.models = {code.lower(): pk for pk, code in ProductModel.objects.values_list("pk", "code")}

    def clean(self, cells: dict[str, Any]) -> tuple[Hashable, dict[str, Any]]:
        row = self.reader(cells)
        number = row.text("number").strip()
        values: dict[str, Any] = {"number": number, "name": row.text("name")}
        values["unit_cost"] = row.amount("unit_cost")
        values["unit_price"] = row.amount("unit_price")
        months = row.integer("warranty_months", low=0, high=MAX_WARRANTY_MONTHS)
        if months is not None:
            values["warranty_months"] = months
        active = row.yes_no("active")
        if active is not None:
            values["active"] = active
        listed = [code for code in _LIST_SEPARATORS.split(row.text("compatible_models")) if code]
        if listed:
            unknown = [code for code in listed if code.lower() not in self.models]
            if unknown:
                row.add("compatible_models", "unknown_model", value="、".join(unknown)[:60])
            else:
                values[MODELS] = frozenset(self.models[code.lower()] for code in listed)
        row.done()
        return number, values

    def existing(self, keys: list[Hashable]) -> dict[Hashable, tuple[int, dict[str, Any]]]:
        fields = [f for f in self.compared if f != MODELS]
        found: dict[Hashable, tuple[int, dict[str, Any]]] = {}
        by_pk: dict[int, dict[str, Any]] = {}
        for r in Part.objects.filter(number__in=keys).values("pk", "number", *fields):
            current = {n: r[n] for n in fields}
            current[MODELS] = frozenset()
            found[r["number"]] = (r["pk"], current)
            by_pk[r["pk"]] = current
        if by_pk:
            through = Part.compatible_models.through
            pairs: dict[int, set[int]] = {}
            for part_id, model_id in through.objects.filter(part_id__in=list(by_pk)).values_list("part_id", "productmodel_id"):
                pairs.setdefault(part_id, set()).add(model_id)
            for part_id, models in pairs.items():
                by_pk[part_id][MODELS] = frozenset(models)
        return found

    def create(self, rows: list[Parsed], *, actor: User | None) -> list[int]:
        Part.objects.bulk_create([Part(**{k: v for k, v in r.values.items() if k != MODELS}) for r in rows])
        pks = dict(Part.objects.filter(number__in=[r.key for r in rows]).values_list("number", "pk"))
        _set_models([(pks[r.values["number"]], r.values[MODELS]) for r in rows if MODELS in r.values], replace=False)
        return [pks[r.values["number"]] for r in rows]

    def update(self, rows: list[tuple[int, dict[str, Any]]], fields: list[str]) -> list[int]:
        plain = [f for f in fields if f != MODELS]
        if plain:
            Part.objects.bulk_update(
                [Part(pk=pk, **{k: v for k, v in values.items() if k != MODELS}) for pk, values in rows], plain
            )
        if MODELS in fields:
            _set_models([(pk, values[MODELS]) for pk, values in rows], replace=True)
        return [pk for pk, _values in rows]


def _set_models(rows: list[tuple[int, frozenset[int]]], *, replace: bool) -> None:
    """Each part's compatible models become the listed ones (one delete and one insert)."""
    through = Part.compatible_models.through
    if replace and rows:
        through.objects.filter(part_id__in=[pk for pk, _models in rows]).delete()
    through.objects.bulk_create(
        [through(part_id=pk, productmodel_id=model_id) for pk, models in rows for model_id in sorted(models)]
    )
