"""Values of parts and stock requests that name things (warehouses, parts, a technician) → the
objects the services take; a name that does not resolve is a 422 naming the field."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import ValidationFailed
from aftersales.fieldservice.models import WorkOrder
from aftersales.fieldservice.selectors import technician_by_username
from aftersales.parts import selectors as parts_selectors
from aftersales.parts.models import Part, Warehouse
from aftersales.parts.permissions import is_stock_staff

from ..caller import Caller
from .selectors import api_warehouses_visible


def source_warehouse_for(*, caller: Caller, warehouse_id: int) -> Warehouse:
    """A central or regional warehouse parts may be requested from or returned to."""
    qs = parts_selectors.source_warehouses()
    if caller.region_id is not None:
        qs = qs.filter(Q(region_id=caller.region_id) | Q(region__isnull=True))
    warehouse = qs.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise ValidationFailed({"warehouse_id": [_("Choose an active central or regional warehouse.")]}, code="warehouse_invalid")
    return warehouse


def stock_warehouse_for(*, caller: Caller, warehouse_id: int, field: str = "warehouse_id") -> Warehouse:
    """A warehouse the caller sees (the services check they may book stock in it)."""
    warehouse = api_warehouses_visible(caller=caller).filter(pk=warehouse_id, active=True).first()
    if warehouse is None:
        raise ValidationFailed({field: [_("No active warehouse with this id is visible to you.")]}, code="warehouse_invalid")
    return warehouse


def transfer_destination(*, warehouse_id: int) -> Warehouse:
    """Any active warehouse may receive a transfer (its staff book it in)."""
    warehouse = Warehouse.objects.filter(pk=warehouse_id, active=True).first()
    if warehouse is None:
        raise ValidationFailed({"to_warehouse_id": [_("No active warehouse has this id.")]}, code="warehouse_invalid")
    return warehouse


def parts_by_number(numbers: list[str], *, field: str) -> dict[str, Part]:
    found = {p.number: p for p in Part.objects.filter(number__in=set(numbers), active=True)}
    errors = {
        f"{field}.{index}.part_number": [_("No active part has this number.")]
        for index, number in enumerate(numbers)
        if number not in found
    }
    if errors:
        raise ValidationFailed(errors, code="part_invalid")
    return found


def return_technician(*, caller: Caller, work_order: WorkOrder | None, username: str | None) -> User:
    """Whose van the parts leave: the work order's technician, the caller (a technician), or —
    for warehouse staff only — the technician they name."""
    if username is not None:
        if not is_stock_staff(caller.user):
            raise ValidationFailed({"technician": [_("You may not set this field.")]}, code="field_not_allowed")
        return technician_by_username(username)
    if work_order is not None and work_order.technician is not None:
        return work_order.technician
    return caller.user
