# ruff: noqa: B008 - django-ninja declares parameters with Query()/Header() defaults
"""API v1: service outlets and their settlement statements (网点结算). Read the outlets (with their
contract rates) and the statements (ETag) in the caller's scope; draft a month's statement
(``Idempotency-Key``; the existing one when the month has it); each step (``If-Match`` with the
statement's ETag): recalculate, adjust a line, confirm, dispute, reopen, approve, pay, cancel.
Handlers parse, call one selector or service, and present.

No ``from __future__ import annotations`` here: django-ninja reads the body types.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Schema
from pydantic import Field

from aftersales.accounts.models import ServiceOutlet
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.outlets import selectors, services
from aftersales.outlets.models import Settlement, SettlementLine, SettlementStatus
from aftersales.outlets.permissions import led_outlet_ids, offered_actions
from aftersales.tickets.action_schemas import Input

from ..caller import Caller
from ..conditional import checked_version, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..paging import page_by_id
from ..schemas import IsoDate
from .common import MAX_ID, MAX_PAGE_SIZE, problems
from .common import idempotency_header as _idem
from .common import staff_caller as _staff_caller

router = Router(tags=["outlets"])
IF_MATCH_DOC = "The ETag of the statement as read (GET /settlements/{number}); 412 when stale, 428 when missing."
Number = Annotated[str, Field(min_length=1, max_length=40)]
Code = Annotated[str, Field(min_length=1, max_length=32)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


# --- bodies ----------------------------------------------------------------------------------------


class SettlementCreate(Input):
    """Draft an outlet's statement of a month (or get the one it has)."""

    outlet: Code
    month: Month


class ReasonBody(Input):
    reason: Reason


class EmptyBody(Input):
    pass


class PayBody(Input):
    payment_reference: Annotated[str, Field(min_length=1, max_length=64)]
    paid_on: IsoDate


class AdjustBody(Input):
    adjustment: Annotated[Decimal, Field(ge=Decimal("-999999999.99"), le=Decimal("999999999.99"), decimal_places=2)]
    reason: Annotated[str, Field(max_length=2000)] = ""


# --- answers ---------------------------------------------------------------------------------------


class OutletOut(Schema):
    code: str
    name: str
    kind: str
    company: str
    contact_name: str
    phone: str
    email: str
    province: str
    city: str
    district: str
    address: str
    active: bool
    regions: list[str]
    team: str
    dispatcher: str
    call_out_fee: Decimal
    labour_rate: Decimal
    travel_rate: Decimal
    repeat_penalty: Decimal
    contract_from: dt.date | None
    contract_until: dt.date | None


class OutletPage(Schema):
    items: list[OutletOut]
    next_cursor: str | None


class SettlementLineOut(Schema):
    id: int
    work_order: str
    ticket: str
    technician: str
    accepted_at: dt.datetime
    visits: int
    labour_hours: Decimal
    travel_km: Decimal
    call_out_amount: Decimal
    labour_amount: Decimal
    travel_amount: Decimal
    repeat_of: str
    penalty_amount: Decimal
    adjustment: Decimal
    adjustment_reason: str
    amount: Decimal


class SettlementOut(Schema):
    number: str
    outlet: str
    period_start: dt.date
    period_end: dt.date
    status: str
    status_label: str
    version: int
    call_out_fee: Decimal
    labour_rate: Decimal
    travel_rate: Decimal
    repeat_penalty: Decimal
    line_count: int
    total_call_out: Decimal
    total_labour: Decimal
    total_travel: Decimal
    total_penalty: Decimal
    total_adjustment: Decimal
    total_amount: Decimal
    dispute_reason: str
    payment_reference: str
    paid_on: dt.date | None
    cancel_reason: str
    drafted_at: dt.datetime
    actions: list[str]
    lines: list[SettlementLineOut] | None = None


class SettlementPage(Schema):
    items: list[SettlementOut]
    next_cursor: str | None


# --- helpers ---------------------------------------------------------------------------------------


def _outlet(caller: Caller, code: str, *, field: str | None = None) -> ServiceOutlet:
    try:
        return selectors.outlet_get_for_user(user=caller.user, code=code.strip().lower())
    except NotFound:
        if field is None:
            raise
        raise ValidationFailed(
            {field: [_("No service outlet with this code is visible to you.")]}, code="outlet_invalid"
        ) from None


def _settlement(caller: Caller, number: str) -> Settlement:
    return selectors.settlement_get_for_user(user=caller.user, number=number.strip().upper())


def _version_from_if_match(request: HttpRequest, settlement: Settlement) -> int:
    return checked_version(
        request,
        settlement,
        missing=_("Send the statement's ETag in If-Match (read the statement first)."),
        stale=_("The statement was changed since you read it; read it again and retry."),
    )


def present_outlet(outlet: ServiceOutlet) -> OutletOut:
    team = outlet.team
    return OutletOut(
        code=outlet.code,
        name=outlet.name,
        kind=outlet.kind,
        company=outlet.company,
        contact_name=outlet.contact_name,
        phone=outlet.phone,
        email=outlet.email,
        province=outlet.province,
        city=outlet.city,
        district=outlet.district,
        address=outlet.address,
        active=outlet.active,
        regions=[r.code for r in outlet.regions.all()],
        team=team.name if team else "",
        dispatcher=team.leader.username if team and team.leader else "",
        call_out_fee=outlet.call_out_fee,
        labour_rate=outlet.labour_rate,
        travel_rate=outlet.travel_rate,
        repeat_penalty=outlet.repeat_penalty,
        contract_from=outlet.contract_from,
        contract_until=outlet.contract_until,
    )


def present_line(line: SettlementLine) -> SettlementLineOut:
    return SettlementLineOut(
        id=line.pk,
        work_order=line.work_order.number,
        ticket=line.work_order.ticket.number,
        technician=line.work_order.technician.username if line.work_order.technician else "",
        accepted_at=line.completed_at,
        visits=line.visits,
        labour_hours=line.labour_hours,
        travel_km=line.travel_km,
        call_out_amount=line.call_out_amount,
        labour_amount=line.labour_amount,
        travel_amount=line.travel_amount,
        repeat_of=line.repeat_of,
        penalty_amount=line.penalty_amount,
        adjustment=line.adjustment,
        adjustment_reason=line.adjustment_reason,
        amount=line.amount,
    )


def present(caller: Caller, settlement: Settlement, *, with_lines: bool, led: list[int] | None = None) -> SettlementOut:
    return SettlementOut(
        number=settlement.number,
        outlet=settlement.outlet.code,
        period_start=settlement.period_start,
        period_end=settlement.period_end,
        status=settlement.status,
        status_label=str(SettlementStatus(settlement.status).label),
        version=settlement.version,
        call_out_fee=settlement.call_out_fee,
        labour_rate=settlement.labour_rate,
        travel_rate=settlement.travel_rate,
        repeat_penalty=settlement.repeat_penalty,
        line_count=settlement.line_count,
        total_call_out=settlement.total_call_out,
        total_labour=settlement.total_labour,
        total_travel=settlement.total_travel,
        total_penalty=settlement.total_penalty,
        total_adjustment=settlement.total_adjustment,
        total_amount=settlement.total_amount,
        dispute_reason=settlement.dispute_reason,
        payment_reference=settlement.payment_reference,
        paid_on=settlement.paid_on,
        cancel_reason=settlement.cancel_reason,
        drafted_at=settlement.drafted_at,
        actions=sorted(offered_actions(caller.user, settlement, led=led)),
        lines=[present_line(line) for line in selectors.settlement_lines(settlement)] if with_lines else None,
    )


def _answer(caller: Caller, number: str, response: HttpResponse) -> SettlementOut:
    fresh = _settlement(caller, number)
    response["ETag"] = version_etag(fresh)
    return present(caller, fresh, with_lines=True)


def _step(request: HttpRequest, number: str, response: HttpResponse, service: Any, **arguments: Any) -> SettlementOut:
    """One step of a statement: the caller (``outlets:write``), the statement in its scope, the
    version from ``If-Match``, the service, and the statement as it is now (with its new ETag)."""
    caller = _staff_caller(request, Scope.OUTLETS_WRITE)
    settlement = _settlement(caller, number)
    service(settlement=settlement, actor=caller.user, expected_version=_version_from_if_match(request, settlement), **arguments)
    return _answer(caller, number, response)


# --- reads -----------------------------------------------------------------------------------------


@router.get("/outlets", response={200: OutletPage, **problems(403)}, summary="List service outlets")
def list_outlets(
    request: HttpRequest,
    active: bool | None = Query(None, description="Only active (true) or inactive (false) outlets."),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.OUTLETS_READ)
    qs = selectors.outlets_visible_to(caller.user).select_related("team__leader").prefetch_related("regions")
    if active is not None:
        qs = qs.filter(active=active)
    page = page_by_id(qs, cursor=cursor, limit=limit, descending=False)
    return OutletPage(items=[present_outlet(o) for o in page.rows], next_cursor=page.next_cursor)


@router.get("/outlets/{code}", response={200: OutletOut, **problems(403, 404)}, summary="Read a service outlet")
def get_outlet(request: HttpRequest, code: str) -> Any:
    caller = _staff_caller(request, Scope.OUTLETS_READ)
    return present_outlet(_outlet(caller, code))


@router.get("/settlements", response={200: SettlementPage, **problems(403)}, summary="List settlement statements")
def list_settlements(
    request: HttpRequest,
    outlet: str = Query("", max_length=32, description="Only this outlet's statements (its code)."),
    status: list[SettlementStatus] = Query(None, description="Repeat to match several statuses."),
    since: IsoDate | None = Query(None, description="Periods ending on or after this day (YYYY-MM-DD)."),
    until: IsoDate | None = Query(None, description="Periods starting on or before this day (YYYY-MM-DD)."),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.OUTLETS_READ)
    qs = selectors.settlement_list(
        user=caller.user,
        outlet=_outlet(caller, outlet, field="outlet") if outlet else None,
        statuses=[s.value for s in status] if status else None,
        since=since,
        until=until,
    )
    page = page_by_id(qs, cursor=cursor, limit=limit)
    led = led_outlet_ids(caller.user)  # once for the page, not once per statement
    return SettlementPage(items=[present(caller, s, with_lines=False, led=led) for s in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/settlements/{number}", response={200: SettlementOut, **problems(403, 404)}, summary="Read a statement with its lines (ETag)"
)
def get_settlement(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    caller = _staff_caller(request, Scope.OUTLETS_READ)
    return _answer(caller, number, response)


# --- writes ----------------------------------------------------------------------------------------


@router.post(
    "/settlements",
    response={200: SettlementOut, 201: SettlementOut, **problems(403, 409, 422)},
    summary="Draft an outlet's statement of a month (201), or the one it has (200) (Idempotency-Key)",
)
@idempotent
def draft_settlement(request: HttpRequest, payload: SettlementCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.OUTLETS_WRITE)
    outlet = _outlet(caller, payload.outlet, field="outlet")
    month = dt.date.fromisoformat(f"{payload.month}-01")
    drafted = services.settlement_draft(outlet=outlet, actor=caller.user, period_start=month)
    assert drafted.settlement is not None
    settlement = _settlement(caller, drafted.settlement.number)
    headers = {"Location": f"{request.path.rstrip('/')}/{settlement.number}", "ETag": version_etag(settlement)}
    return (201 if drafted.created else 200), present(caller, settlement, with_lines=True), headers


STEP_PROBLEMS = problems(403, 404, 409, 412, 422, 428)


def _if_match() -> Any:
    return Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC)


@router.post("/settlements/{number}/recalculate", response={200: SettlementOut, **STEP_PROBLEMS}, summary="Recalculate a draft")
def recalculate_settlement(
    request: HttpRequest, number: str, payload: EmptyBody, response: HttpResponse, if_match: str = _if_match()
) -> Any:
    return _step(request, number, response, services.settlement_recalculate)


@router.post(
    "/settlements/{number}/lines/{line_id}/adjust",
    response={200: SettlementOut, **STEP_PROBLEMS},
    summary="Set a draft line's manual adjustment (with a reason)",
)
def adjust_settlement_line(
    request: HttpRequest,
    number: str,
    line_id: Annotated[int, Field(ge=1, le=MAX_ID)],
    payload: AdjustBody,
    response: HttpResponse,
    if_match: str = _if_match(),
) -> Any:
    return _step(
        request,
        number,
        response,
        services.settlement_adjust_line,
        line_id=line_id,
        adjustment=payload.adjustment,
        reason=payload.reason,
    )


@router.post(
    "/settlements/{number}/confirm", response={200: SettlementOut, **STEP_PROBLEMS}, summary="The outlet confirms the draft"
)
def confirm_settlement(
    request: HttpRequest, number: str, payload: EmptyBody, response: HttpResponse, if_match: str = _if_match()
) -> Any:
    return _step(request, number, response, services.settlement_confirm)


@router.post(
    "/settlements/{number}/dispute", response={200: SettlementOut, **STEP_PROBLEMS}, summary="The outlet disputes the draft"
)
def dispute_settlement(
    request: HttpRequest, number: str, payload: ReasonBody, response: HttpResponse, if_match: str = _if_match()
) -> Any:
    return _step(request, number, response, services.settlement_dispute, reason=payload.reason)


@router.post("/settlements/{number}/reopen", response={200: SettlementOut, **STEP_PROBLEMS}, summary="Back to draft")
def reopen_settlement(
    request: HttpRequest, number: str, payload: EmptyBody, response: HttpResponse, if_match: str = _if_match()
) -> Any:
    return _step(request, number, response, services.settlement_reopen)


@router.post(
    "/settlements/{number}/approve", response={200: SettlementOut, **STEP_PROBLEMS}, summary="Approve a confirmed statement"
)
def approve_settlement(
    request: HttpRequest, number: str, payload: EmptyBody, response: HttpResponse, if_match: str = _if_match()
) -> Any:
    return _step(request, number, response, services.settlement_approve)


@router.post("/settlements/{number}/pay", response={200: SettlementOut, **STEP_PROBLEMS}, summary="Record the payment (finance)")
def pay_settlement(
    request: HttpRequest, number: str, payload: PayBody, response: HttpResponse, if_match: str = _if_match()
) -> Any:
    return _step(request, number, response, services.settlement_pay, reference=payload.payment_reference, paid_on=payload.paid_on)


@router.post(
    "/settlements/{number}/cancel", response={200: SettlementOut, **STEP_PROBLEMS}, summary="Cancel a draft or disputed statement"
)
def cancel_settlement(
    request: HttpRequest, number: str, payload: ReasonBody, response: HttpResponse, if_match: str = _if_match()
) -> Any:
    return _step(request, number, response, services.settlement_cancel, reason=payload.reason)
