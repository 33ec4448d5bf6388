"""The one way stock levels change: lock the rows in primary-key order, check, write a ledger
movement and the new level in the same transaction, and raise a low-stock alert once per crossing.

Callers (``services``) must already be inside ``transaction.atomic``. Locks are taken in
primary-key order for every document (Saleor's ``lock_objects``), so two documents touching the
same rows never deadlock, and a concurrent issue waits for the one before it and then sees the
stock it left: stock can never be promised or issued twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.core.i18n import rendered_lazy
from aftersales.notifications.services import notify_staff

from .models import MovementKind, Part, Stock, StockMovement, Warehouse

StockKey = tuple[int, int]  # (warehouse id, part id)


def _ensure_rows(keys: Iterable[StockKey]) -> None:
    wanted = set(keys)
    if not wanted:
        return
    existing = set(
        Stock.objects.filter(warehouse_id__in={w for w, _p in wanted}, part_id__in={p for _w, p in wanted}).values_list(
            "warehouse_id", "part_id"
        )
    )
    for warehouse_id, part_id in sorted(wanted - existing):
        try:
            with transaction.atomic():
                Stock.objects.create(warehouse_id=warehouse_id, part_id=part_id)
        except IntegrityError:
            pass  # created meanwhile by a concurrent document: fine, it is locked below


def lock_stock(keys: Iterable[StockKey]) -> dict[StockKey, Stock]:
    """Lock (creating empty ones where missing) the stock rows of ``keys``, in primary-key order."""
    wanted = set(keys)
    if not wanted:
        return {}  # an empty Q() would match (and lock) every row
    _ensure_rows(wanted)
    condition = Q()
    for warehouse_id, part_id in wanted:
        condition |= Q(warehouse_id=warehouse_id, part_id=part_id)
    rows = list(
        Stock.objects.select_for_update(of=("self",)).filter(condition).order_by("pk").select_related("part", "warehouse")
    )
    return {(row.warehouse_id, row.part_id): row for row in rows}


def insufficient(stock: Stock, *, wanted: int, available: int) -> DomainError:
    return DomainError(
        _("Not enough %(part)s in %(warehouse)s: %(wanted)d wanted, %(available)d available.")
        % {"part": stock.part.name, "warehouse": stock.warehouse.display_name, "wanted": wanted, "available": max(available, 0)},
        code="insufficient_stock",
        field="lines",
    )


def move(
    stock: Stock,
    *,
    quantity: int,
    kind: str,
    actor: User | None,
    reference: str = "",
    work_order: Any = None,
    product_unit: Any = None,
    serial: str = "",
    note: str = "",
    release_reserved: int = 0,
    keep_emergency_reserve: bool = False,
) -> StockMovement:
    """Change a LOCKED stock row's on-hand by ``quantity`` and write its ledger line.

    ``release_reserved`` first takes that much off the reservation (an issue consumes what the
    approval promised). Taking out more than is on hand and not promised to others is refused,
    and with ``keep_emergency_reserve`` the emergency reserve stays untouched too.
    """
    if quantity == 0:
        raise DomainError(_("The quantity must not be zero."), code="quantity_zero", field="lines")
    reserved = stock.reserved - release_reserved
    if reserved < 0:
        raise DomainError(_("More released than was reserved."), code="reservation_mismatch", field="lines")
    on_hand = stock.on_hand + quantity
    kept = reserved + (stock.emergency_reserve if keep_emergency_reserve else 0)
    if quantity < 0 and on_hand < kept:
        raise insufficient(stock, wanted=-quantity, available=stock.on_hand - kept)
    movement = StockMovement.objects.create(
        part_id=stock.part_id,
        warehouse_id=stock.warehouse_id,
        quantity=quantity,
        kind=kind,
        balance_after=on_hand,
        reference=reference,
        work_order=work_order,
        product_unit=product_unit,
        serial=serial,
        note=note[:200],
        actor=actor,
        created_at=clock.now(),
    )
    stock.on_hand = on_hand
    stock.reserved = reserved
    save_levels(stock)
    return movement


def reserve(stock: Stock, *, quantity: int, urgent: bool) -> None:
    """Promise ``quantity`` of a LOCKED row; only urgent work may draw the emergency reserve."""
    available = stock.available if urgent else stock.available_normal
    if quantity > available:
        raise insufficient(stock, wanted=quantity, available=available)
    stock.reserved += quantity
    save_levels(stock)


def release(stock: Stock, *, quantity: int) -> None:
    stock.reserved = max(stock.reserved - quantity, 0)
    save_levels(stock)


def save_levels(stock: Stock) -> None:
    """Save a locked row's levels and alert warehouse staff when it has just gone low."""
    fields = ["on_hand", "reserved", "updated_at"]
    if stock.is_low and not stock.low_alerted:
        stock.low_alerted = True
        fields.append("low_alerted")
        _alert_low(stock)
    elif not stock.is_low and stock.low_alerted:
        stock.low_alerted = False  # back above the level: the next crossing alerts again
        fields.append("low_alerted")
    stock.save(update_fields=fields)


def warehouse_staff_for(warehouse: Warehouse) -> list[User]:
    qs = User.objects.filter(role=Role.WAREHOUSE, is_active=True)
    if warehouse.region_id:
        qs = qs.filter(Q(region_id=warehouse.region_id) | Q(region__isnull=True) | Q(data_scope=DataScope.ALL))
    return list(qs)


def _alert_low(stock: Stock) -> None:
    part: Part = stock.part
    warehouse: Warehouse = stock.warehouse
    notify_staff(
        users=warehouse_staff_for(warehouse),
        template="parts_low_stock",  # editable: notifications.template_events
        params={
            "number": part.number,
            "part": part.name,
            "warehouse": rendered_lazy(warehouse.name_text),  # "Van of …" in the recipient's language
            "available": stock.available,
            "min": stock.min_level,
        },
    )


__all__ = ["MovementKind", "insufficient", "lock_stock", "move", "release", "reserve", "save_levels", "warehouse_staff_for"]
