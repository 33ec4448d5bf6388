"""Warranty policies (保修政策), keyed by their name (compared case-insensitively): how long a
product model is covered, from which date, and what is covered. A model takes its policy in the
product models import (the column 保修政策 names the policy), so the two give every model its
warranty terms."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.models import WarrantyBasis, WarrantyPolicy

from ..columns import Column
from .base import Kind, Parsed, choice_table

# A PositiveSmallIntegerField; no warranty runs for more than 50 years.
MAX_MONTHS = 600


class WarrantyPolicyImport(Kind):
    kind = "policies"
    model = WarrantyPolicy
    key_columns = ("name",)
    compared = (
        "name",
        "months",
        "basis",
        "covers_parts",
        "covers_labour",
        "fallback_to_production",
        "production_grace_months",
    )
    columns = (
        Column(
            "name",
            _("Warranty policy"),
            "保修政策",
            required=True,
            aliases=("政策名称", "保修政策名称", "policy", "policy name", "name"),
            max_length=64,
            example="整机三年",
        ),
        Column(
            "months",
            _("Warranty months"),
            "保修月数",
            required=True,
            aliases=("保修期", "保修期(月)", "保修期限", "months"),
            example="36",
        ),
        Column(
            "basis", _("Counted from"), "起算日期", aliases=("起算", "保修起算", "basis"), example=WarrantyBasis.PURCHASE.label
        ),
        Column("covers_parts", _("Covers parts"), "保修配件", aliases=("含配件", "parts covered"), example=_("yes")),
        Column("covers_labour", _("Covers labour"), "保修人工", aliases=("含人工", "labour covered"), example=_("yes")),
        Column(
            "fallback_to_production",
            _("Fall back to production date"),
            "无购买日期按生产日期",
            aliases=("按生产日期", "fallback"),
            example=_("yes"),
        ),
        Column(
            "production_grace_months",
            _("Grace months after production"),
            "生产后宽限月数",
            aliases=("宽限月数", "宽限期", "grace months"),
            example="3",
        ),
    )

    def prepare(self) -> None:
        self.bases = choice_table(
            WarrantyBasis.choices,
            ("购买日期", WarrantyBasis.PURCHASE),
            ("购买", WarrantyBasis.PURCHASE),
            ("生产日期", WarrantyBasis.PRODUCTION),
            ("生产", WarrantyBasis.PRODUCTION),
        )

    def clean(self, cells: dict[str, Any]) -> tuple[Hashable, dict[str, Any]]:
        row = self.reader(cells)
        name = row.text("name")
        values: dict[str, Any] = {"name": name, "months": row.integer("months", low=1, high=MAX_MONTHS)}
        basis = row.choice("basis", self.bases, WarrantyBasis.labels)
        if basis:
            values["basis"] = basis
        for flag in ("covers_parts", "covers_labour", "fallback_to_production"):
            answer = row.yes_no(flag)
            if answer is not None:
                values[flag] = answer
        grace = row.integer("production_grace_months", low=0, high=MAX_MONTHS)
        if grace is not None:
            values["production_grace_months"] = grace
        row.done()
        return name.lower(), values

    def existing(self, keys: list[Hashable]) -> dict[Hashable, tuple[int, dict[str, Any]]]:
        rows = (
            WarrantyPolicy.objects.annotate(name_lower=Lower("name"))
            .filter(name_lower__in=keys)
            .order_by("pk")
            .values("pk", "name_lower", *self.compared)
        )
        found: dict[Hashable, tuple[int, dict[str, Any]]] = {}
        for r in rows:
            found.setdefault(r["name_lower"], (r["pk"], {n: r[n] for n in self.compared}))
        return found

    def create(self, rows: list[Parsed], *, actor: User | None) -> list[int]:
        return [p.pk for p in WarrantyPolicy.objects.bulk_create([WarrantyPolicy(**r.values) for r in rows])]

    def update(self, rows: list[tuple[int, dict[str, Any]]], fields: list[str]) -> list[int]:
        WarrantyPolicy.objects.bulk_update([WarrantyPolicy(pk=pk, **values) for pk, values in rows], fields)
        return [pk for pk, _values in rows]
