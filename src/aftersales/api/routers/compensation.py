# ruff: noqa: B008 - django-ninja declares parameters with Query()/Header() defaults
"""API v1: refunds and compensation — list, read (ETag), request from the ticket's REFUND or
COMPENSATION measure (Idempotency-Key), approve/refuse, pay/issue (Idempotency-Key and
If-Match), confirm, cancel (If-Match); scopes ``compensation:read`` / ``compensation:write``.

No ``from __future__ import annotations``: django-ninja reads the body types. Handlers parse,
call one selector or service, present. A key limited to a region sees only that region's tickets.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Schema

from aftersales.compensation import selectors, services
from aftersales.compensation.models import Compensation, CompensationKind, FulfilmentStatus, Refund, RefundMethod
from aftersales.core.errors import NotFound
from aftersales.parts.models import Part, Warehouse
from aftersales.tickets.models import PlanMeasure

from ..caller import Caller
from ..idempotency import idempotent
from ..models import Scope
from ..problems import ApiProblem
from ..selectors import api_ticket_get, api_tickets_visible
from .common import MAX_ID, MAX_PAGE_SIZE, idempotency_header, problems, staff_caller

router = Router(tags=["compensation"])
IF_MATCH_DOC = "The ETag of the refund or compensation as read; 412 when stale, 428 when missing."
MONEY = Field(..., description="CNY with two decimals.")


# --- schemas -------------------------------------------------------------------------------------


class FormulaOut(Schema):
    price: Decimal
    purchased_on: dt.date
    returned_on: dt.date
    days_used: int
    daily_rate: Decimal
    depreciation: Decimal
    fees: Decimal
    amount: Decimal
    text: str = Field(..., description="price − price × daily rate × days − fees = amount")


class HistoryOut(Schema):
    window_days: int
    recent_count: int = Field(
        ..., description="Refunds and compensations of this customer (not refused or cancelled) in the window, this one excluded."
    )
    recent_total: Decimal
    warning: bool


class FulfilmentOut(Schema):
    number: str
    ticket: str
    measure_id: int
    status: FulfilmentStatus
    version: int
    amount: Decimal
    reason: str
    approver_role: str
    approval_rules: str
    requested_by: str | None
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_comment: str
    fulfilled_at: dt.datetime | None
    payment_reference: str
    done_at: dt.datetime | None
    cancel_reason: str
    history: HistoryOut


class RefundOut(FulfilmentOut):
    method: RefundMethod
    formula: FormulaOut
    bank_name: str
    account_name: str = Field(..., description="Masked unless the caller pays refunds (finance, administrator).")
    account_number: str = Field(..., description="Masked unless the caller pays refunds (finance, administrator).")
    rma_number: str
    price_paid_for_unit: Decimal
    refunded_for_unit: Decimal


class CompensationOut(FulfilmentOut):
    kind: CompensationKind
    points: int
    code: str | None
    gift_part: str | None
    gift_quantity: int
    warehouse: str | None


class RefundPage(Schema):
    items: list[RefundOut]
    next_cursor: str | None


class CompensationPage(Schema):
    items: list[CompensationOut]
    next_cursor: str | None


class RefundCreate(Schema):
    ticket: str = Field(..., max_length=32)
    measure_id: int = Field(..., ge=1, le=MAX_ID)
    method: RefundMethod
    price_paid: Decimal | None = Field(
        None, ge=0, lt=Decimal("1e10"), description="From the proof of purchase; required for the unit's first refund."
    )
    purchased_on: dt.date | None = None
    invoice_number: str = Field("", max_length=64)
    returned_on: dt.date | None = None
    daily_rate: Decimal | None = Field(
        None, ge=0, le=1, description="A fraction a day (0.001 = 0.1 %); the default from the settings."
    )
    fees: Decimal = Field(Decimal("0"), ge=0, lt=Decimal("1e10"))
    amount: Decimal | None = Field(None, ge=0, lt=Decimal("1e10"), description="Less than computed, if agreed so; never more.")
    bank_name: str = Field("", max_length=64)
    account_name: str = Field("", max_length=64)
    account_number: str = Field("", max_length=40)
    rma_number: str = Field("", max_length=32)
    reason: str = Field("", max_length=2000)


class CompensationCreate(Schema):
    ticket: str = Field(..., max_length=32)
    measure_id: int = Field(..., ge=1, le=MAX_ID)
    kind: CompensationKind
    amount: Decimal = Field(Decimal("0"), ge=0, lt=Decimal("1e10"), description="The value in CNY; approval is judged by it.")
    points: int = Field(0, ge=0, le=10_000_000)
    gift_part: str = Field("", max_length=40, description="The part number of the gift.")
    gift_quantity: int = Field(0, ge=0, le=1000)
    warehouse: str = Field("", max_length=40, description="The code of the warehouse the gift comes from.")
    reason: str = Field("", max_length=2000)


class DecisionIn(Schema):
    decision: Literal["approve", "refuse"]
    comment: str = Field("", max_length=2000)


class PayIn(Schema):
    payment_reference: str = Field(..., min_length=1, max_length=64)


class IssueIn(Schema):
    payment_reference: str = Field("", max_length=64, description="For cash only.")


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


# --- presenting ----------------------------------------------------------------------------------


def _name(user: Any) -> str | None:
    return str(user) if user is not None else None


def _common(item: Refund | Compensation, caller: Caller) -> dict[str, Any]:
    history = selectors.customer_history(user=caller.user, customer=item.customer, exclude=item)
    return {
        "number": item.number,
        "ticket": item.ticket.number,
        "measure_id": item.measure_id,
        "status": item.status,
        "version": item.version,
        "amount": item.amount,
        "reason": item.reason,
        "approver_role": item.approver_role,
        "approval_rules": item.approval_rules,
        "requested_by": _name(item.requested_by),
        "requested_at": item.requested_at,
        "decided_by": _name(item.decided_by),
        "decided_at": item.decided_at,
        "decision_comment": item.decision_comment,
        "fulfilled_at": item.fulfilled_at,
        "payment_reference": item.payment_reference,
        "done_at": item.done_at,
        "cancel_reason": item.cancel_reason,
        "history": HistoryOut(
            window_days=history.window_days,
            recent_count=history.recent_count,
            recent_total=history.recent_total,
            warning=history.warning,
        ),
    }


def present_refund(refund: Refund, caller: Caller) -> RefundOut:
    formula = FormulaOut(
        price=refund.price,
        purchased_on=refund.purchased_on,
        returned_on=refund.returned_on,
        days_used=refund.days_used,
        daily_rate=refund.daily_rate,
        depreciation=refund.depreciation,
        fees=refund.fees,
        amount=refund.price - refund.depreciation - refund.fees,
        text=f"{refund.price:.2f} − {refund.price:.2f} × {refund.daily_rate.normalize()} × {refund.days_used} − {refund.fees:.2f}"
        f" = {max(refund.price - refund.depreciation - refund.fees, Decimal(0)):.2f}",
    )
    return RefundOut(
        **_common(refund, caller),
        method=refund.method,
        formula=formula,
        bank_name=refund.bank_name,
        account_name=selectors.account_name_shown(caller.user, refund),
        account_number=selectors.bank_account_shown(caller.user, refund),
        rma_number=refund.rma_number,
        price_paid_for_unit=refund.purchase.price_paid,
        refunded_for_unit=services.refund_paid_so_far(refund.purchase),
    )


def present_compensation(item: Compensation, caller: Caller) -> CompensationOut:
    return CompensationOut(
        **_common(item, caller),
        kind=item.kind,
        points=item.points,
        code=item.code,
        gift_part=item.gift_part.number if item.gift_part else None,
        gift_quantity=item.gift_quantity,
        warehouse=item.warehouse.code if item.warehouse else None,
    )


# --- scoping, versions ---------------------------------------------------------------------------


def _refunds(caller: Caller) -> QuerySet[Refund]:
    return selectors.refunds_visible_to(caller.user).filter(ticket__in=api_tickets_visible(caller=caller))


def _compensations(caller: Caller) -> QuerySet[Compensation]:
    return selectors.compensations_visible_to(caller.user).filter(ticket__in=api_tickets_visible(caller=caller))


def _get_refund(caller: Caller, number: str) -> Refund:
    found = _refunds(caller).filter(number=number).first()
    if found is None:
        raise NotFound(_("No such refund."), code="not_found")
    return found


def _get_compensation(caller: Caller, number: str) -> Compensation:
    found = _compensations(caller).filter(number=number).first()
    if found is None:
        raise NotFound(_("No such compensation."), code="not_found")
    return found


def etag(item: Refund | Compensation) -> str:
    return f'W/"{item.number}-{item.version}"'


def _version_from_if_match(request: HttpRequest, item: Refund | Compensation) -> int:
    current = etag(item)
    header = request.headers.get("If-Match")
    if not header:
        raise ApiProblem(
            428,
            _("Send the ETag in If-Match (read it first)."),
            code="if_match_required",
            field="If-Match",
            headers={"ETag": current},
        )
    tags = [t.strip() for t in header.split(",")]
    if "*" in tags or current in tags or current.removeprefix("W/") in tags:
        return item.version
    raise ApiProblem(
        412,
        _("It was changed since you read it; read it again and retry."),
        code="stale_version",
        field="If-Match",
        headers={"ETag": current},
    )


def _measure(caller: Caller, ticket_number: str, measure_id: int) -> PlanMeasure:
    ticket = api_ticket_get(caller=caller, number=ticket_number)
    measure = PlanMeasure.objects.select_related("plan").filter(pk=measure_id, plan__ticket=ticket).first()
    if measure is None:
        raise NotFound(_("No such measure on this ticket."), code="not_found")
    return measure


def _page(qs: QuerySet[Any], cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    if cursor:
        if not cursor.isdigit() or int(cursor) > MAX_ID:
            raise ApiProblem(422, _("The cursor is not valid."), code="cursor_invalid", field="cursor")
        qs = qs.filter(pk__lt=int(cursor))
    rows = list(qs.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (str(rows[-1].pk) if more and rows else None)


# --- refunds ---------------------------------------------------------------------------------------


@router.get("/refunds", response={200: RefundPage, **problems(403)}, summary="List refunds")
def list_refunds(
    request: HttpRequest,
    status: list[FulfilmentStatus] = Query(None, description="Repeat to match several statuses."),
    ticket: str = Query("", max_length=32),
    cursor: str | None = Query(None, max_length=20),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = staff_caller(request, Scope.COMPENSATION_READ)
    qs = _refunds(caller)
    if status:
        qs = qs.filter(status__in=[s.value for s in status])
    if ticket:
        qs = qs.filter(ticket__number=ticket)
    rows, next_cursor = _page(qs, cursor, limit)
    return RefundPage(items=[present_refund(r, caller) for r in rows], next_cursor=next_cursor)


@router.post(
    "/refunds",
    response={201: RefundOut, **problems(403, 404, 409)},
    summary="Request a refund for a REFUND measure of the agreed plan",
)
@idempotent
def create_refund(request: HttpRequest, payload: RefundCreate, idempotency_key: str = idempotency_header()) -> Any:
    caller = staff_caller(request, Scope.COMPENSATION_WRITE)
    measure = _measure(caller, payload.ticket, payload.measure_id)
    data = payload.model_dump(exclude={"ticket", "measure_id"})
    refund = services.refund_request(measure=measure, actor=caller.user, **data)
    fresh = _get_refund(caller, refund.number)
    return 201, present_refund(fresh, caller), {"Location": f"{request.path.rstrip('/')}/{fresh.number}", "ETag": etag(fresh)}


@router.get("/refunds/{number}", response={200: RefundOut, **problems(403, 404)}, summary="Read a refund (ETag)")
def get_refund(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    caller = staff_caller(request, Scope.COMPENSATION_READ)
    refund = _get_refund(caller, number)
    response["ETag"] = etag(refund)
    return present_refund(refund, caller)


def _refund_step(request: HttpRequest, number: str, response: HttpResponse, call: Any) -> Any:
    caller = staff_caller(request, Scope.COMPENSATION_WRITE)
    refund = _get_refund(caller, number)
    call(refund, caller.user, _version_from_if_match(request, refund))
    fresh = _get_refund(caller, number)
    response["ETag"] = etag(fresh)
    return present_refund(fresh, caller)


STEP_PROBLEMS = problems(403, 404, 409, 412, 428)


@router.post(
    "/refunds/{number}/decision", response={200: RefundOut, **STEP_PROBLEMS}, summary="Approve or refuse a refund (If-Match)"
)
def decide_refund(
    request: HttpRequest,
    number: str,
    payload: DecisionIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    return _refund_step(
        request,
        number,
        response,
        lambda r, u, v: services.refund_decide(
            refund=r, actor=u, approve=payload.decision == "approve", comment=payload.comment, expected_version=v
        ),
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
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
    idempotency_key: str = idempotency_header(),
) -> Any:
    body = _refund_step(
        request,
        number,
        response,
        lambda r, u, v: services.refund_pay(refund=r, actor=u, payment_reference=payload.payment_reference, expected_version=v),
    )
    return 200, body, {"ETag": response["ETag"]}


@router.post(
    "/refunds/{number}/confirm",
    response={200: RefundOut, **STEP_PROBLEMS},
    summary="Confirm the payment arrived (done; the measure completes) (If-Match)",
)
def confirm_refund(
    request: HttpRequest,
    number: str,
    payload: NoteIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    return _refund_step(
        request,
        number,
        response,
        lambda r, u, v: services.refund_confirm(refund=r, actor=u, note=payload.note, expected_version=v),
    )


@router.post(
    "/refunds/{number}/cancel", response={200: RefundOut, **STEP_PROBLEMS}, summary="Cancel a refund not yet paid (If-Match)"
)
def cancel_refund(
    request: HttpRequest,
    number: str,
    payload: ReasonIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    return _refund_step(
        request,
        number,
        response,
        lambda r, u, v: services.refund_cancel(refund=r, actor=u, reason=payload.reason, expected_version=v),
    )


# --- compensation ----------------------------------------------------------------------------------


@router.get("/compensations", response={200: CompensationPage, **problems(403)}, summary="List compensations")
def list_compensations(
    request: HttpRequest,
    status: list[FulfilmentStatus] = Query(None, description="Repeat to match several statuses."),
    ticket: str = Query("", max_length=32),
    cursor: str | None = Query(None, max_length=20),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = staff_caller(request, Scope.COMPENSATION_READ)
    qs = _compensations(caller)
    if status:
        qs = qs.filter(status__in=[s.value for s in status])
    if ticket:
        qs = qs.filter(ticket__number=ticket)
    rows, next_cursor = _page(qs, cursor, limit)
    return CompensationPage(items=[present_compensation(c, caller) for c in rows], next_cursor=next_cursor)


@router.post(
    "/compensations",
    response={201: CompensationOut, **problems(403, 404, 409)},
    summary="Request a compensation for a COMPENSATION measure of the agreed plan",
)
@idempotent
def create_compensation(request: HttpRequest, payload: CompensationCreate, idempotency_key: str = idempotency_header()) -> Any:
    caller = staff_caller(request, Scope.COMPENSATION_WRITE)
    measure = _measure(caller, payload.ticket, payload.measure_id)
    part = Part.objects.filter(number=payload.gift_part, active=True).first() if payload.gift_part else None
    warehouse = Warehouse.objects.filter(code=payload.warehouse, active=True).first() if payload.warehouse else None
    if payload.gift_part and part is None:
        raise ApiProblem(422, _("No such part."), code="gift_part_invalid", field="gift_part")
    if payload.warehouse and warehouse is None:
        raise ApiProblem(422, _("No such warehouse."), code="warehouse_invalid", field="warehouse")
    item = services.compensation_request(
        measure=measure,
        actor=caller.user,
        kind=payload.kind,
        amount=payload.amount,
        points=payload.points,
        gift_part=part,
        gift_quantity=payload.gift_quantity,
        warehouse=warehouse,
        reason=payload.reason,
    )
    fresh = _get_compensation(caller, item.number)
    return (
        201,
        present_compensation(fresh, caller),
        {"Location": f"{request.path.rstrip('/')}/{fresh.number}", "ETag": etag(fresh)},
    )


@router.get(
    "/compensations/{number}", response={200: CompensationOut, **problems(403, 404)}, summary="Read a compensation (ETag)"
)
def get_compensation(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    caller = staff_caller(request, Scope.COMPENSATION_READ)
    item = _get_compensation(caller, number)
    response["ETag"] = etag(item)
    return present_compensation(item, caller)


def _compensation_step(request: HttpRequest, number: str, response: HttpResponse, call: Any) -> Any:
    caller = staff_caller(request, Scope.COMPENSATION_WRITE)
    item = _get_compensation(caller, number)
    call(item, caller.user, _version_from_if_match(request, item))
    fresh = _get_compensation(caller, number)
    response["ETag"] = etag(fresh)
    return present_compensation(fresh, caller)


@router.post(
    "/compensations/{number}/decision",
    response={200: CompensationOut, **STEP_PROBLEMS},
    summary="Approve or refuse a compensation (If-Match)",
)
def decide_compensation(
    request: HttpRequest,
    number: str,
    payload: DecisionIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    return _compensation_step(
        request,
        number,
        response,
        lambda c, u, v: services.compensation_decide(
            compensation=c, actor=u, approve=payload.decision == "approve", comment=payload.comment, expected_version=v
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
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
    idempotency_key: str = idempotency_header(),
) -> Any:
    body = _compensation_step(
        request,
        number,
        response,
        lambda c, u, v: services.compensation_issue(
            compensation=c, actor=u, payment_reference=payload.payment_reference, expected_version=v
        ),
    )
    return 200, body, {"ETag": response["ETag"]}


@router.post(
    "/compensations/{number}/confirm",
    response={200: CompensationOut, **STEP_PROBLEMS},
    summary="Confirm the customer got it (done; the measure completes) (If-Match)",
)
def confirm_compensation(
    request: HttpRequest,
    number: str,
    payload: NoteIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    return _compensation_step(
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
    request: HttpRequest,
    number: str,
    payload: ReasonIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    return _compensation_step(
        request,
        number,
        response,
        lambda c, u, v: services.compensation_cancel(compensation=c, actor=u, reason=payload.reason, expected_version=v),
    )
