"""What the parts app does when a lower app's change sets it off (``core.hooks``): the staff
handover (``accounts.effects``, docs/staff-handover.md).

A technician who leaves carries stock in their van (车载库). On leaving:

* the requisitions into the van not yet issued (draft, awaiting approval, approved) are cancelled
  (``requisition_cancel``: an approved one frees its reservation in the warehouse; a timeline
  entry on the job's ticket): the job goes back to dispatch and the next technician asks again;
* the van's stock moves by transfer (``transfer_create``, out and in at once: ledger lines
  ``transfer_out`` / ``transfer_in`` and the audit row, as a transfer by hand) to the successor's
  van when the successor is a technician with an open van, else back to a warehouse: an open
  regional warehouse of the van's region (the first by code), else an open central one;
* the van, emptied, is closed (``van_close``; its ledger stays).

What no transfer can move stays in the van, which then stays open, listed for a person: stock
promised to somebody (reserved), parts no longer in the catalogue, transfers still on their way
to the van, or everything when no warehouse is open to take it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import Role, User
from aftersales.core.errors import DomainError
from aftersales.core.i18n import Deferred, deferred, rendered_lazy

from . import stock
from .models import Part, Requisition, RequisitionStatus, Stock, TransferLine, TransferStatus, Warehouse, WarehouseKind
from .services import MAX_LINES, MAX_QUANTITY, requisition_cancel, stock_set_levels, transfer_create, van_close

STOCK = "van_stock"
REQUISITIONS = "van_requisitions"
LEFT = "van_stock_left"
OPEN_REQUISITION = (RequisitionStatus.DRAFT, RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED)
SHOWN_LINES = 20  # the label names at most this many parts ("… +n")


@dataclass(frozen=True)
class VanContents:
    """What the van holds: the units a transfer may move (per part) and those it may not."""

    movable: list[tuple[Part, int]]
    left: int

    @property
    def units(self) -> int:
        return sum(quantity for _part, quantity in self.movable)


def _van(user: User) -> Warehouse | None:
    return Warehouse.objects.filter(kind=WarehouseKind.VAN, technician=user).first()


def _contents(van: Warehouse, rows: list[Stock]) -> VanContents:
    """Split the van's rows: a transfer moves what is on hand and not promised (reserved) of a
    part still in the catalogue, from an open van; the rest, and what is on its way in, stays."""
    movable: list[tuple[Part, int]] = []
    left = _arriving(van)
    for row in rows:
        free = row.on_hand - row.reserved if van.active and row.part.active else 0
        if free > 0:
            movable.append((row.part, free))
        left += row.on_hand - max(free, 0)
    return VanContents(movable=movable, left=left)


def _arriving(van: Warehouse) -> int:
    """Units on transfers still in transit to the van."""
    lines = TransferLine.objects.filter(transfer__to_warehouse=van, transfer__status=TransferStatus.IN_TRANSIT)
    return int(lines.aggregate(total=Sum("quantity"))["total"] or 0)


def _rows(van: Warehouse) -> list[Stock]:
    return list(Stock.objects.filter(warehouse=van, on_hand__gt=0).select_related("part").order_by("part__number"))


def _open_requisitions(van: Warehouse) -> list[Requisition]:
    found = Requisition.objects.filter(van=van, status__in=OPEN_REQUISITION).select_related("work_order")
    return sorted(found, key=lambda r: (r.work_order.ticket_id, r.pk))  # the tickets' key order


def _lines_label(message: str | Promise, lines: list[tuple[Part, int]], **params: object) -> Deferred:
    shown = [f"{part.name}×{quantity}" for part, quantity in lines[:SHOWN_LINES]]
    if len(lines) > SHOWN_LINES:
        shown.append(f"… +{len(lines) - SHOWN_LINES}")
    return deferred(message, lines=shown, **params)


def _stock_url(van: Warehouse) -> str:
    return reverse("parts:stock") + f"?warehouse={van.pk}" if van.active else reverse("parts:transfers")


def _holdings(*, stock_label: Deferred, units: int, stock_url: str, cancelled: int, left: int) -> list[Holding]:
    return [
        Holding(kind=STOCK, label=rendered_lazy(stock_label), count=units, url=stock_url),
        Holding(
            kind=REQUISITIONS,
            label=_("Requisitions into the van not yet issued: cancelled (reservations released)"),
            count=cancelled,
            url=reverse("parts:requisitions"),
        ),
        Holding(
            kind=LEFT,
            label=_("Van stock no transfer can move (reserved, out of the catalogue or on its way): the van stays open"),
            count=left,
            url=reverse("parts:transfers"),
            moved=False,
        ),
    ]


def staff_holdings(*, user: User) -> list[Holding]:
    """``STAFF_HOLDINGS``: the parts in the person's van and their quantities (in the label),
    the requisitions into it not yet issued, and what no transfer can move."""
    van = _van(user)
    if van is None:
        return _holdings(stock_label=deferred(_("Parts in the van")), units=0, stock_url="", cancelled=0, left=0)
    contents = _contents(van, _rows(van))
    label = (
        _lines_label(_("Parts in the van: %(lines)s"), contents.movable) if contents.movable else deferred(_("Parts in the van"))
    )
    cancelled = Requisition.objects.filter(van=van, status__in=OPEN_REQUISITION).count()
    return _holdings(stock_label=label, units=contents.units, stock_url=_stock_url(van), cancelled=cancelled, left=contents.left)


def destination_for(*, van: Warehouse, successor: User | None) -> Warehouse | None:
    """Where a leaving technician's van stock goes: the successor's open van when the successor
    is a technician; else an open regional warehouse of the van's region (its technician's
    region when the van has none), the first by code; else an open central warehouse, the first
    by code; None when no warehouse is open."""
    if successor is not None and successor.role == Role.TECHNICIAN:
        theirs = Warehouse.objects.filter(kind=WarehouseKind.VAN, technician=successor, active=True).first()
        if theirs is not None:
            return theirs
    region_id = van.region_id or (van.technician.region_id if van.technician is not None else None)
    warehouses = Warehouse.objects.filter(active=True).order_by("code")
    if region_id is not None:
        regional = warehouses.filter(kind=WarehouseKind.REGIONAL, region_id=region_id).first()
        if regional is not None:
            return regional
    return warehouses.filter(kind=WarehouseKind.CENTRAL).first()


def _pieces(lines: list[tuple[Part, int]]) -> list[list[tuple[Part, int]]]:
    """The transfers to make: at most ``MAX_LINES`` parts each, a quantity above ``MAX_QUANTITY``
    given as several lines of one part (the transfer merges them)."""
    chunks = [lines[i : i + MAX_LINES] for i in range(0, len(lines), MAX_LINES)]
    return [
        [(part, min(MAX_QUANTITY, quantity - start)) for part, quantity in chunk for start in range(0, quantity, MAX_QUANTITY)]
        for chunk in chunks
    ]


def _cancel_requisitions(van: Warehouse, *, user: User, actor: User) -> int:
    reason = gettext("%(name)s has left: ask again for the next technician.") % {"name": user}
    cancelled = 0
    for requisition in _open_requisitions(van):
        try:
            requisition_cancel(requisition=requisition, actor=actor, reason=reason)
        except DomainError:
            requisition.refresh_from_db(fields=["status"])
            if requisition.status in OPEN_REQUISITION:
                raise
            continue  # issued (or cancelled) meanwhile: issued parts are in the van and move with it
        cancelled += 1
    return cancelled


def _lock_van(van: Warehouse, destination: Warehouse | None) -> list[Stock]:
    """Lock the van's rows and the destination's rows of the same parts, all in one go in key
    order (``stock.lock_stock``: the order every parts document takes), and read the van's
    levels under the lock."""
    parts = list(Stock.objects.filter(warehouse=van, on_hand__gt=0).values_list("part_id", flat=True))
    keys = [(van.pk, part_id) for part_id in parts]
    if destination is not None:
        keys += [(destination.pk, part_id) for part_id in parts]
    rows = stock.lock_stock(keys)
    return sorted((row for (warehouse_id, _p), row in rows.items() if warehouse_id == van.pk), key=lambda r: r.part.number)


def staff_leaving(*, user: User, successor: User | None, actor: User, now: dt.datetime) -> list[Holding]:
    """``STAFF_LEAVING``: the open requisitions into the van cancelled, its stock transferred to
    the successor's van or back to a warehouse, the emptied van closed (module docstring)."""
    van = _van(user)
    if van is None:
        return _holdings(stock_label=deferred(_("Parts in the van")), units=0, stock_url="", cancelled=0, left=0)
    cancelled = _cancel_requisitions(van, user=user, actor=actor)
    destination = destination_for(van=van, successor=successor) if van.active else None
    rows = _lock_van(van, destination)
    movable: list[tuple[Part, int]] = []
    if destination is not None:
        movable = _contents(van, rows).movable
        for row in rows:
            if row.min_level and row.part.active:  # a van being emptied is not "low": no alert to the warehouse
                stock_set_levels(warehouse=van, part=row.part, min_level=0, emergency_reserve=row.emergency_reserve, actor=actor)
        note = gettext("Staff handover: %(name)s has left.") % {"name": user}
        for piece in _pieces(movable):
            transfer_create(from_warehouse=van, to_warehouse=destination, lines=piece, actor=actor, note=note)
    left = _arriving(van) + int(Stock.objects.filter(warehouse=van).aggregate(total=Sum("on_hand"))["total"] or 0)
    if van.active and not left:
        van_close(van=van, actor=actor)
    units = sum(quantity for _part, quantity in movable)
    if destination is not None and movable:
        label = _lines_label(_("Van stock, moved to %(warehouse)s: %(lines)s"), movable, warehouse=destination.name_text)
    else:
        label = deferred(_("Parts in the van"))
    return _holdings(stock_label=label, units=units, stock_url=reverse("parts:transfers"), cancelled=cancelled, left=left)
