"""Transfers (调拨): stock moved between two warehouses — out at once; in at once, or on receipt
when in transit. A transfer never draws the source's emergency reserve."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed

from .. import permissions as perms
from .. import stock
from ..audit_actions import PartsAudit
from ..models import MovementKind, Part, Stock, Transfer, TransferLine, TransferStatus, Warehouse
from ..states import TRANSFER
from .common import clean_lines


@transaction.atomic
def transfer_create(
    *,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    lines: list[tuple[Part, int]],
    actor: User,
    note: str = "",
    in_transit: bool = False,
) -> Transfer:
    """Move stock between warehouses: out at once; in at once, or on receipt when ``in_transit``.
    A transfer never draws the source's emergency reserve."""
    perms.check_stock_staff(actor, from_warehouse)
    if from_warehouse.pk == to_warehouse.pk:
        raise ValidationFailed({"to_warehouse": [_("Choose two different warehouses.")]}, code="same_warehouse")
    if not from_warehouse.active or not to_warehouse.active:
        raise DomainError(_("This warehouse is closed."), code="warehouse_inactive", field="to_warehouse")
    clean = clean_lines(lines)
    transfer = Transfer.objects.create(
        from_warehouse=from_warehouse,
        to_warehouse=to_warehouse,
        note=(note or "").strip()[:200],
        created_by=actor,
        created_at=clock.now(),
    )
    TransferLine.objects.bulk_create([TransferLine(transfer=transfer, part=p, quantity=q) for p, q in clean])
    keys = [(from_warehouse.pk, p.pk) for p, _q in clean]
    if not in_transit:
        keys += [(to_warehouse.pk, p.pk) for p, _q in clean]
    rows = stock.lock_stock(keys)
    for part, quantity in clean:
        stock.move(
            rows[(from_warehouse.pk, part.pk)],
            quantity=-quantity,
            kind=MovementKind.TRANSFER_OUT,
            actor=actor,
            reference=transfer.number,
            keep_emergency_reserve=not from_warehouse.is_van,
        )
    audit_record(
        action=PartsAudit.TRANSFER_CREATED,
        obj=transfer,
        actor=actor,
        changes={"from": from_warehouse.pk, "to": to_warehouse.pk, "lines": {p.number: q for p, q in clean}},
    )
    if not in_transit:
        _transfer_in(transfer, rows=rows, actor=actor)
    return transfer


def _transfer_in(transfer: Transfer, *, rows: dict[stock.StockKey, Stock], actor: User) -> None:
    TRANSFER.require(transfer, TransferStatus.RECEIVED)
    for line in transfer.lines.select_related("part"):
        stock.move(
            rows[(transfer.to_warehouse_id, line.part_id)],
            quantity=line.quantity,
            kind=MovementKind.TRANSFER_IN,
            actor=actor,
            reference=transfer.number,
        )
    TRANSFER.move(transfer, to=TransferStatus.RECEIVED, actor=actor, fields={"received_by": actor, "received_at": clock.now()})


@transaction.atomic
def transfer_receive(*, transfer: Transfer, actor: User) -> Transfer:
    locked = Transfer.objects.select_for_update(of=("self",)).select_related("to_warehouse").get(pk=transfer.pk)
    perms.check_stock_staff(actor, locked.to_warehouse)
    TRANSFER.require(locked, TransferStatus.RECEIVED)
    rows = stock.lock_stock((locked.to_warehouse_id, line.part_id) for line in locked.lines.all())
    _transfer_in(locked, rows=rows, actor=actor)
    return locked
