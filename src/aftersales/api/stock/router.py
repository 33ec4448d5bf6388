"""Parts and stock: the catalogue, warehouses and stock levels (scoped), requisitions for a
work order (create, submit, decide, issue, cancel), parts used on a work order, returns.

Handlers parse, call one selector or service of the parts app, and present the result.
Operation ids keep those of ``aftersales.api.routers.stock`` (public: clients name methods
after them).
"""

from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router

from aftersales.fieldservice.action_schemas import WorkOrderNoInput
from aftersales.parts import selectors as parts_selectors
from aftersales.parts.models import PartReturnStatus, RequisitionStatus
from aftersales.parts.services import (
    FaultyInput,
    UsedPartInput,
    parts_record_used,
    requisition_cancel,
    requisition_create,
    requisition_decide,
    requisition_issue,
    requisition_submit,
    return_create,
    return_receive,
)

from ..idempotency import idempotent
from ..models import Scope
from ..routers.common import MAX_ID, MAX_PAGE_SIZE, problems
from ..routers.common import idempotency_header as _idem
from ..routers.common import staff_caller as _staff_caller
from . import presenters as present
from . import schemas as out
from .inputs import parts_by_number, return_technician, source_warehouse_for
from .selectors import (
    api_part_page,
    api_requisition_get,
    api_requisition_page,
    api_return_get,
    api_return_page,
    api_stock_page,
    api_warehouses_visible,
    api_work_order_for_parts,
)

router = Router(tags=["parts and stock"])
IDS = "aftersales_api_routers_stock_"


# --- catalogue, warehouses, stock ---------------------------------------------------------------


@router.get(
    "/parts",
    response={200: out.PartPage, **problems(403, 422)},
    summary="Search the parts catalogue",
    operation_id=f"{IDS}list_parts",
)
def list_parts(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="Part number, name, or a compatible model's code or name."),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    _staff_caller(request, Scope.STOCK_READ)
    page = api_part_page(query=q, cursor=cursor, limit=limit)
    return out.PartPage(items=[present.part(p) for p in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/warehouses",
    response={200: list[out.WarehouseOut], **problems(403)},
    summary="Warehouses you may see",
    operation_id=f"{IDS}list_warehouses",
)
def list_warehouses(request: HttpRequest) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    rows = api_warehouses_visible(caller=caller).filter(active=True).select_related("region", "technician")
    return [present.warehouse(w) for w in rows.order_by("kind", "code")]


@router.get(
    "/stock",
    response={200: out.StockPage, **problems(403, 422)},
    summary="Stock levels per warehouse (a technician: their van; warehouse staff: their scope)",
    operation_id=f"{IDS}list_stock",
)
def list_stock(
    request: HttpRequest,
    warehouse_id: int | None = Query(None, ge=1, le=MAX_ID),
    q: str = Query("", max_length=100, description="Part number or name."),
    low_only: bool = Query(False, description="Only rows whose available stock is below the minimum level."),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    page = api_stock_page(caller=caller, warehouse_id=warehouse_id, query=q, low_only=low_only, cursor=cursor, limit=limit)
    return out.StockPage(items=[present.stock(s) for s in page.rows], next_cursor=page.next_cursor)


# --- requisitions -------------------------------------------------------------------------------


@router.post(
    "/work-orders/{wo_number}/requisitions",
    response={201: out.RequisitionOut, **problems(403, 404, 409, 422)},
    summary="Request parts for a work order (a draft; submit it next)",
    operation_id=f"{IDS}create_requisition",
)
@idempotent
def create_requisition(
    request: HttpRequest, wo_number: str, payload: out.RequisitionCreate, idempotency_key: str = _idem()
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    work_order = api_work_order_for_parts(caller=caller, number=wo_number)
    warehouse = source_warehouse_for(caller=caller, warehouse_id=payload.warehouse_id)
    parts = parts_by_number([line.part_number for line in payload.lines], field="lines")
    lines = [(parts[line.part_number], line.quantity) for line in payload.lines]
    created = requisition_create(work_order=work_order, warehouse=warehouse, lines=lines, actor=caller.user, note=payload.note)
    return 201, present.requisition(api_requisition_get(caller=caller, requisition_id=created.pk))


@router.get(
    "/requisitions",
    response={200: out.RequisitionPage, **problems(403, 422)},
    summary="List requisitions",
    operation_id=f"{IDS}list_requisitions",
)
def list_requisitions(
    request: HttpRequest,
    status: RequisitionStatus | None = None,
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    page = api_requisition_page(caller=caller, status=status.value if status else "", cursor=cursor, limit=limit)
    return out.RequisitionPage(items=[present.requisition(r) for r in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/requisitions/{requisition_id}",
    response={200: out.RequisitionOut, **problems(403, 404)},
    summary="Read a requisition",
    operation_id=f"{IDS}get_requisition",
)
def get_requisition(request: HttpRequest, requisition_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    return present.requisition(api_requisition_get(caller=caller, requisition_id=requisition_id))


# State changes take an Idempotency-Key too: a retried submit or issue replays its first answer.
REQUISITION_RESPONSES = {200: out.RequisitionOut, **problems(403, 404, 409, 422)}


@router.post(
    "/requisitions/{requisition_id}/submit",
    response=REQUISITION_RESPONSES,
    summary="Submit a draft requisition",
    operation_id=f"{IDS}submit_requisition",
)
@idempotent
def submit_requisition(
    request: HttpRequest,
    payload: WorkOrderNoInput,
    requisition_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    requisition_submit(requisition=api_requisition_get(caller=caller, requisition_id=requisition_id), actor=caller.user)
    return 200, present.requisition(api_requisition_get(caller=caller, requisition_id=requisition_id))


@router.post(
    "/requisitions/{requisition_id}/decide",
    response=REQUISITION_RESPONSES,
    summary="Approve (reserving the stock) or reject a submitted requisition",
    operation_id=f"{IDS}decide_requisition",
)
@idempotent
def decide_requisition(
    request: HttpRequest,
    payload: out.DecideInput,
    requisition_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    requisition = api_requisition_get(caller=caller, requisition_id=requisition_id)
    requisition_decide(requisition=requisition, actor=caller.user, approve=payload.approve, comment=payload.comment)
    return 200, present.requisition(api_requisition_get(caller=caller, requisition_id=requisition_id))


@router.post(
    "/requisitions/{requisition_id}/issue",
    response=REQUISITION_RESPONSES,
    summary="Issue an approved requisition to the van",
    operation_id=f"{IDS}issue_requisition",
)
@idempotent
def issue_requisition(
    request: HttpRequest,
    payload: WorkOrderNoInput,
    requisition_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    requisition_issue(requisition=api_requisition_get(caller=caller, requisition_id=requisition_id), actor=caller.user)
    return 200, present.requisition(api_requisition_get(caller=caller, requisition_id=requisition_id))


@router.post(
    "/requisitions/{requisition_id}/cancel",
    response=REQUISITION_RESPONSES,
    summary="Withdraw a requisition not yet issued",
    operation_id=f"{IDS}cancel_requisition",
)
@idempotent
def cancel_requisition(
    request: HttpRequest,
    payload: out.CancelRequisitionInput,
    requisition_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    requisition = api_requisition_get(caller=caller, requisition_id=requisition_id)
    requisition_cancel(requisition=requisition, actor=caller.user, reason=payload.reason)
    return 200, present.requisition(api_requisition_get(caller=caller, requisition_id=requisition_id))


# --- parts used on a work order -----------------------------------------------------------------


@router.get(
    "/work-orders/{wo_number}/parts-used",
    response={200: list[out.PartUsedOut], **problems(403, 404)},
    summary="Parts fitted on a work order",
    operation_id=f"{IDS}list_parts_used",
)
def list_parts_used(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    work_order = api_work_order_for_parts(caller=caller, number=wo_number)
    return [present.part_used(u) for u in parts_selectors.work_order_parts(user=caller.user, work_order=work_order).usages]


@router.post(
    "/work-orders/{wo_number}/parts-used",
    response={201: list[out.PartUsedOut], **problems(403, 404, 409, 422)},
    summary="Record parts fitted on the job (taken from the technician's van)",
    operation_id=f"{IDS}record_parts_used",
)
@idempotent
def record_parts_used(request: HttpRequest, wo_number: str, payload: out.PartsUsedCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    work_order = api_work_order_for_parts(caller=caller, number=wo_number)
    parts = parts_by_number([line.part_number for line in payload.lines], field="lines")
    lines = [
        UsedPartInput(part=parts[x.part_number], quantity=x.quantity, serial=x.serial, removed_serial=x.removed_serial)
        for x in payload.lines
    ]
    usages = parts_record_used(work_order=work_order, lines=lines, actor=caller.user)
    return 201, [present.part_used(u) for u in usages]


# --- returns ------------------------------------------------------------------------------------


@router.post(
    "/returns",
    response={201: out.ReturnOut, **problems(403, 404, 409, 422)},
    summary="Return unused parts from a van and faulty parts for appraisal",
    operation_id=f"{IDS}create_return",
)
@idempotent
def create_return(request: HttpRequest, payload: out.ReturnCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    work_order = api_work_order_for_parts(caller=caller, number=payload.work_order) if payload.work_order else None
    warehouse = source_warehouse_for(caller=caller, warehouse_id=payload.warehouse_id)
    unused_parts = parts_by_number([x.part_number for x in payload.unused], field="unused")
    faulty_parts = parts_by_number([x.part_number for x in payload.faulty], field="faulty")
    created = return_create(
        work_order=work_order,
        technician=return_technician(caller=caller, work_order=work_order, username=payload.technician),
        warehouse=warehouse,
        unused=[(unused_parts[x.part_number], x.quantity) for x in payload.unused],
        faulty=[FaultyInput(part=faulty_parts[x.part_number], serial=x.serial, condition=x.condition) for x in payload.faulty],
        actor=caller.user,
    )
    return 201, present.part_return(api_return_get(caller=caller, return_id=created.pk))


@router.get(
    "/returns",
    response={200: out.ReturnPage, **problems(403, 422)},
    summary="List parts returns",
    operation_id=f"{IDS}list_returns",
)
def list_returns(
    request: HttpRequest,
    status: PartReturnStatus | None = None,
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    page = api_return_page(caller=caller, status=status.value if status else "", cursor=cursor, limit=limit)
    return out.ReturnPage(items=[present.part_return(r) for r in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/returns/{return_id}",
    response={200: out.ReturnOut, **problems(403, 404)},
    summary="Read a parts return",
    operation_id=f"{IDS}get_return",
)
def get_return(request: HttpRequest, return_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    caller = _staff_caller(request, Scope.STOCK_READ)
    return present.part_return(api_return_get(caller=caller, return_id=return_id))


@router.post(
    "/returns/{return_id}/receive",
    response={200: out.ReturnOut, **problems(403, 404, 409, 422)},
    summary="Receive a return at the warehouse (warehouse staff)",
    operation_id=f"{IDS}receive_return",
)
@idempotent
def receive_return(
    request: HttpRequest,
    payload: WorkOrderNoInput,
    return_id: int = Path(..., ge=1, le=MAX_ID),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.STOCK_WRITE)
    return_receive(part_return=api_return_get(caller=caller, return_id=return_id), actor=caller.user)
    return 200, present.part_return(api_return_get(caller=caller, return_id=return_id))
