"""Spare parts beyond stock and requisitions: low stock, the catalogue, the stock ledger, the
returns from vans, the faulty parts awaiting appraisal, the transfers and the technician's van —
each as its page reads it (``parts.views``), with its warehouses' scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.parts import permissions as perms
from aftersales.parts import selectors
from aftersales.parts.forms import LedgerFilterForm

from ..registry import CellType, Column, ExportKind, Rows, list_rows, queryset_rows, register


def low_stock_rows(user: User, params: Mapping[str, str]) -> Rows:
    return queryset_rows(selectors.low_stock_for_user(user=user)[:500], count=False)


def catalogue_rows(user: User, params: Mapping[str, str]) -> Rows:
    query = params.get("q", "")[:64]
    return queryset_rows(selectors.parts_search(query=query).prefetch_related("compatible_models"))


def ledger_rows(user: User, params: Mapping[str, str]) -> Rows:
    form = LedgerFilterForm(params or None, warehouses=selectors.warehouses_for_user(user=user))
    warehouse_id = part_id = None
    if form.is_valid():
        warehouse_id = form.cleaned_data["warehouse"].pk if form.cleaned_data["warehouse"] else None
        part_id = form.cleaned_data["part"].pk if form.cleaned_data["part"] else None
    return queryset_rows(selectors.ledger_for_user(user=user, warehouse_id=warehouse_id, part_id=part_id))


def return_rows(user: User, params: Mapping[str, str]) -> Rows:
    show_all = params.get("all") == "1"
    return queryset_rows(selectors.returns_for_user(user=user) if show_all else selectors.returns_to_receive(user=user))


def faulty_rows(user: User, params: Mapping[str, str]) -> Rows:
    return queryset_rows(selectors.faulty_awaiting_appraisal(user=user)[:200], count=False)


def transfer_rows(user: User, params: Mapping[str, str]) -> Rows:
    return queryset_rows(selectors.transfers_for_user(user=user))


def van_rows(user: User, params: Mapping[str, str]) -> Rows:
    return list_rows(selectors.van_stock(technician=user))


def _lines(document: Any) -> str:
    return "; ".join(f"{line.part.number} {line.part.name} × {line.quantity}" for line in document.lines.all())


def _faulty(part_return: Any) -> str:
    return "; ".join(f"{f.part.number} {f.part.name} {f.serial}".strip() for f in part_return.faulty.all())


LOW_STOCK = register(
    ExportKind(
        key="parts_low_stock",
        title=_("Low stock"),
        columns=(
            Column(_("Warehouse"), lambda s, u: s.warehouse.display_name, width=18),
            Column(_("Part number"), lambda s, u: s.part.number, width=16),
            Column(_("Part"), lambda s, u: s.part.name, width=24),
            Column(_("Available"), lambda s, u: s.available, CellType.NUMBER, width=10),
            Column(_("Minimum level"), lambda s, u: s.min_level, CellType.NUMBER, width=10),
            Column(_("Short by"), lambda s, u: s.shortfall, CellType.NUMBER, width=10),
        ),
        may_use=perms.is_stock_staff,
        rows=low_stock_rows,
        page="parts:low_stock",
    )
)

CATALOGUE = register(
    ExportKind(
        key="parts_catalogue",
        title=_("Parts catalogue"),
        columns=(
            Column(_("Part number"), lambda p, u: p.number, width=16),
            Column(_("Name"), lambda p, u: p.name, width=24),
            Column(_("Compatible models"), lambda p, u: " ".join(m.code for m in p.compatible_models.all()), width=30),
            Column(_("Unit cost"), lambda p, u: p.unit_cost, CellType.MONEY, width=12),
            Column(_("Price"), lambda p, u: p.unit_price, CellType.MONEY, width=12),
            Column(_("Part warranty (months)"), lambda p, u: p.warranty_months, CellType.NUMBER, width=10),
        ),
        may_use=lambda user: not user.is_customer,
        rows=catalogue_rows,
        page="parts:catalogue",
    )
)

LEDGER = register(
    ExportKind(
        key="parts_ledger",
        title=_("Stock ledger"),
        columns=(
            Column(_("Time"), lambda m, u: m.created_at, CellType.DATETIME, width=17),
            Column(_("Warehouse"), lambda m, u: m.warehouse.display_name, width=18),
            Column(_("Part number"), lambda m, u: m.part.number, width=16),
            Column(_("Part"), lambda m, u: m.part.name, width=24),
            Column(_("Kind"), lambda m, u: m.get_kind_display(), width=12),
            Column(_("Quantity"), lambda m, u: m.quantity, CellType.NUMBER, width=10),
            Column(_("On hand after"), lambda m, u: m.balance_after, CellType.NUMBER, width=10),
            Column(_("Document"), lambda m, u: m.reference, width=16),
            Column(_("Work order"), lambda m, u: m.work_order.number if m.work_order_id else "", width=18),
            Column(_("Serial number"), lambda m, u: m.serial, width=16),
            Column(_("By"), lambda m, u: str(m.actor) if m.actor_id else "", width=14),
        ),
        may_use=perms.is_stock_staff,
        rows=ledger_rows,
        page="parts:ledger",
    )
)

RETURNS = register(
    ExportKind(
        key="parts_returns",
        title=_("Parts returns"),
        columns=(
            Column(_("Number"), lambda r, u: r.number, width=14),
            Column(_("Status"), lambda r, u: r.get_status_display(), width=12),
            Column(_("From van"), lambda r, u: r.van.display_name, width=18),
            Column(_("To warehouse"), lambda r, u: r.warehouse.display_name, width=18),
            Column(_("Technician"), lambda r, u: str(r.technician), width=14),
            Column(_("Work order"), lambda r, u: r.work_order.number if r.work_order_id else "", width=18),
            Column(_("Unused"), lambda r, u: _lines(r), width=36),
            Column(_("Faulty"), lambda r, u: _faulty(r), width=36),
            Column(_("Created"), lambda r, u: r.created_at, CellType.DATETIME, width=17),
        ),
        may_use=perms.is_stock_staff,
        rows=return_rows,
        page="parts:returns",
    )
)

FAULTY = register(
    ExportKind(
        key="parts_faulty",
        title=_("Faulty parts awaiting appraisal"),
        columns=(
            Column(_("Part number"), lambda f, u: f.part.number, width=16),
            Column(_("Part"), lambda f, u: f.part.name, width=24),
            Column(_("Serial number"), lambda f, u: f.serial, width=16),
            Column(_("Return"), lambda f, u: f.part_return.number, width=14),
            Column(_("Technician"), lambda f, u: str(f.part_return.technician), width=14),
            Column(_("Product model"), lambda f, u: f.product_unit.model.code if f.product_unit_id else "", width=16),
            Column(_("Product serial number"), lambda f, u: f.product_unit.serial_number if f.product_unit_id else "", width=18),
            Column(_("Condition"), lambda f, u: f.condition, width=30),
        ),
        may_use=perms.can_appraise,
        rows=faulty_rows,
        page="parts:faulty",
    )
)

TRANSFERS = register(
    ExportKind(
        key="parts_transfers",
        title=_("Stock transfers"),
        columns=(
            Column(_("Number"), lambda t, u: t.number, width=14),
            Column(_("Status"), lambda t, u: t.get_status_display(), width=12),
            Column(_("From warehouse"), lambda t, u: t.from_warehouse.display_name, width=18),
            Column(_("To warehouse"), lambda t, u: t.to_warehouse.display_name, width=18),
            Column(_("Created by"), lambda t, u: str(t.created_by) if t.created_by_id else "", width=14),
            Column(_("Lines"), lambda t, u: _lines(t), width=40),
            Column(_("Created"), lambda t, u: t.created_at, CellType.DATETIME, width=17),
        ),
        may_use=perms.is_stock_staff,
        rows=transfer_rows,
        page="parts:transfers",
    )
)

VAN = register(
    ExportKind(
        key="parts_van",
        title=_("My van stock"),
        columns=(
            Column(_("Part number"), lambda s, u: s.part.number, width=16),
            Column(_("Part"), lambda s, u: s.part.name, width=24),
            Column(_("On hand"), lambda s, u: s.on_hand, CellType.NUMBER, width=10),
            Column(_("Reserved"), lambda s, u: s.reserved, CellType.NUMBER, width=10),
            Column(_("Available"), lambda s, u: s.available, CellType.NUMBER, width=10),
        ),
        may_use=perms.is_technician,
        rows=van_rows,
        page="parts:van",
    )
)
