"""Customers, matched by their external code (their number in the company's own systems) first,
then by their phone number (E.164, validated like every phone in the product), then by their
email address (case-insensitive). A row needs a phone or an email. A stored customer with another
external code than the row's is another customer: the phone and the email match only customers
with no code or the row's.

"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import (
    EXTERNAL_CODE_MAX_LENGTH,
    ConsentRecord,
    ConsentSource,
    Customer,
    CustomerKind,
    CustomerTier,
)
from aftersales.customers.phones import normalize_phone
from aftersales.customers.services import normalize_email

from ..columns import Column
from .base import Issue, Kind, Parsed, choice_table, region_table


class CustomerKindImport(Kind):
    kind = "customers"
    key_columns = ("external_code", "phone", "email")
    compared = ("name", "external_code", "phone", "email", "kind", "tier", "region_id")
    columns = (
        Column(
            "external_code",
            _("External code"),
            "客户编码",
            aliases=("客户编号", "外部编码", "customer code", "code", "external code"),
            max_length=EXTERNAL_CODE_MAX_LENGTH,
            example="C000123",
        ),
        Column(
            "name",
            _("Customer name"),
            "客户姓名",
            required=True,
            aliases=("姓名", "客户名称", "name"),
            max_length=128,
            example="张伟",
        ),
        Column(
            "phone",
            _("Mobile phone"),
            "手机号",
            aliases=("电话", "手机", "联系电话", "phone", "mobile"),
            example="13812345678",
        ),
        Column(
            "email",
            _("Email address"),
            "邮箱",
            aliases=("电子邮箱", "电子邮件", "email", "e-mail"),
            example="zhangwei@example.com",
        ),
        Column("customer_kind", _("Customer type"), "客户类型", aliases=("类型", "kind", "type"), example="个人"),
        Column("tier", _("Tier"), "客户等级", aliases=("等级",), example="一般客户"),
        Column("region", _("Region"), "区域", aliases=("大区",), example="east"),
    )

    def prepare(self) -> None:
        self.regions = region_table()
        self.kinds = choice_table(CustomerKind.choices, ("个人", CustomerKind.PERSON), ("企业", CustomerKind.COMPANY))
        self.tiers = choice_table(CustomerTier.choices, ("重要", CustomerTier.KEY), ("长期", CustomerTier.LONG_TERM))

    def clean(self, cells: dict[str, Any]) -> tuple[Hashable, dict[str, Any]]:
        row = self.reader(cells)
        values: dict[str, Any] = {"name": row.text("name")}
        code = row.text("external_code").strip()
        if code:
            values["external_code"] = code
        raw_phone = row.text("phone")
        phone = ""
        if raw_phone:
            try:
                phone = normalize_phone(raw_phone)
            except ValidationFailed:
                row.add("phone", "phone_invalid", value=raw_phone[:40])
        raw_email = row.text("email")
        if raw_email:
            try:
                values["email"] = normalize_email(raw_email)
            except ValidationFailed:
                row.add("email", "email_invalid", value=raw_email[:80])
        kind = row.choice("customer_kind", self.kinds, CustomerKind.labels)
        if kind:
            values["kind"] = kind
        tier = row.choice("tier", self.tiers, CustomerTier.labels)
        if tier:
            values["tier"] = tier
        region = row.lookup("region", self.regions, "unknown_region")
        if region is not None:
            values["region_id"] = region
        if not raw_phone and not raw_email:
            row.add("phone", "contact_required")
        row.done()
        if phone:
            values["phone"] = phone
        # The key inside the file: the code, else the phone, else the email (a repeated one is a
        # duplicate row).
        if code:
            return "code:" + code, values
        return (phone or "email:" + values["email"].lower()), values

    def duplicate_issue(self, key: Hashable, labels: list[Any]) -> Issue:
        column = "external_code" if str(key).startswith("code:") else "email" if str(key).startswith("email:") else "phone"
        return Issue(column, "duplicate_key", {"columns": [self.by_key[column].label]})

    def resolve(self, rows: list[Parsed]) -> dict[int, list[Issue]]:
        self.chunk_rows = {
            r.key: (r.values.get("external_code", ""), r.values.get("phone", ""), r.values.get("email", "").lower()) for r in rows
        }
        return {}

    def existing(self, keys: list[Hashable]) -> dict[Hashable, tuple[int, dict[str, Any]]]:
        found: dict[Hashable, tuple[int, dict[str, Any]]] = {}
        wanted = getattr(self, "chunk_rows", {})
        self.chunk_rows = {}
        taken: set[int] = set()

        def keep(key: Hashable, row: dict[str, Any]) -> None:
            found[key] = (row["pk"], {name: row[name] for name in self.compared})
            taken.add(row["pk"])

        # 1. By the external code (unique where set).
        codes = {wanted[k][0]: k for k in keys if k in wanted and wanted[k][0]}
        if codes:
            for row in Customer.objects.filter(external_code__in=list(codes)).values("pk", *self.compared):
                keep(codes[row["external_code"]], row)

        def free(row: dict[str, Any], key: Hashable) -> bool:
            # Not matched by an earlier key of this chunk, and not another customer by its code.
            return row["pk"] not in taken and (not row["external_code"] or row["external_code"] == wanted[key][0])

        # 2. By the phone, 3. by the email; neither is unique among customers: the first (oldest)
        # customer with it that is free for the row.
        for position, lookup in ((1, "phone"), (2, "email_lower")):
            by_value: dict[str, list[Hashable]] = {}
            for k in keys:
                if k not in found and k in wanted and wanted[k][position]:
                    by_value.setdefault(wanted[k][position], []).append(k)
            if not by_value:
                continue
            qs = Customer.objects.annotate(email_lower=Lower("email")) if lookup == "email_lower" else Customer.objects.all()
            candidates: dict[str, list[dict[str, Any]]] = {}
            for row in qs.filter(**{f"{lookup}__in": list(by_value)}).order_by("pk").values("pk", *self.compared):
                row["email_lower"] = (row["email"] or "").lower()
                candidates.setdefault(row[lookup], []).append(row)
            for value, value_keys in by_value.items():
                for k in value_keys:
                    match = next((r for r in candidates.get(value, ()) if free(r, k)), None)
                    if match is not None:
                        keep(k, match)
        return found

    def create(self, rows: list[Parsed], *, actor: User | None) -> None:
        now = clock.now()
        made = Customer.objects.bulk_create([Customer(consent_recorded_at=now, **r.values) for r in rows])
        ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(
                    customer=c,
                    contact=c.consent_contact,
                    marketing=c.consent_marketing,
                    source=ConsentSource.STAFF,
                    actor=actor,
                    recorded_at=now,
                )
                for c in made
            ]
        )

    def update(self, rows: list[tuple[int, dict[str, Any]]], fields: list[str]) -> None:
        now = clock.now()
        # The version moves on, so that an edit form opened before the import refuses to overwrite it.
        Customer.objects.bulk_update(
            [Customer(pk=pk, updated_at=now, version=F("version") + 1, **values) for pk, values in rows],
            [*fields, "updated_at", "version"],
        )
