"""Customers, matched by their phone number (E.164, validated like every phone in the product) or,
when the phone is not stored yet (a customer who changed numbers) or the row has none, by their
email address (case-insensitive). A row needs one of the two."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import ConsentRecord, ConsentSource, Customer, CustomerKind, CustomerTier
from aftersales.customers.phones import normalize_phone
from aftersales.customers.services import normalize_email

from ..columns import Column
from .base import Issue, Kind, Parsed, choice_table, region_table


class CustomerKindImport(Kind):
    kind = "customers"
    key_columns = ("phone", "email")
    compared = ("name", "phone", "email", "kind", "tier", "region_id")
    columns = (
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
        # The key inside the file (a repeated phone, or email without a phone, is a duplicate row).
        return (phone or "email:" + values["email"].lower()), values

    def resolve(self, rows: list[Parsed]) -> dict[int, list[Issue]]:
        self.chunk_emails = {r.key: r.values["email"].lower() for r in rows if r.values.get("email")}
        return {}

    def existing(self, keys: list[Hashable]) -> dict[Hashable, tuple[int, dict[str, Any]]]:
        found: dict[Hashable, tuple[int, dict[str, Any]]] = {}
        emails = getattr(self, "chunk_emails", {})
        phones = [k for k in keys if isinstance(k, str) and not k.startswith("email:")]
        # Phones are not unique among customers: the first customer with the number is the one.
        for row in Customer.objects.filter(phone__in=phones).order_by("-pk").values("pk", *self.compared):
            found[row["phone"]] = (row["pk"], {name: row[name] for name in self.compared})
        # The rest by email (the first customer with the address), unless that customer is
        # already matched by another row's phone in this chunk.
        wanted = {emails[k]: k for k in keys if k not in found and k in emails}
        if wanted:
            taken = {pk for pk, _values in found.values()}
            by_email: dict[str, dict[str, Any]] = {}
            rows = (
                Customer.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=list(wanted))
                .order_by("-pk")
                .values("pk", "email_lower", *self.compared)
            )
            for row in rows:
                if row["pk"] not in taken:
                    by_email[row["email_lower"]] = row
            for email, row in by_email.items():
                found[wanted[email]] = (row["pk"], {name: row[name] for name in self.compared})
        self.chunk_emails = {}
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
        Customer.objects.bulk_update([Customer(pk=pk, updated_at=now, **values) for pk, values in rows], [*fields, "updated_at"])
