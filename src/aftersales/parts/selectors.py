"""Reads for spare parts and stock, scoped to the user (names say when they are not).

Interface used by field service:

- ``work_order_parts_used(*, work_order) -> list[UsedPartLine]`` — the parts fitted on a work order
  with the prices and part warranty of the day they were fitted; cost = Σ quantity × unit_cost,
  the customer's charge follows the warranty (see ``part_warranty_until``).
- ``part_warranty_until(*, unit, part, exclude_work_order=None) -> date | None`` — the last day of
  the per-part warranty when ``part`` was fitted on ``unit`` by an earlier work order (installed
  on + the part's warranty months, the day before, as ``catalog.warranty`` counts periods); None
  when it never was. Pass ``exclude_work_order`` (the job being charged) so a part fitted on this
  very job does not make itself free.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, F, Prefetch, Q, QuerySet

from aftersales.accounts.models import User
from aftersales.catalog.warranty import add_months
from aftersales.core.errors import NotFound
from aftersales.core.masking import mask_phone
from aftersales.tickets.selectors import tickets_visible_to

from . import permissions as perms
from .models import (
    FaultyPartReturn,
    FaultyStatus,
    Part,
    PartReturn,
    PartReturnStatus,
    PartUsage,
    Requisition,
    RequisitionLine,
    RequisitionStatus,
    Stock,
    StockMovement,
    Transfer,
    Warehouse,
    WarehouseKind,
)


@dataclass(frozen=True)
class UsedPartLine:
    part: Part
    quantity: int
    unit_cost: Decimal
    unit_price: Decimal
    warranty_months: int
    serial: str

    @property
    def cost(self) -> Decimal:
        return self.unit_cost * self.quantity

    @property
    def price(self) -> Decimal:
        return self.unit_price * self.quantity


def work_order_parts_used(*, work_order: Any) -> list[UsedPartLine]:
    """Parts fitted on ``work_order`` (unscoped: the caller has already checked access)."""
    usages = PartUsage.objects.filter(work_order_id=work_order.pk).select_related("part").order_by("created_at", "id")
    return [
        UsedPartLine(
            part=u.part,
            quantity=u.quantity,
            unit_cost=u.unit_cost,
            unit_price=u.unit_price,
            warranty_months=u.warranty_months,
            serial=u.serial,
        )
        for u in usages
    ]


def part_warranty_until(*, unit: Any, part: Part, exclude_work_order: Any = None) -> dt.date | None:
    """Last day the per-part warranty of ``part`` on ``unit`` covers, from its latest fitting."""
    if unit is None:
        return None
    qs = PartUsage.objects.filter(product_unit_id=unit.pk, part_id=part.pk)
    if exclude_work_order is not None:
        qs = qs.exclude(work_order_id=exclude_work_order.pk)
    best: dt.date | None = None
    for installed_on, months in qs.values_list("installed_on", "warranty_months"):
        if months <= 0:
            continue
        until = add_months(installed_on, months) - dt.timedelta(days=1)
        if best is None or until > best:
            best = until
    return best


# --- Catalogue --------------------------------------------------------------------------------------


def parts_search(*, query: str = "", product_model_id: int | None = None, include_inactive: bool = False) -> QuerySet[Part]:
    """The catalogue (not personal data: any staff may read it), searched by number, name or model."""
    qs = Part.objects.all()
    if not include_inactive:
        qs = qs.filter(active=True)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(name__icontains=query)
            | Q(compatible_models__code__icontains=query)
            | Q(compatible_models__name__icontains=query)
        ).distinct()
    if product_model_id:
        qs = qs.filter(compatible_models__id=product_model_id)
    return qs.prefetch_related("compatible_models").order_by("number")


# --- Stock ------------------------------------------------------------------------------------------


def stock_for_user(
    *, user: User, warehouse_id: int | None = None, query: str = "", low_only: bool = False, include_vans: bool = True
) -> QuerySet[Stock]:
    qs = Stock.objects.filter(warehouse__in=perms.warehouses_visible_to(user)).select_related("warehouse", "part")
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if not include_vans:
        qs = qs.exclude(warehouse__kind=WarehouseKind.VAN)
    query = (query or "").strip()
    if query:
        qs = qs.filter(Q(part__number__icontains=query) | Q(part__name__icontains=query))
    if low_only:
        # available (on hand − reserved) below the minimum level
        qs = qs.filter(on_hand__lt=F("reserved") + F("min_level"))
    return qs.order_by("warehouse__kind", "warehouse__code", "part__number")


def low_stock_for_user(*, user: User) -> QuerySet[Stock]:
    """Rows whose available stock (on hand − reserved) is below their minimum level."""
    return stock_for_user(user=user, low_only=True)


def van_of(*, technician: User) -> Warehouse | None:
    return Warehouse.objects.filter(kind=WarehouseKind.VAN, technician=technician).first()


def van_stock(*, technician: User) -> list[Stock]:
    van = van_of(technician=technician)
    if van is None:
        return []
    return list(Stock.objects.filter(warehouse=van, on_hand__gt=0).select_related("part").order_by("part__number"))


def warehouses_for_user(*, user: User) -> QuerySet[Warehouse]:
    return perms.warehouses_visible_to(user).filter(active=True).select_related("region", "technician")


def source_warehouses() -> QuerySet[Warehouse]:
    """Warehouses parts may be requested from (any active central or regional one)."""
    return Warehouse.objects.filter(active=True).exclude(kind=WarehouseKind.VAN).order_by("kind", "code")


def warehouse_get_for_user(*, user: User, warehouse_id: int) -> Warehouse:
    warehouse = perms.warehouses_visible_to(user).filter(pk=warehouse_id).first()
    if warehouse is None:
        raise NotFound("warehouse not found")
    return warehouse


def ledger_for_user(*, user: User, warehouse_id: int | None = None, part_id: int | None = None) -> QuerySet[StockMovement]:
    qs = StockMovement.objects.filter(warehouse__in=perms.warehouses_visible_to(user)).select_related(
        "part", "warehouse", "actor", "work_order"
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if part_id:
        qs = qs.filter(part_id=part_id)
    return qs.order_by("-created_at", "-id")


# --- Documents ---------------------------------------------------------------------------------------


def _work_orders_of(user: User) -> Q:
    return Q(work_order__technician_id=user.pk)


def requisitions_for_user(*, user: User, status: str = "") -> QuerySet[Requisition]:
    """Stock staff: requisitions from their warehouses; a technician: those of their work orders."""
    qs = Requisition.objects.select_related("warehouse", "van", "requested_by", "work_order__ticket").annotate(
        line_count=Count("lines")
    )
    if perms.is_stock_staff(user):
        qs = qs.filter(warehouse__in=perms.warehouses_visible_to(user))
    elif perms.is_technician(user):
        qs = qs.filter(_work_orders_of(user) | Q(requested_by=user))
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-urgent", "-created_at", "-id")


def requisition_inbox(*, user: User) -> QuerySet[Requisition]:
    """What waits for this user: decisions they may take and approved ones to issue."""
    return requisitions_for_user(user=user).filter(status__in=[RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED])


def requisition_get_for_user(*, user: User, requisition_id: int) -> Requisition:
    requisition = (
        requisitions_for_user(user=user)
        .prefetch_related(Prefetch("lines", queryset=RequisitionLine.objects.select_related("part")))
        .filter(pk=requisition_id)
        .first()
    )
    if requisition is None:
        raise NotFound("requisition not found")
    return requisition


def returns_for_user(*, user: User, status: str = "") -> QuerySet[PartReturn]:
    qs = PartReturn.objects.select_related("warehouse", "van", "technician", "work_order").prefetch_related(
        "lines__part", "faulty__part"
    )
    if perms.is_stock_staff(user):
        qs = qs.filter(warehouse__in=perms.warehouses_visible_to(user))
    elif perms.is_technician(user):
        qs = qs.filter(technician=user)
    else:
        return qs.none()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def returns_to_receive(*, user: User) -> QuerySet[PartReturn]:
    return returns_for_user(user=user, status=PartReturnStatus.SENT) if perms.is_stock_staff(user) else PartReturn.objects.none()


def return_get_for_user(*, user: User, return_id: int) -> PartReturn:
    found = returns_for_user(user=user).filter(pk=return_id).first()
    if found is None:
        raise NotFound("return not found")
    return found


def faulty_awaiting_appraisal(*, user: User) -> QuerySet[FaultyPartReturn]:
    qs = FaultyPartReturn.objects.filter(status=FaultyStatus.RECEIVED).select_related(
        "part", "part_return__warehouse", "part_return__technician", "part_return__work_order", "product_unit__model"
    )
    if perms.is_stock_staff(user):
        return qs.filter(part_return__warehouse__in=perms.warehouses_visible_to(user)).order_by("id")
    if perms.can_appraise(user):
        return qs.order_by("id")
    return qs.none()


def faulty_get_for_user(*, user: User, faulty_id: int) -> FaultyPartReturn:
    found = faulty_awaiting_appraisal(user=user).filter(pk=faulty_id).first()
    if found is None:
        raise NotFound("faulty part not found")
    return found


def transfers_for_user(*, user: User) -> QuerySet[Transfer]:
    if not perms.is_stock_staff(user):
        return Transfer.objects.none()
    visible = perms.warehouses_visible_to(user)
    return (
        Transfer.objects.filter(Q(from_warehouse__in=visible) | Q(to_warehouse__in=visible))
        .select_related("from_warehouse", "to_warehouse", "created_by")
        .prefetch_related("lines__part")
        .order_by("-created_at", "-id")
    )


def transfer_get_for_user(*, user: User, transfer_id: int) -> Transfer:
    found = transfers_for_user(user=user).filter(pk=transfer_id).first()
    if found is None:
        raise NotFound("transfer not found")
    return found


# --- Work order panel -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipmentContact:
    """What a shipment needs and no more: the customer's name, a masked phone and the city."""

    name: str
    phone: str
    city: str


def shipment_contact(*, work_order: Any) -> ShipmentContact:
    ticket = work_order.ticket
    return ShipmentContact(
        name=work_order.contact_name or ticket.contact_name or ticket.customer.name,
        phone=mask_phone(work_order.contact_phone or ticket.contact_phone or ticket.customer.phone),
        city=work_order.city or ticket.city,
    )


def can_view_work_order_parts(*, user: User, work_order: Any) -> bool:
    """Its technician, stock staff, or staff who may see the work order's ticket."""
    if perms.can_work_on_parts_of(user, work_order):
        return True
    if not user.is_authenticated or user.is_customer or perms.is_technician(user):
        return False
    return tickets_visible_to(user).filter(pk=work_order.ticket_id).exists()


def _work_order_model() -> Any:
    """Field service's work order (parts is below field service: looked up, never imported)."""
    return apps.get_model("fieldservice", "WorkOrder")


def work_order_get_for_parts(*, user: User, work_order_id: int) -> Any:
    model = _work_order_model()
    work_order = (
        model.objects.select_related("ticket__customer", "ticket__product_unit__model", "technician")
        .filter(pk=work_order_id)
        .first()
    )
    if work_order is None or not can_view_work_order_parts(user=user, work_order=work_order):
        raise NotFound("work order not found")
    return work_order


@dataclass
class WorkOrderParts:
    work_order: Any
    requisitions: list[Requisition]
    usages: list[PartUsage]
    returns: list[PartReturn]
    van_stock: list[Stock]
    can_request: bool
    can_use: bool
    can_return: bool
    can_issue: bool
    is_stock_staff: bool
    contact: ShipmentContact

    @property
    def parts_cost(self) -> Decimal:
        return sum((u.unit_cost * u.quantity for u in self.usages), Decimal("0"))


# Work order statuses in which a technician still works on the job.
OPEN_WORK = frozenset({"dispatched", "accepted", "on_the_way", "on_site", "rescheduled", "done"})


def work_order_parts(*, user: User, work_order: Any) -> WorkOrderParts:
    """Everything the parts panel of a work order shows, and which actions ``user`` may take."""
    requisitions = list(
        Requisition.objects.filter(work_order_id=work_order.pk)
        .select_related("warehouse", "requested_by")
        .prefetch_related(Prefetch("lines", queryset=RequisitionLine.objects.select_related("part")))
        .order_by("created_at", "id")
    )
    usages = list(PartUsage.objects.filter(work_order_id=work_order.pk).select_related("part").order_by("created_at", "id"))
    returns = list(
        PartReturn.objects.filter(work_order_id=work_order.pk)
        .select_related("warehouse")
        .prefetch_related("lines__part", "faulty__part")
        .order_by("created_at", "id")
    )
    works = perms.can_work_on_parts_of(user, work_order) and work_order.technician_id is not None
    open_job = work_order.status in OPEN_WORK
    van = van_stock(technician=work_order.technician) if works else []
    stock_staff = perms.is_stock_staff(user)
    return WorkOrderParts(
        work_order=work_order,
        requisitions=requisitions,
        usages=usages,
        returns=returns,
        van_stock=van,
        can_request=works and open_job,
        can_use=works and open_job and bool(van),
        can_return=works and bool(van or usages),
        can_issue=stock_staff,
        is_stock_staff=stock_staff,
        contact=shipment_contact(work_order=work_order),
    )


def open_work_orders_of(*, technician: User) -> list[Any]:
    """The technician's own work orders still being worked, soonest appointment first."""
    qs = _work_order_model().objects.filter(technician=technician, status__in=OPEN_WORK).select_related("ticket")
    return list(qs.order_by("appointment_start", "id")[:30])


def request_part_choices(*, work_order: Any) -> QuerySet[Part]:
    """Active parts for the unit's model first; every active part when none is linked to it."""
    ticket = work_order.ticket
    model_id = ticket.product_unit.model_id if ticket.product_unit_id else ticket.product_model_id
    if model_id:
        compatible = Part.objects.filter(active=True, compatible_models__id=model_id).order_by("number")
        if compatible.exists():
            return compatible
    return Part.objects.filter(active=True).order_by("number")


__all__ = [
    "FaultyStatus",
    "PartReturnStatus",
    "RequisitionStatus",
    "ShipmentContact",
    "UsedPartLine",
    "WorkOrderParts",
    "part_warranty_until",
    "work_order_parts_used",
]
