# ruff: noqa: B008 - django-ninja declares parameters with Query()/Header() defaults
"""API v1: technicians' cash advances (借款单) and travel reimbursements (差旅费报销单) in the
caller's scope. Read them (ETag); request an advance and draft a reimbursement
(``Idempotency-Key``); each step (``If-Match`` with the document's ETag) is one endpoint per
declaration of ``travel.actions``. Handlers parse, call one selector or service, and present.

No ``from __future__ import annotations`` here: django-ninja reads the body types.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Schema
from pydantic import Field

from aftersales.core.errors import ValidationFailed
from aftersales.tickets.action_schemas import Input
from aftersales.travel import actions, selectors, services
from aftersales.travel.models import AdvanceStatus, CashAdvance, Reimbursement, ReimbursementLine, ReimbursementStatus
from aftersales.travel.permissions import Reach, advance_actions, reach_of, reimbursement_actions

from ..conditional import checked_version, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..paging import page_by_id
from ..schemas import IsoDate
from .common import MAX_ID, MAX_PAGE_SIZE, problems
from .common import idempotency_header as _idem
from .common import staff_caller as _staff_caller

router = Router(tags=["travel"])
IF_MATCH_DOC = "The ETag of the document as read (GET); 412 when stale, 428 when missing."
Money = Annotated[Decimal, Field(gt=Decimal("0"), le=Decimal("999999999.99"), decimal_places=2)]


# --- bodies ----------------------------------------------------------------------------------------


class AdvanceCreate(Input):
    """A technician requests a cash advance for himself."""

    purpose: Annotated[str, Field(min_length=1, max_length=500)]
    amount: Money
    trip_from: IsoDate
    trip_until: IsoDate
    work_orders: Annotated[list[Annotated[str, Field(min_length=1, max_length=32)]], Field(max_length=50)] = []


class ReimbursementCreate(Input):
    """Draft a technician's reimbursement: every approved, unreimbursed claim and paid, unsettled
    advance, or those chosen."""

    technician: Annotated[str, Field(max_length=150)] = Field("", description="Username; empty: the caller himself.")
    claims: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(None, max_length=500)
    advances: list[Annotated[str, Field(min_length=1, max_length=32)]] | None = Field(None, max_length=200)


# --- answers ---------------------------------------------------------------------------------------


class AdvanceOut(Schema):
    number: str
    technician: str
    purpose: str
    trip_from: dt.date
    trip_until: dt.date
    work_orders: list[str] | None = None
    amount: Decimal
    outstanding: Decimal
    status: str
    status_label: str
    version: int
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    reject_reason: str
    paid_at: dt.datetime | None
    payment_method: str
    payment_reference: str
    settled_at: dt.datetime | None
    settle_due_on: dt.date | None = Field(
        description="While paid: the last day to settle it with a reimbursement (TRAVEL_ADVANCE_SETTLE_DAYS after "
        "the day it was paid); null otherwise, or when the rule is off."
    )
    overdue: bool = Field(description="Paid, not settled, and settle_due_on is past: overdue for settlement.")
    actions: list[str]


class AdvancePage(Schema):
    items: list[AdvanceOut]
    next_cursor: str | None


class LineOut(Schema):
    id: int
    kind: str
    claim: int | None
    work_order: str
    advance: str
    amount: Decimal


class ReimbursementOut(Schema):
    number: str
    technician: str
    status: str
    status_label: str
    version: int
    total_claims: Decimal
    total_advances: Decimal
    net: Decimal
    direction: str
    drafted_at: dt.datetime
    posted_at: dt.datetime | None
    closed_at: dt.datetime | None
    payout_method: str
    payout_reference: str
    cancel_reason: str
    actions: list[str]
    lines: list[LineOut] | None = None


class ReimbursementPage(Schema):
    items: list[ReimbursementOut]
    next_cursor: str | None


# --- presenting ------------------------------------------------------------------------------------


def present_advance(caller: Any, advance: CashAdvance, *, with_work_orders: bool, reach: Reach | None = None) -> AdvanceOut:
    return AdvanceOut(
        number=advance.number,
        technician=advance.technician.username,
        purpose=advance.purpose,
        trip_from=advance.trip_from,
        trip_until=advance.trip_until,
        work_orders=[wo.number for wo in advance.work_orders.order_by("number")] if with_work_orders else None,
        amount=advance.amount,
        outstanding=advance.outstanding,
        status=advance.status,
        status_label=str(AdvanceStatus(advance.status).label),
        version=advance.version,
        requested_at=advance.requested_at,
        decided_at=advance.decided_at,
        reject_reason=advance.reject_reason,
        paid_at=advance.paid_at,
        payment_method=advance.payment_method,
        payment_reference=advance.payment_reference,
        settled_at=advance.settled_at,
        settle_due_on=advance.settle_due_on,
        overdue=advance.overdue,
        actions=sorted(advance_actions(caller.user, advance, reach=reach)),
    )


def present_line(line: ReimbursementLine) -> LineOut:
    return LineOut(
        id=line.pk,
        kind=line.kind,
        claim=line.claim_id,
        work_order=line.claim.work_order.number if line.claim is not None else "",
        advance=line.advance.number if line.advance is not None else "",
        amount=line.amount,
    )


def present_reimbursement(
    caller: Any, reimbursement: Reimbursement, *, with_lines: bool, reach: Reach | None = None
) -> ReimbursementOut:
    return ReimbursementOut(
        number=reimbursement.number,
        technician=reimbursement.technician.username,
        status=reimbursement.status,
        status_label=str(ReimbursementStatus(reimbursement.status).label),
        version=reimbursement.version,
        total_claims=reimbursement.total_claims,
        total_advances=reimbursement.total_advances,
        net=reimbursement.net,
        direction=reimbursement.direction,
        drafted_at=reimbursement.drafted_at,
        posted_at=reimbursement.posted_at,
        closed_at=reimbursement.closed_at,
        payout_method=reimbursement.payout_method,
        payout_reference=reimbursement.payout_reference,
        cancel_reason=reimbursement.cancel_reason,
        actions=sorted(reimbursement_actions(caller.user, reimbursement, reach=reach)),
        lines=[present_line(line) for line in selectors.reimbursement_lines(reimbursement)] if with_lines else None,
    )


def _advance_answer(caller: Any, number: str, response: HttpResponse) -> AdvanceOut:
    fresh = selectors.advance_get_for_user(user=caller.user, number=number)
    response["ETag"] = version_etag(fresh)
    return present_advance(caller, fresh, with_work_orders=True)


def _reimbursement_answer(caller: Any, number: str, response: HttpResponse) -> ReimbursementOut:
    fresh = selectors.reimbursement_get_for_user(user=caller.user, number=number)
    response["ETag"] = version_etag(fresh)
    return present_reimbursement(caller, fresh, with_lines=True)


# --- advances --------------------------------------------------------------------------------------


@router.get("/advances", response={200: AdvancePage, **problems(403)}, summary="List cash advances")
def list_advances(
    request: HttpRequest,
    status: list[AdvanceStatus] = Query(None, description="Repeat to match several statuses."),
    technician: str = Query("", max_length=64, description="A part of the technician's username or name."),
    since: IsoDate | None = Query(None, description="Trips ending on or after this day (YYYY-MM-DD)."),
    until: IsoDate | None = Query(None, description="Trips starting on or before this day (YYYY-MM-DD)."),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.TRAVEL_READ)
    qs = selectors.advance_list(
        user=caller.user, statuses=[s.value for s in status] if status else None, technician=technician, since=since, until=until
    )
    page = page_by_id(qs, cursor=cursor, limit=limit)
    reach = reach_of(caller.user, {a.technician_id for a in page.rows})  # once for the page, not per row
    return AdvancePage(
        items=[present_advance(caller, a, with_work_orders=False, reach=reach) for a in page.rows],
        next_cursor=page.next_cursor,
    )


@router.get("/advances/{number}", response={200: AdvanceOut, **problems(403, 404)}, summary="Read a cash advance (ETag)")
def get_advance(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    caller = _staff_caller(request, Scope.TRAVEL_READ)
    return _advance_answer(caller, number, response)


@router.post(
    "/advances",
    response={201: AdvanceOut, **problems(403, 409, 422)},
    summary="Request a cash advance (the technician; Idempotency-Key)",
)
@idempotent
def request_advance(request: HttpRequest, payload: AdvanceCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.TRAVEL_WRITE)
    advance = services.advance_request(
        actor=caller.user,
        purpose=payload.purpose,
        amount=payload.amount,
        trip_from=payload.trip_from,
        trip_until=payload.trip_until,
        work_orders=payload.work_orders,
    )
    fresh = selectors.advance_get_for_user(user=caller.user, number=advance.number)
    headers = {"Location": f"{request.path.rstrip('/')}/{fresh.number}", "ETag": version_etag(fresh)}
    return 201, present_advance(caller, fresh, with_work_orders=True), headers


# --- reimbursements --------------------------------------------------------------------------------


@router.get("/reimbursements", response={200: ReimbursementPage, **problems(403)}, summary="List travel reimbursements")
def list_reimbursements(
    request: HttpRequest,
    status: list[ReimbursementStatus] = Query(None, description="Repeat to match several statuses."),
    technician: str = Query("", max_length=64, description="A part of the technician's username or name."),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.TRAVEL_READ)
    qs = selectors.reimbursement_list(
        user=caller.user, statuses=[s.value for s in status] if status else None, technician=technician
    )
    page = page_by_id(qs, cursor=cursor, limit=limit)
    reach = reach_of(caller.user, {r.technician_id for r in page.rows})
    return ReimbursementPage(
        items=[present_reimbursement(caller, r, with_lines=False, reach=reach) for r in page.rows],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/reimbursements/{number}",
    response={200: ReimbursementOut, **problems(403, 404)},
    summary="Read a reimbursement with its lines (ETag)",
)
def get_reimbursement(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    caller = _staff_caller(request, Scope.TRAVEL_READ)
    return _reimbursement_answer(caller, number, response)


@router.post(
    "/reimbursements",
    response={201: ReimbursementOut, **problems(403, 409, 422)},
    summary="Draft a technician's reimbursement (Idempotency-Key)",
)
@idempotent
def draft_reimbursement(request: HttpRequest, payload: ReimbursementCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.TRAVEL_WRITE)
    user = caller.user
    technician = user
    if payload.technician and payload.technician != user.username:
        technician = selectors.technicians_visible(user=user).filter(username=payload.technician).first()
        if technician is None:
            raise ValidationFailed(
                {"technician": [_("No technician with this username is visible to you.")]}, code="technician_invalid"
            )
    advance_ids = None
    if payload.advances is not None:
        numbers = {n.strip().upper() for n in payload.advances}
        found = dict(
            selectors.advances_visible_to(user).filter(number__in=numbers, technician=technician).values_list("number", "pk")
        )
        if len(found) != len(numbers):
            raise ValidationFailed(
                {"advances": [_("Choose only items that are approved or paid and on no other reimbursement.")]},
                code="advances_invalid",
            )
        advance_ids = list(found.values())
    drafted = services.reimbursement_draft(technician=technician, actor=user, claims=payload.claims, advances=advance_ids)
    fresh = selectors.reimbursement_get_for_user(user=user, number=drafted.number)
    headers = {"Location": f"{request.path.rstrip('/')}/{fresh.number}", "ETag": version_etag(fresh)}
    return 201, present_reimbursement(caller, fresh, with_lines=True), headers


# --- the steps: one endpoint per declaration of ``travel.actions`` ---------------------------------

STEP_PROBLEMS = problems(403, 404, 409, 412, 422, 428)
MISSING = _("Send the document's ETag in If-Match (read it first).")
STALE = _("The document was changed since you read it; read it again and retry.")


def _step(declared: actions.TravelAction, kind: str, read: Any, answer: Any) -> Any:
    """The endpoint of one declared step of a ``kind`` document: read it in the caller's scope
    (``read``), check If-Match, perform, answer the document as it is now (``answer``)."""
    body = declared.schema

    def handler(
        request: HttpRequest,
        number: str,
        payload: body,  # type: ignore[valid-type]
        response: HttpResponse,
        if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
    ) -> Any:
        caller = _staff_caller(request, Scope.TRAVEL_WRITE)
        document = read(user=caller.user, number=number)
        version = checked_version(request, document, missing=MISSING, stale=STALE)
        declared.perform(document=document, actor=caller.user, expected_version=version, **payload.model_dump())
        return answer(caller, number, response)

    handler.__name__ = handler.__qualname__ = f"{kind}_{declared.name}"
    return handler


for _declared in actions.declared(actions.ADVANCE):
    router.add_api_operation(
        f"/advances/{{number}}/{_declared.name}",
        ["POST"],
        _step(_declared, "advance", selectors.advance_get_for_user, _advance_answer),
        response={200: AdvanceOut, **STEP_PROBLEMS},
        summary=f"Cash advance: {_declared.name}",
    )
for _declared in actions.declared(actions.REIMBURSEMENT):
    router.add_api_operation(
        f"/reimbursements/{{number}}/{_declared.name}",
        ["POST"],
        _step(_declared, "reimbursement", selectors.reimbursement_get_for_user, _reimbursement_answer),
        response={200: ReimbursementOut, **STEP_PROBLEMS},
        summary=f"Reimbursement: {_declared.name}",
    )
