"""Reads of parts and stock for the API, scoped to the caller: the parts app's own rules,
narrowed by the key's region (a regional key: its region's warehouses and those serving every
region, and the documents of its region's work orders and warehouses)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import NotFound
from aftersales.fieldservice.models import WorkOrder
from aftersales.fieldservice.permissions import stock_staff_reaches
from aftersales.parts import selectors as parts_selectors
from aftersales.parts.models import FaultyPartReturn, Part, PartReturn, Requisition, Stock, Transfer, Warehouse
from aftersales.parts.permissions import warehouses_visible_to

from ..caller import Caller
from ..paging import decode_cursor, encode_cursor, page_by_id
from ..selectors import Page
from ..workorders.selectors import region_allows


def api_work_order_for_parts(*, caller: Caller, number: str) -> WorkOrder:
    """A work order for its parts: the parts app's rule (its technician, stock staff, or staff who
    see its ticket), region-scoped stock staff their region's, narrowed by the key's region."""
    work_order = (
        WorkOrder.objects.select_related("ticket__customer", "ticket__product_unit__model", "technician")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if (
        work_order is None
        or not parts_selectors.can_view_work_order_parts(user=caller.user, work_order=work_order)
        or not region_allows(caller, work_order)
        or not stock_staff_reaches(caller.user, work_order)
    ):
        raise NotFound(_("No work order with this number is visible to you."), code="work_order_not_found")
    return work_order


def api_warehouses_visible(*, caller: Caller) -> QuerySet[Warehouse]:
    """The parts app's rule (stock staff by data scope, a technician their van), and a regional
    key only its region's warehouses and those serving every region."""
    qs = warehouses_visible_to(caller.user)
    if caller.region_id is not None:
        qs = qs.filter(Q(region_id=caller.region_id) | Q(region__isnull=True))
    return qs


def api_part_page(*, query: str = "", cursor: str | None = None, limit: int = 25) -> Page[Part]:
    """The active catalogue by part number (keyset on the number)."""
    qs = parts_selectors.parts_search(query=query)
    if cursor:
        qs = qs.filter(number__gt=decode_cursor(cursor))
    rows = list(qs[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].number) if len(rows) > limit else None
    return Page(rows=rows[:limit], next_cursor=next_cursor)


def api_stock_page(
    *,
    caller: Caller,
    warehouse_id: int | None = None,
    query: str = "",
    low_only: bool = False,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[Stock]:
    qs = parts_selectors.stock_for_user(user=caller.user, warehouse_id=warehouse_id, query=query, low_only=low_only)
    qs = qs.filter(warehouse__in=api_warehouses_visible(caller=caller))
    return page_by_id(qs, cursor=cursor, limit=limit, descending=False)


# --- requisitions and returns -------------------------------------------------------------------


def _document_region(caller: Caller) -> Q:
    return Q(work_order__region_id=caller.region_id) | Q(warehouse__region_id=caller.region_id)


def api_requisitions_visible(*, caller: Caller, status: str = "") -> QuerySet[Requisition]:
    qs = parts_selectors.requisitions_for_user(user=caller.user, status=status)
    if caller.region_id is not None:
        qs = qs.filter(_document_region(caller))
    return qs


def api_requisition_get(*, caller: Caller, requisition_id: int) -> Requisition:
    requisition = api_requisitions_visible(caller=caller).prefetch_related("lines__part").filter(pk=requisition_id).first()
    if requisition is None:
        raise NotFound(_("No requisition with this id is visible to you."), code="requisition_not_found")
    return requisition


def api_requisition_page(*, caller: Caller, status: str = "", cursor: str | None = None, limit: int = 25) -> Page[Requisition]:
    qs = api_requisitions_visible(caller=caller, status=status).prefetch_related("lines__part")
    return page_by_id(qs, cursor=cursor, limit=limit)


def api_returns_visible(*, caller: Caller, status: str = "") -> QuerySet[PartReturn]:
    qs = parts_selectors.returns_for_user(user=caller.user, status=status)
    if caller.region_id is not None:
        qs = qs.filter(_document_region(caller))
    return qs


def api_return_get(*, caller: Caller, return_id: int) -> PartReturn:
    found = api_returns_visible(caller=caller).filter(pk=return_id).first()
    if found is None:
        raise NotFound(_("No parts return with this id is visible to you."), code="return_not_found")
    return found


def api_return_page(*, caller: Caller, status: str = "", cursor: str | None = None, limit: int = 25) -> Page[PartReturn]:
    return page_by_id(api_returns_visible(caller=caller, status=status), cursor=cursor, limit=limit)


# --- transfers and faulty parts -----------------------------------------------------------------


def api_transfers_visible(*, caller: Caller) -> QuerySet[Transfer]:
    qs = parts_selectors.transfers_for_user(user=caller.user)
    if caller.region_id is not None:
        visible = api_warehouses_visible(caller=caller)
        qs = qs.filter(Q(from_warehouse__in=visible) | Q(to_warehouse__in=visible))
    return qs


def api_transfer_get(*, caller: Caller, transfer_id: int) -> Transfer:
    found = api_transfers_visible(caller=caller).filter(pk=transfer_id).first()
    if found is None:
        raise NotFound(_("No transfer with this id is visible to you."), code="transfer_not_found")
    return found


def api_transfer_page(*, caller: Caller, cursor: str | None = None, limit: int = 25) -> Page[Transfer]:
    return page_by_id(api_transfers_visible(caller=caller), cursor=cursor, limit=limit)


def api_faulty_awaiting(*, caller: Caller) -> QuerySet[FaultyPartReturn]:
    qs = parts_selectors.faulty_awaiting_appraisal(user=caller.user).select_related("part_return")
    if caller.region_id is not None:
        qs = qs.filter(Q(part_return__warehouse__region_id=caller.region_id) | Q(part_return__warehouse__region__isnull=True))
    return qs


def api_faulty_get(*, caller: Caller, faulty_id: int) -> FaultyPartReturn:
    found = api_faulty_awaiting(caller=caller).filter(pk=faulty_id).first()
    if found is None:
        raise NotFound(_("No faulty part awaiting appraisal with this id is visible to you."), code="faulty_not_found")
    return found
