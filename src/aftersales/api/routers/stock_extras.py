"""Stock documents: goods receipts, adjustments after a count, transfers between warehouses
(create, list, read, receive) and the appraisal of faulty parts sent back.

Handlers parse, call one selector or service of the parts app, and present the result.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from aftersales.parts.services import faulty_appraise, stock_adjust, stock_receive, transfer_create, transfer_receive

from .. import field_presenters as present
from .. import field_schemas as fsch
from ..field import parts_by_number
from ..field_extra import (
    api_faulty_awaiting,
    api_faulty_get,
    api_transfer_get,
    api_transfer_page,
    faulty_out,
    stock_warehouse_for,
    transfer_destination,
    transfer_out,
)
from ..idempotency import idempotent
from ..models import Scope
from .common import MAX_ID, MAX_PAGE_SIZE, problems
from .common import idempotency_header as _idem
from .common import staff_caller as _staff_caller

router = Router(tags=["parts and stock"])


@router.post(
    "/stock/receipts",
    response={201: list[fsch.StockOut], **problems(403, 409, 422)},
    summary="Goods received into a warehouse (purchase, factory delivery; warehouse staff)",
)
@idempotent
def create_receipt(request: HttpRequest, payload: fsch.StockReceiptCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    warehouse = stock_warehouse_for(caller=caller, warehouse_id=payload.warehouse_id)
    parts = parts_by_number([line.part_number for line in payload.lines], field="lines")
    rows = stock_receive(
        warehouse=warehouse,
        lines=[(parts[x.part_number], x.quantity) for x in payload.lines],
        actor=caller.user,
        reference=payload.reference,
        note=payload.note,
    )
    return 201, [present.stock(row) for row in rows]


@router.post(
    "/stock/adjustments",
    response={201: fsch.StockOut, **problems(403, 409, 422)},
    summary="Correct a stock level after a count (an adjustment movement; warehouse staff)",
)
@idempotent
def create_adjustment(request: HttpRequest, payload: fsch.StockAdjustmentCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    warehouse = stock_warehouse_for(caller=caller, warehouse_id=payload.warehouse_id)
    part = parts_by_number([payload.part_number], field="part")[payload.part_number]
    row = stock_adjust(warehouse=warehouse, part=part, quantity=payload.quantity, actor=caller.user, reason=payload.reason)
    return 201, present.stock(row)


@router.post(
    "/transfers",
    response={201: fsch.TransferOut, **problems(403, 409, 422)},
    summary="Transfer stock between warehouses (out at once; in at once or on receipt)",
)
@idempotent
def create_transfer(request: HttpRequest, payload: fsch.TransferCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    source = stock_warehouse_for(caller=caller, warehouse_id=payload.from_warehouse_id, field="from_warehouse_id")
    destination = transfer_destination(warehouse_id=payload.to_warehouse_id)
    parts = parts_by_number([line.part_number for line in payload.lines], field="lines")
    created = transfer_create(
        from_warehouse=source,
        to_warehouse=destination,
        lines=[(parts[x.part_number], x.quantity) for x in payload.lines],
        actor=caller.user,
        note=payload.note,
        in_transit=payload.in_transit,
    )
    return 201, transfer_out(api_transfer_get(caller=caller, transfer_id=created.pk))


@router.get("/transfers", response={200: fsch.TransferPage, **problems(403, 422)}, summary="List transfers")
def list_transfers(
    request: HttpRequest,
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    page = api_transfer_page(caller=caller, cursor=cursor, limit=limit)
    return fsch.TransferPage(items=[transfer_out(t) for t in page.rows], next_cursor=page.next_cursor)


@router.get("/transfers/{transfer_id}", response={200: fsch.TransferOut, **problems(403, 404)}, summary="Read a transfer")
def get_transfer(request: HttpRequest, transfer_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    return transfer_out(api_transfer_get(caller=caller, transfer_id=transfer_id))


@router.post(
    "/transfers/{transfer_id}/receive",
    response={200: fsch.TransferOut, **problems(403, 404, 409, 422)},
    summary="Book a transfer in transit into the destination warehouse (its staff)",
)
@idempotent
def receive_transfer(
    request: HttpRequest,
    payload: fsch.WorkOrderNoInput,
    transfer_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    transfer_receive(transfer=api_transfer_get(caller=caller, transfer_id=transfer_id), actor=caller.user)
    return 200, transfer_out(api_transfer_get(caller=caller, transfer_id=transfer_id))


@router.get(
    "/faulty-parts",
    response={200: list[fsch.FaultyPartOut], **problems(403)},
    summary="Faulty parts received and awaiting appraisal (warehouse staff of their warehouses, appraisers)",
)
def list_faulty_parts(request: HttpRequest) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    return [faulty_out(f) for f in api_faulty_awaiting(caller=caller)[:200]]


@router.post(
    "/faulty-parts/{faulty_id}/appraise",
    response={200: fsch.FaultyPartOut, **problems(403, 404, 409, 422)},
    summary="Record the appraisal of a received faulty part",
)
@idempotent
def appraise_faulty_part(
    request: HttpRequest,
    payload: fsch.AppraiseInput,
    faulty_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    faulty = api_faulty_get(caller=caller, faulty_id=faulty_id)
    return 200, faulty_out(faulty_appraise(faulty=faulty, actor=caller.user, result=payload.result.value, note=payload.note))
