"""Customers, matched by their external code (their number in the company's own systems) first,
then by their phone number (E.164, validated like every phone in the product), then by their
email address (case-insensitive). A row needs a phone or an email. A stored customer with another
external code than the row's is another customer: the phone and the email match only customers
with no code or the row's.

A row may carry an address (province, city, district, street address, postal code; the province,
the city and the street address together; a whole address in the street column alone,
江苏省南京市鼓楼区中山北路100号, is split into them). It is added to the customer as their default address,
as ``customers.services.customer_add_address`` does, unless the customer has that address already
(the same province, city, district and street, names compared normalised: 江苏 = 江苏省); and a
customer with no region, and no region in the row, takes the region serving the address
(``accounts.regions``), as everywhere else.

A row whose customer (matched as above) had their personal data erased (``Customer.erased_at``,
the privacy app's anonymisation) is refused on the column it matched by (``customer_erased``):
an import never writes an erased person's data back. Erasure empties the code, the phone and the
email, so such a match means a key left on an erased row; and a customer erased between the
match and the write (``update`` locks the rows, as the erasure does) is left as erased.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.accounts.regions import region_table as address_regions
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.customers.audit_actions import CustomerAudit
from aftersales.customers.models import (
    EXTERNAL_CODE_MAX_LENGTH,
    Address,
    ConsentRecord,
    ConsentSource,
    Customer,
    CustomerKind,
    CustomerTier,
)
from aftersales.customers.phones import normalize_phone
from aftersales.customers.services import ADDRESS_MAX_LENGTHS, normalize_email

from ..columns import Column
from .addresses import address_key, split_full_address
from .base import Issue, Kind, Parsed, choice_table, region_table

ADDRESS_FIELDS = ("province", "city", "district", "detail", "postal_code")
ADDRESS_REQUIRED = ("province", "city", "detail")
# Pseudo-values of a row (never a field of ``Customer``): its address (the five fields, in
# ``ADDRESS_FIELDS`` order), the region serving it, and, among the stored values, the keys of the
# customer's addresses.
ADDRESS = "_address"
ADDRESS_REGION = "_address_region"
STORED_ADDRESSES = "_addresses"


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """The row's values that are fields of ``Customer``."""
    return {k: v for k, v in values.items() if not k.startswith("_")}


class CustomerKindImport(Kind):
    kind = "customers"
    model = Customer
    audited_created = CustomerAudit.CREATED
    audited_changed = CustomerAudit.UPDATED
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
        Column(
            "customer_kind", _("Customer type"), "客户类型", aliases=("类型", "kind", "type"), example=CustomerKind.PERSON.label
        ),
        Column("tier", _("Tier"), "客户等级", aliases=("等级",), example=CustomerTier.NORMAL.label),
        Column("region", _("Region"), "区域", aliases=("大区",), example="east"),
        Column(
            "province",
            _("Province"),
            "省份",
            aliases=("省", "省份/直辖市", "省/直辖市", "省/市", "province"),
            max_length=ADDRESS_MAX_LENGTHS["province"],
            example="江苏省",
        ),
        Column(
            "city",
            _("City"),
            "城市",
            aliases=("市", "地市", "city"),
            max_length=ADDRESS_MAX_LENGTHS["city"],
            example="南京市",
        ),
        Column(
            "district",
            _("District"),
            "区县",
            aliases=("区/县", "县区", "区", "county", "district"),
            max_length=ADDRESS_MAX_LENGTHS["district"],
            example="鼓楼区",
        ),
        Column(
            "detail",
            _("Street address"),
            "详细地址",
            aliases=("地址", "街道地址", "详细住址", "收货地址", "联系地址", "address", "street"),
            max_length=ADDRESS_MAX_LENGTHS["detail"],
            example="中山北路 100 号 2 栋 301 室",
        ),
        Column(
            "postal_code",
            _("Postal code"),
            "邮政编码",
            aliases=("邮编", "postcode", "zip", "zip code"),
            max_length=ADDRESS_MAX_LENGTHS["postal_code"],
            example="210009",
        ),
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
        address = {name: row.text(name) for name in ADDRESS_FIELDS}
        if address["detail"] and not address["province"] and not address["city"]:
            # A whole address in one cell (a sheet with one 地址 column).
            split = split_full_address(address["detail"])
            if split is not None:
                province, city, district, address["detail"] = split
                address.update(province=province, city=city, district=address["district"] or district)
        if any(address.values()):
            for name in ADDRESS_REQUIRED:
                if not address[name]:
                    row.add(name, "address_incomplete")
        row.done()
        if address["province"]:
            values[ADDRESS] = tuple(address[name] for name in ADDRESS_FIELDS)
            if "region_id" not in values:
                values[ADDRESS_REGION] = address_regions().region_id_for(address["province"], address["city"])
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
        """Match the chunk's rows with the stored customers (``_match``); a row whose customer's
        personal data was erased (privacy: ``Customer.erased_at``) is refused on the column it
        matched by — an import must not write the person's data back."""
        matched = self._match(rows)
        issues: dict[int, list[Issue]] = {}
        self.matches: dict[Hashable, dict[str, Any]] = {}
        for r in rows:
            match = matched.get(r.key)
            if match is None:
                continue
            if match["erased_at"] is not None:
                column = match["_by"]
                issues[r.row] = [Issue(column, "customer_erased", {"column": self.by_key[column].label})]
            else:
                self.matches[r.key] = match
        return issues

    def _match(self, rows: list[Parsed]) -> dict[Hashable, dict[str, Any]]:
        """Each row's stored customer (erased ones included): by the external code, else the
        phone, else the email (see the module's docstring); ``_by`` names the column."""
        wanted = {
            r.key: (r.values.get("external_code", ""), r.values.get("phone", ""), r.values.get("email", "").lower()) for r in rows
        }
        keys = list(wanted)
        found: dict[Hashable, dict[str, Any]] = {}
        taken: set[int] = set()
        fields = ("pk", "erased_at", *self.compared)

        def keep(key: Hashable, row: dict[str, Any], by: str) -> None:
            found[key] = {**row, "_by": by}
            taken.add(row["pk"])

        # 1. By the external code (unique where set).
        codes = {wanted[k][0]: k for k in keys if wanted[k][0]}
        if codes:
            for row in Customer.objects.filter(external_code__in=list(codes)).values(*fields):
                keep(codes[row["external_code"]], row, "external_code")

        def free(row: dict[str, Any], key: Hashable) -> bool:
            # Not matched by an earlier key of this chunk, and not another customer by its code.
            return row["pk"] not in taken and (not row["external_code"] or row["external_code"] == wanted[key][0])

        # 2. By the phone, 3. by the email; neither is unique among customers: the first (oldest)
        # customer with it that is free for the row.
        for position, lookup, column in ((1, "phone", "phone"), (2, "email_lower", "email")):
            by_value: dict[str, list[Hashable]] = {}
            for k in keys:
                if k not in found and wanted[k][position]:
                    by_value.setdefault(wanted[k][position], []).append(k)
            if not by_value:
                continue
            qs = Customer.objects.annotate(email_lower=Lower("email")) if lookup == "email_lower" else Customer.objects.all()
            candidates: dict[str, list[dict[str, Any]]] = {}
            for row in qs.filter(**{f"{lookup}__in": list(by_value)}).order_by("pk").values(*fields):
                row["email_lower"] = (row["email"] or "").lower()
                candidates.setdefault(row[lookup], []).append(row)
            for value, value_keys in by_value.items():
                for k in value_keys:
                    match = next((r for r in candidates.get(value, ()) if free(r, k)), None)
                    if match is not None:
                        keep(k, match, column)
        return found

    def existing(self, keys: list[Hashable]) -> dict[Hashable, tuple[int, dict[str, Any]]]:
        """The customers ``resolve`` matched (not erased), with the keys of their addresses."""
        matches = getattr(self, "matches", {})
        self.matches = {}
        found = {k: (matches[k]["pk"], {name: matches[k][name] for name in self.compared}) for k in keys if k in matches}
        stored: dict[int, set[tuple[str, str, str, str]]] = {}
        if found:
            pks = [pk for pk, _values in found.values()]
            for customer_id, *parts in Address.objects.filter(customer_id__in=pks).values_list(
                "customer_id", "province", "city", "district", "detail"
            ):
                stored.setdefault(customer_id, set()).add(address_key(*parts))
        for pk, current in found.values():
            current[STORED_ADDRESSES] = frozenset(stored.get(pk, ()))
        return found

    def changes(self, current: dict[str, Any], values: dict[str, Any]) -> set[str]:
        diff = super().changes(current, _fields(values))
        if self._new_address(current, values) is not None:
            diff.add(ADDRESS)
        if self._derived_region(current, values) is not None:
            diff.add("region_id")
        return diff

    def merge(self, current: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        merged = super().merge({k: v for k, v in current.items() if k != STORED_ADDRESSES}, _fields(values))
        merged[ADDRESS] = self._new_address(current, values)
        derived = self._derived_region(current, values)
        if derived is not None:
            merged["region_id"] = derived
        return merged

    @staticmethod
    def _new_address(current: dict[str, Any], values: dict[str, Any]) -> tuple[str, ...] | None:
        """The row's address when the customer does not have it yet."""
        address = values.get(ADDRESS)
        if address is None or address_key(*address[:4]) in current.get(STORED_ADDRESSES, ()):
            return None
        return tuple(address)

    @staticmethod
    def _derived_region(current: dict[str, Any], values: dict[str, Any]) -> int | None:
        """The region serving the row's address, for a customer without one (a region set before
        is kept, as ``customer_add_address`` keeps it)."""
        if current.get("region_id") is not None or "region_id" in values:
            return None
        region: int | None = values.get(ADDRESS_REGION)
        return region

    def create(self, rows: list[Parsed], *, actor: User | None) -> list[int]:
        now = clock.now()
        customers = []
        for r in rows:
            fields = _fields(r.values)
            if "region_id" not in fields and r.values.get(ADDRESS_REGION) is not None:
                fields["region_id"] = r.values[ADDRESS_REGION]
            customers.append(Customer(consent_recorded_at=now, **fields))
        made = Customer.objects.bulk_create(customers)
        _add_addresses([(c.pk, r.values.get(ADDRESS)) for c, r in zip(made, rows, strict=True)], replace_default=False)
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
        return [c.pk for c in made]

    def update(self, rows: list[tuple[int, dict[str, Any]]], fields: list[str]) -> list[int]:
        now = clock.now()
        # The rows are locked, as ``privacy_erase`` locks the customer it erases: a customer erased
        # since ``resolve`` matched it is left as the erasure left it.
        locked = Customer.objects.select_for_update().filter(pk__in=[pk for pk, _values in rows]).order_by("pk")
        erased = {pk for pk, erased_at in locked.values_list("pk", "erased_at") if erased_at is not None}
        rows = [(pk, values) for pk, values in rows if pk not in erased]
        if "email" in fields:
            # A new e-mail address takes off the bouncing mark (docs/customers.md, "E-mail bounced").
            current = dict(Customer.objects.filter(pk__in=[pk for pk, _v in rows]).values_list("pk", "email"))
            renewed = [pk for pk, v in rows if (v.get("email") or "").lower() != (current.get(pk) or "").lower()]
            Customer.objects.filter(pk__in=renewed, email_bounced_at__isnull=False).update(
                email_bounced_at=None, email_bounce_reason=""
            )
        # The version moves on, so that an edit form opened before the import refuses to overwrite it.
        Customer.objects.bulk_update(
            [Customer(pk=pk, updated_at=now, version=F("version") + 1, **_fields(values)) for pk, values in rows],
            [*(f for f in fields if not f.startswith("_")), "updated_at", "version"],
        )
        _add_addresses([(pk, values.get(ADDRESS)) for pk, values in rows], replace_default=True)
        return [pk for pk, _values in rows]


def _add_addresses(rows: list[tuple[int, tuple[str, ...] | None]], *, replace_default: bool) -> None:
    """Each customer's new address, as their default one (the one before, if any, stays as a
    further address)."""
    adding = [(pk, address) for pk, address in rows if address]
    if not adding:
        return
    if replace_default:
        Address.objects.filter(customer_id__in=[pk for pk, _address in adding], is_default=True).update(is_default=False)
    Address.objects.bulk_create(
        [Address(customer_id=pk, is_default=True, **dict(zip(ADDRESS_FIELDS, address, strict=True))) for pk, address in adding]
    )
