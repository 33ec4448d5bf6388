"""Stock documents: goods receipts, adjustments after a count, transfers between warehouses
(create, list, read, receive) and the appraisal of faulty parts sent back.

Handlers parse, call one selector or service of the parts app, and present the result.
Operation ids keep those of ``aftersales.api.routers.stock_extras`` (public: clients name
methods after them).
"""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from aftersales.fieldservice.action_schemas import WorkOrderNoInput
from aftersales.parts.services import faulty_appraise, stock_adjust, stock_receive, transfer_create, transfer_receive

from ..idempotency import idempotent
from ..models import Scope
from ..routers.common import MAX_ID, MAX_PAGE_SIZE, problems
from ..routers.common import idempotency_header as _idem
from ..routers.common import staff_caller as _staff_caller
from . import presenters as present
from . import schemas as out
from .inputs import parts_by_number, stock_warehouse_for, transfer_destination
from .selectors import api_faulty_awaiting, api_faulty_get, api_transfer_get, api_transfer_page

router = Router(tags=["parts and stock"])
IDS = "aftersales_api_routers_stock_extras_"


@router.post(
    "/stock/receipts",
    response={201: list[out.StockOut], **problems(403, 409, 422)},
    summary="Goods received into a warehouse (purchase, factory delivery; warehouse staff)",
    operation_id=f"{IDS}create_receipt",
)
@idempotent
def create_receipt(request: HttpRequest, payload: out.StockReceiptCreate, idempotency_key: str = _idem()) -> Any:
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
    response={201: out.StockOut, **problems(403, 409, 422)},
    summary="Correct a stock level after a count (an adjustment movement; warehouse staff)",
    operation_id=f"{IDS}create_adjustment",
)
@idempotent
def create_adjustment(request: HttpRequest, payload: out.StockAdjustmentCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    warehouse = stock_warehouse_for(caller=caller, warehouse_id=payload.warehouse_id)
    part = parts_by_number([payload.part_number], field="part")[payload.part_number]
    row = stock_adjust(warehouse=warehouse, part=part, quantity=payload.quantity, actor=caller.user, reason=payload.reason)
    return 201, present.stock(row)


@router.post(
    "/transfers",
    response={201: out.TransferOut, **problems(403, 409, 422)},
    summary="Transfer stock between warehouses (out at once; in at once or on receipt)",
    operation_id=f"{IDS}create_transfer",
)
@idempotent
def create_transfer(request: HttpRequest, payload: out.TransferCreate, idempotency_key: str = _idem()) -> Any:
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
    return 201, present.transfer(api_transfer_get(caller=caller, transfer_id=created.pk))


@router.get(
    "/transfers",
    response={200: out.TransferPage, **problems(403, 422)},
    summary="List transfers",
    operation_id=f"{IDS}list_transfers",
)
def list_transfers(
    request: HttpRequest,
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    page = api_transfer_page(caller=caller, cursor=cursor, limit=limit)
    return out.TransferPage(items=[present.transfer(t) for t in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/transfers/{transfer_id}",
    response={200: out.TransferOut, **problems(403, 404)},
    summary="Read a transfer",
    operation_id=f"{IDS}get_transfer",
)
def get_transfer(request: HttpRequest, transfer_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    return present.transfer(api_transfer_get(caller=caller, transfer_id=transfer_id))


@router.post(
    "/transfers/{transfer_id}/receive",
    response={200: out.TransferOut, **problems(403, 404, 409, 422)},
    summary="Book a transfer in transit into the destination warehouse (its staff)",
    operation_id=f"{IDS}receive_transfer",
)
@idempotent
def receive_transfer(
    request: HttpRequest,
    payload: WorkOrderNoInput,
    transfer_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    transfer_receive(transfer=api_transfer_get(caller=caller, transfer_id=transfer_id), actor=caller.user)
    return 200, present.transfer(api_transfer_get(caller=caller, transfer_id=transfer_id))


@router.get(
    "/faulty-parts",
    response={200: list[out.FaultyPartOut], **problems(403)},
    summary="Faulty parts received and awaiting appraisal (warehouse staff of their warehouses, appraisers)",
    operation_id=f"{IDS}list_faulty_parts",
)
def list_faulty_parts(request: HttpRequest) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    return [present.faulty_part(f) for f in api_faulty_awaiting(caller=caller)[:200]]


@router.post(
    "/faulty-parts/{faulty_id}/appraise",
    response={200: out.FaultyPartOut, **problems(403, 404, 409, 422)},
    summary="Record the appraisal of a received faulty part",
    operation_id=f"{IDS}appraise_faulty_part",
)
@idempotent
def appraise_faulty_part(
    request: HttpRequest,
    payload: out.AppraiseInput,
    faulty_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    faulty = api_faulty_get(caller=caller, faulty_id=faulty_id)
    return 200, present.faulty_part(
        faulty_appraise(faulty=faulty, actor=caller.user, result=payload.result.value, note=payload.note)
    )
