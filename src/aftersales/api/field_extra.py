"""Quotes, acceptance codes, expense claims, permits and files of a work order, and the stock
documents (receipts, adjustments, transfers, faulty-part appraisal) for the API: reads scoped
to the caller (the apps' own rules, narrowed by the key's region) and the response bodies.

Writes are the fieldservice and parts apps' services, called as they are by the routers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.fieldservice.models import ExpenseClaim, WorkOrder, WorkOrderFile, WorkOrderFileKind
from aftersales.parts import selectors as parts_selectors
from aftersales.parts.models import FaultyPartReturn, Transfer, Warehouse

from . import field_schemas as fsch
from .caller import Caller
from .field import _page_by_id, api_warehouses_visible
from .selectors import Page


def _money(value: Decimal | str | None) -> str:
    return f"{Decimal(value or 0):.2f}"


# --- work orders --------------------------------------------------------------------------------


def work_order_file_get(*, work_order: WorkOrder, file_id: int) -> WorkOrderFile:
    item = work_order.files.filter(pk=file_id).first()
    if item is None:
        raise NotFound(_("This work order has no file with this id."), code="file_not_found")
    return item


def work_order_permits(*, work_order: WorkOrder) -> QuerySet[WorkOrderFile]:
    return work_order.files.filter(kind=WorkOrderFileKind.PERMIT).order_by("created_at", "id")


def expense_claims_of(*, work_order: WorkOrder) -> QuerySet[ExpenseClaim]:
    return ExpenseClaim.objects.filter(work_order=work_order).select_related("technician", "decided_by").order_by("id")


def expense_claim_get(*, work_order: WorkOrder, claim_id: int) -> ExpenseClaim:
    claim = expense_claims_of(work_order=work_order).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound(_("This work order has no expense claim with this id."), code="expense_not_found")
    return claim


def quote_out(item: WorkOrder) -> fsch.QuoteOut:
    lines = [
        fsch.QuoteLineOut(
            kind=str(line.get("kind", "")),
            description=str(line.get("description", "")),
            quantity=str(line.get("quantity", "")),
            unit_price=_money(line.get("unit_price")),
            charge_amount=_money(line.get("charge_amount")),
            free=bool(line.get("free")),
            reason=str(line.get("reason", "")),
        )
        for line in item.quote_lines or []
    ]
    return fsch.QuoteOut(
        number=item.number,
        chargeable=item.chargeable,
        sent_at=item.quote_sent_at,
        total=_money(item.quote_total),
        lines=lines,
        confirmed_at=item.quote_confirmed_at,
        confirmed_via=item.quote_confirmed_via,
    )


def expense_out(item: ExpenseClaim, work_order: WorkOrder) -> fsch.ExpenseClaimOut:
    return fsch.ExpenseClaimOut(
        id=item.pk,
        work_order=work_order.number,
        technician=item.technician.get_username(),
        kind=item.kind,  # type: ignore[arg-type]
        amount=_money(item.amount),
        note=item.note,
        receipt=bool(item.receipt),
        receipt_content_type=item.receipt_content_type,
        status=item.status,  # type: ignore[arg-type]
        decided_by=item.decided_by.get_username() if item.decided_by is not None else None,
        decided_at=item.decided_at,
        created_at=item.created_at,
    )


# --- stock documents ----------------------------------------------------------------------------


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
    return _page_by_id(api_transfers_visible(caller=caller), cursor=cursor, limit=limit)


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


def transfer_out(item: Transfer) -> fsch.TransferOut:
    return fsch.TransferOut(
        id=item.pk,
        number=item.number,
        status=item.status,  # type: ignore[arg-type]
        from_warehouse_id=item.from_warehouse_id,
        from_warehouse=item.from_warehouse.name,
        to_warehouse_id=item.to_warehouse_id,
        to_warehouse=item.to_warehouse.name,
        lines=[
            fsch.RequisitionLineOut(part_number=line.part.number, part_name=line.part.name, quantity=line.quantity)
            for line in item.lines.all()
        ],
        note=item.note,
        created_by=item.created_by.get_username(),
        created_at=item.created_at,
        received_at=item.received_at,
    )


def faulty_out(item: FaultyPartReturn) -> fsch.FaultyPartOut:
    part_return: Any = item.part_return
    return fsch.FaultyPartOut(
        id=item.pk,
        part_number=item.part.number,
        part_name=item.part.name,
        serial=item.serial,
        condition=item.condition,
        status=item.status,
        return_number=part_return.number,
        work_order=part_return.work_order.number if part_return.work_order_id else None,
        warehouse_id=part_return.warehouse_id,
        appraisal_result=item.appraisal_result,
        appraisal_note=item.appraisal_note,
        appraised_at=item.appraised_at,
    )
