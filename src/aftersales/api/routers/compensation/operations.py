# ruff: noqa: B008 - django-ninja declares parameters with Query()/Header() defaults
"""The operations: each parses its input and calls one shape of ``resources`` with one service.

No ``from __future__ import annotations``: django-ninja reads the body types."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from aftersales.compensation import services
from aftersales.compensation.models import FulfilmentStatus
from aftersales.parts.models import Part, Warehouse

from ...idempotency import idempotent
from ...problems import ApiProblem
from ..common import MAX_PAGE_SIZE, idempotency_header, problems
from .resources import COMPENSATIONS, REFUNDS, STEP_PROBLEMS, create, if_match_header, list_page, read, step
from .schemas import (
    CompensationCreate,
    CompensationOut,
    CompensationPage,
    DecisionIn,
    IssueIn,
    NoteIn,
    PayIn,
    ReasonIn,
    RefundCreate,
    RefundOut,
    RefundPage,
)

router = Router(tags=["compensation"])
STATUS_DOC = "Repeat to match several statuses."


# --- refunds ---------------------------------------------------------------------------------------


@router.get("/refunds", response={200: RefundPage, **problems(403)}, summary="List refunds")
def list_refunds(
    request: HttpRequest,
    status: list[FulfilmentStatus] = Query(None, description=STATUS_DOC),
    ticket: str = Query("", max_length=32),
    cursor: str | None = Query(None, max_length=20),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    items, next_cursor = list_page(REFUNDS, request, status=status, ticket=ticket, cursor=cursor, limit=limit)
    return RefundPage(items=items, next_cursor=next_cursor)


@router.post(
    "/refunds",
    response={201: RefundOut, **problems(403, 404, 409)},
    summary="Request a refund for a REFUND measure of the agreed plan",
)
@idempotent
def create_refund(request: HttpRequest, payload: RefundCreate, idempotency_key: str = idempotency_header()) -> Any:
    data = payload.model_dump(exclude={"ticket", "measure_id"})
    return create(
        REFUNDS, request, payload.ticket, payload.measure_id, lambda m, u: services.refund_request(measure=m, actor=u, **data)
    )


@router.get("/refunds/{number}", response={200: RefundOut, **problems(403, 404)}, summary="Read a refund (ETag)")
def get_refund(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    return read(REFUNDS, request, number, response)


@router.post(
    "/refunds/{number}/decision", response={200: RefundOut, **STEP_PROBLEMS}, summary="Approve or refuse a refund (If-Match)"
)
def decide_refund(
    request: HttpRequest, number: str, payload: DecisionIn, response: HttpResponse, if_match: str = if_match_header()
) -> Any:
    approve = payload.decision == "approve"
    return step(
        REFUNDS,
        request,
        number,
        response,
        lambda r, u, v: services.refund_decide(refund=r, actor=u, approve=approve, comment=payload.comment, expected_version=v),
    )


@router.post(
    "/refunds/{number}/pay",
    response={200: RefundOut, **STEP_PROBLEMS},
    summary="Record the payment with its reference (finance; If-Match, Idempotency-Key)",
)
@idempotent
def pay_refund(
    request: HttpRequest,
    number: str,
    payload: PayIn,
    response: HttpResponse,
    if_match: str = if_match_header(),
    idempotency_key: str = idempotency_header(),
) -> Any:
    reference = payload.payment_reference
    body = step(
        REFUNDS,
        request,
        number,
        response,
        lambda r, u, v: services.refund_pay(refund=r, actor=u, payment_reference=reference, expected_version=v),
    )
    return 200, body, {"ETag": response["ETag"]}


@router.post(
    "/refunds/{number}/confirm",
    response={200: RefundOut, **STEP_PROBLEMS},
    summary="Confirm the payment arrived (done; the measure completes) (If-Match)",
)
def confirm_refund(
    request: HttpRequest, number: str, payload: NoteIn, response: HttpResponse, if_match: str = if_match_header()
) -> Any:
    return step(
        REFUNDS,
        request,
        number,
        response,
        lambda r, u, v: services.refund_confirm(refund=r, actor=u, note=payload.note, expected_version=v),
    )


@router.post(
    "/refunds/{number}/cancel", response={200: RefundOut, **STEP_PROBLEMS}, summary="Cancel a refund not yet paid (If-Match)"
)
def cancel_refund(
    request: HttpRequest, number: str, payload: ReasonIn, response: HttpResponse, if_match: str = if_match_header()
) -> Any:
    return step(
        REFUNDS,
        request,
        number,
        response,
        lambda r, u, v: services.refund_cancel(refund=r, actor=u, reason=payload.reason, expected_version=v),
    )


# --- compensation ----------------------------------------------------------------------------------


@router.get("/compensations", response={200: CompensationPage, **problems(403)}, summary="List compensations")
def list_compensations(
    request: HttpRequest,
    status: list[FulfilmentStatus] = Query(None, description=STATUS_DOC),
    ticket: str = Query("", max_length=32),
    cursor: str | None = Query(None, max_length=20),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    items, next_cursor = list_page(COMPENSATIONS, request, status=status, ticket=ticket, cursor=cursor, limit=limit)
    return CompensationPage(items=items, next_cursor=next_cursor)


@router.post(
    "/compensations",
    response={201: CompensationOut, **problems(403, 404, 409)},
    summary="Request a compensation for a COMPENSATION measure of the agreed plan",
)
@idempotent
def create_compensation(request: HttpRequest, payload: CompensationCreate, idempotency_key: str = idempotency_header()) -> Any:
    part = Part.objects.filter(number=payload.gift_part, active=True).first() if payload.gift_part else None
    warehouse = Warehouse.objects.filter(code=payload.warehouse, active=True).first() if payload.warehouse else None
    if payload.gift_part and part is None:
        raise ApiProblem(422, _("No such part."), code="gift_part_invalid", field="gift_part")
    if payload.warehouse and warehouse is None:
        raise ApiProblem(422, _("No such warehouse."), code="warehouse_invalid", field="warehouse")
    data = payload.model_dump(include={"kind", "amount", "points", "gift_quantity", "reason"})
    return create(
        COMPENSATIONS,
        request,
        payload.ticket,
        payload.measure_id,
        lambda m, u: services.compensation_request(measure=m, actor=u, gift_part=part, warehouse=warehouse, **data),
    )


@router.get(
    "/compensations/{number}", response={200: CompensationOut, **problems(403, 404)}, summary="Read a compensation (ETag)"
)
def get_compensation(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    return read(COMPENSATIONS, request, number, response)


@router.post(
    "/compensations/{number}/decision",
    response={200: CompensationOut, **STEP_PROBLEMS},
    summary="Approve or refuse a compensation (If-Match)",
)
def decide_compensation(
    request: HttpRequest, number: str, payload: DecisionIn, response: HttpResponse, if_match: str = if_match_header()
) -> Any:
    approve = payload.decision == "approve"
    return step(
        COMPENSATIONS,
        request,
        number,
        response,
        lambda c, u, v: services.compensation_decide(
            compensation=c, actor=u, approve=approve, comment=payload.comment, expected_version=v
        ),
    )


@router.post(
    "/compensations/{number}/issue",
    response={200: CompensationOut, **STEP_PROBLEMS},
    summary="Issue the coupon, points, gift, free service or cash, once (If-Match, Idempotency-Key)",
)
@idempotent
def issue_compensation(
    request: HttpRequest,
    number: str,
    payload: IssueIn,
    response: HttpResponse,
    if_match: str = if_match_header(),
    idempotency_key: str = idempotency_header(),
) -> Any:
    reference = payload.payment_reference
    body = step(
        COMPENSATIONS,
        request,
        number,
        response,
        lambda c, u, v: services.compensation_issue(compensation=c, actor=u, payment_reference=reference, expected_version=v),
    )
    return 200, body, {"ETag": response["ETag"]}


@router.post(
    "/compensations/{number}/confirm",
    response={200: CompensationOut, **STEP_PROBLEMS},
    summary="Confirm the customer got it (done; the measure completes) (If-Match)",
)
def confirm_compensation(
    request: HttpRequest, number: str, payload: NoteIn, response: HttpResponse, if_match: str = if_match_header()
) -> Any:
    return step(
        COMPENSATIONS,
        request,
        number,
        response,
        lambda c, u, v: services.compensation_confirm(compensation=c, actor=u, note=payload.note, expected_version=v),
    )


@router.post(
    "/compensations/{number}/cancel",
    response={200: CompensationOut, **STEP_PROBLEMS},
    summary="Cancel a compensation not yet issued (If-Match)",
)
def cancel_compensation(
    request: HttpRequest, number: str, payload: ReasonIn, response: HttpResponse, if_match: str = if_match_header()
) -> Any:
    return step(
        COMPENSATIONS,
        request,
        number,
        response,
        lambda c, u, v: services.compensation_cancel(compensation=c, actor=u, reason=payload.reason, expected_version=v),
    )
