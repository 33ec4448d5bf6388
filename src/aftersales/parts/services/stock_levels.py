"""Warehouses and stock levels: the technician's van (opened on first use, closed when its
technician leaves), goods received, count corrections, the low-stock level and the emergency
reserve."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core.errors import DomainError, ValidationFailed

from .. import permissions as perms
from .. import stock
from ..audit_actions import PartsAudit
from ..models import MovementKind, Part, Stock, Transfer, TransferStatus, Warehouse, WarehouseKind
from .common import clean_lines


@transaction.atomic
def warehouse_for_technician(*, technician: User) -> Warehouse:
    """The technician's van (车载库), created on first use: one per technician. It stores the
    technician's name; ``Warehouse.display_name`` says "Van of …" in the reader's language."""
    van = Warehouse.objects.filter(kind=WarehouseKind.VAN, technician=technician).first()
    if van is not None:
        return van
    van, created = Warehouse.objects.get_or_create(
        kind=WarehouseKind.VAN,
        technician=technician,
        defaults={
            "code": f"van-{technician.pk}",
            "name": str(technician)[:64],
            "region_id": technician.region_id,
        },
    )
    if created:
        audit_record(action=PartsAudit.VAN_CREATED, obj=van, actor=None, changes={"technician": technician.pk})
    return van


@transaction.atomic
def van_close(*, van: Warehouse, actor: User) -> Warehouse:
    """Close an empty van (its technician has left: the staff handover moved its stock first).
    The van and its ledger stay as history; a closed warehouse takes no transfer or receipt.
    Refused (``van_not_empty``) while it holds stock or a transfer is on its way to it; a van
    closed already is left as it is."""
    perms.check_stock_staff(actor, van)
    locked = Warehouse.objects.select_for_update().get(pk=van.pk)
    if not locked.is_van:
        raise DomainError(_("Only a technician's van is closed this way."), code="not_a_van", field="warehouse")
    if not locked.active:
        return locked
    holds = Stock.objects.filter(warehouse=locked, on_hand__gt=0).exists()
    arriving = Transfer.objects.filter(to_warehouse=locked, status=TransferStatus.IN_TRANSIT).exists()
    if holds or arriving:
        raise DomainError(_("Move the van's stock out before closing it."), code="van_not_empty", field="warehouse")
    locked.active = False
    locked.save(update_fields=["active"])
    audit_record(
        action=PartsAudit.VAN_CLOSED,
        obj=locked,
        actor=actor,
        changes={"active": [True, False], "technician": locked.technician_id},
    )
    return locked


@transaction.atomic
def stock_receive(
    *, warehouse: Warehouse, lines: Sequence[tuple[Part, int]], actor: User, reference: str = "", note: str = ""
) -> list[Stock]:
    """Goods received into a warehouse (purchase, factory delivery): receipt movements."""
    perms.check_stock_staff(actor, warehouse)
    if not warehouse.active:
        raise DomainError(_("This warehouse is closed."), code="warehouse_inactive", field="warehouse")
    clean = clean_lines(lines)
    rows = stock.lock_stock((warehouse.pk, part.pk) for part, _q in clean)
    for part, quantity in clean:
        stock.move(
            rows[(warehouse.pk, part.pk)],
            quantity=quantity,
            kind=MovementKind.RECEIPT,
            actor=actor,
            reference=reference[:40],
            note=note,
        )
    audit_record(
        action=PartsAudit.STOCK_RECEIVED,
        obj=warehouse,
        actor=actor,
        changes={"lines": {p.number: q for p, q in clean}, "reference": reference},
    )
    return [rows[(warehouse.pk, p.pk)] for p, _q in clean]


@transaction.atomic
def stock_adjust(*, warehouse: Warehouse, part: Part, quantity: int, actor: User, reason: str) -> Stock:
    """Correct a stock level after a count (盘点): an adjustment movement, never an edit."""
    perms.check_stock_staff(actor, warehouse)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the stock is corrected.")]}, code="reason_required")
    if quantity == 0:
        raise ValidationFailed({"quantity": [_("The quantity must not be zero.")]}, code="quantity_zero")
    row = stock.lock_stock([(warehouse.pk, part.pk)])[(warehouse.pk, part.pk)]
    stock.move(row, quantity=quantity, kind=MovementKind.ADJUSTMENT, actor=actor, note=reason)
    audit_record(action=PartsAudit.STOCK_ADJUSTED, obj=row, actor=actor, changes={"quantity": quantity, "reason": reason})
    return row


@transaction.atomic
def stock_set_levels(*, warehouse: Warehouse, part: Part, min_level: int, emergency_reserve: int, actor: User) -> Stock:
    """Set the low-stock level and the emergency reserve of one part in one warehouse."""
    perms.check_stock_staff(actor, warehouse)
    if min_level < 0 or emergency_reserve < 0:
        raise ValidationFailed({"min_level": [_("Levels cannot be negative.")]}, code="level_negative")
    row = stock.lock_stock([(warehouse.pk, part.pk)])[(warehouse.pk, part.pk)]
    before = {"min_level": row.min_level, "emergency_reserve": row.emergency_reserve}
    row.min_level = min_level
    row.emergency_reserve = emergency_reserve
    row.save(update_fields=["min_level", "emergency_reserve", "updated_at"])
    stock.save_levels(row)
    audit_record(
        action=PartsAudit.LEVELS_SET,
        obj=row,
        actor=actor,
        changes={
            "min_level": [before["min_level"], min_level],
            "emergency_reserve": [before["emergency_reserve"], emergency_reserve],
        },
    )
    return row
