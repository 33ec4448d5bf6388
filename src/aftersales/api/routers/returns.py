# ruff: noqa: B008 - django-ninja declares parameters with Query()/File()/Form()/Header() defaults
"""API v1: returns and exchanges (RMA). List and read (ETag), the return and exchange measures
of a ticket, authorise (``Idempotency-Key``), and each step of an RMA (``If-Match`` with its
ETag): handover, receive, inspect (multipart, photos), accept a failed inspection, ship the
replacement, deliver, cancel. Handlers parse, call one selector or service, and present.

No ``from __future__ import annotations`` here: django-ninja reads the body types.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Header, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.parts.models import Warehouse
from aftersales.returns import services
from aftersales.returns.models import ReturnAuthorization, RmaStatus
from aftersales.returns.selectors import measures_open_for_rma, rmas_visible_to
from aftersales.tickets.action_schemas import Input
from aftersales.tickets.models import PlanMeasure

from ..caller import Caller
from ..conditional import checked_version, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..paging import page_by_id
from ..selectors import api_ticket_get
from .common import MAX_ID, MAX_PAGE_SIZE, problems
from .common import idempotency_header as _idem
from .common import staff_caller as _staff_caller

router = Router(tags=["returns"])
IF_MATCH_DOC = "The ETag of the return as read (GET /rmas/{rma_number}); 412 when stale, 428 when missing."
Code64 = Annotated[str, Field(max_length=64)]


# --- bodies ----------------------------------------------------------------------------------------


class RmaCreate(Input):
    """Authorise the return or exchange of a measure of the ticket's agreed plan."""

    ticket: Annotated[str, Field(min_length=1, max_length=32)]
    measure_id: Annotated[int, Field(ge=1, le=MAX_ID)]
    warehouse: Annotated[str, Field(min_length=1, max_length=40, description="The receiving warehouse's code.")]
    reason: Annotated[str, Field(max_length=20000)] = ""


class HandoverInput(Input):
    method: Literal["carrier", "drop_off"]
    carrier: Code64 = ""
    tracking_number: Code64 = ""
    outlet: Annotated[str, Field(max_length=128)] = ""


class NoteBody(Input):
    note: Annotated[str, Field(max_length=20000)] = ""


class ReasonBody(Input):
    reason: Annotated[str, Field(min_length=1, max_length=20000)]


class ShipInput(Input):
    serial: Annotated[str, Field(min_length=1, max_length=64)]
    carrier: Annotated[str, Field(min_length=1, max_length=64)]
    tracking_number: Annotated[str, Field(min_length=1, max_length=64)]


class EmptyBody(Input):
    pass


class RmaOut(Schema):
    number: str
    kind: str
    status: str
    status_label: str
    version: int
    ticket: str
    measure_id: int
    serial_number: str
    model: str
    warehouse: str
    warehouse_name: str
    reason: str
    handover_method: str
    carrier: str
    tracking_number: str
    outlet: str
    received_at: dt.datetime | None
    inspected_at: dt.datetime | None
    inspected_serial: str
    serial_matches: bool | None
    accessories_complete: bool | None
    condition: str
    disposition: str
    inspection_notes: str
    failure_reason: str
    photos: int
    replacement_serial: str
    shipping_carrier: str
    shipping_tracking: str
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    completed_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime


class RmaPage(Schema):
    items: list[RmaOut]
    next_cursor: str | None


class ReturnMeasureOut(Schema):
    id: int
    kind: str
    description: str
    status: str


# --- helpers ---------------------------------------------------------------------------------------


def _visible(caller: Caller) -> Any:
    qs = rmas_visible_to(caller.user)
    if caller.region_id is not None:
        qs = qs.filter(ticket__region_id=caller.region_id)
    return qs


def _get(caller: Caller, number: str) -> ReturnAuthorization:
    rma = (
        _visible(caller)
        .select_related("ticket", "unit__model", "warehouse", "replacement_unit")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if rma is None:
        raise NotFound(_("No return with this number is visible to you."), code="rma_not_found")
    return rma


def _version_from_if_match(request: HttpRequest, rma: ReturnAuthorization) -> int:
    return checked_version(
        request,
        rma,
        missing=_("Send the return's ETag in If-Match (read the return first)."),
        stale=_("The return was changed since you read it; read it again and retry."),
    )


def present(rma: ReturnAuthorization, caller: Caller) -> RmaOut:
    staff = not caller.user.is_customer
    return RmaOut(
        number=rma.number,
        kind=rma.kind,
        status=rma.status,
        status_label=str(RmaStatus(rma.status).label),
        version=rma.version,
        ticket=rma.ticket.number,
        measure_id=rma.measure_id,
        serial_number=rma.unit.serial_number,
        model=rma.unit.model.code,
        warehouse=rma.warehouse.code,
        warehouse_name=rma.warehouse.display_name,
        reason=rma.reason,
        handover_method=rma.handover_method,
        carrier=rma.carrier,
        tracking_number=rma.tracking_number,
        outlet=rma.outlet,
        received_at=rma.received_at,
        inspected_at=rma.inspected_at,
        inspected_serial=rma.inspected_serial,
        serial_matches=rma.serial_matches,
        accessories_complete=rma.accessories_complete,
        condition=rma.condition,
        disposition=rma.disposition if staff else "",
        inspection_notes=rma.inspection_notes if staff else "",
        failure_reason=rma.failure_reason if staff else "",
        photos=rma.photos.count(),
        replacement_serial=rma.replacement_unit.serial_number if rma.replacement_unit else "",
        shipping_carrier=rma.shipping_carrier,
        shipping_tracking=rma.shipping_tracking,
        shipped_at=rma.shipped_at,
        delivered_at=rma.delivered_at,
        completed_at=rma.completed_at,
        cancelled_at=rma.cancelled_at,
        cancel_reason=rma.cancel_reason,
        created_at=rma.created_at,
        updated_at=rma.updated_at,
    )


def _answer(caller: Caller, number: str, response: HttpResponse) -> RmaOut:
    fresh = _get(caller, number)
    response["ETag"] = version_etag(fresh)
    return present(fresh, caller)


# --- reads -----------------------------------------------------------------------------------------


@router.get("/rmas", response={200: RmaPage, **problems(403, 422)}, summary="List returns and exchanges")
def list_returns(
    request: HttpRequest,
    status: list[RmaStatus] = Query(None, description="Repeat to match several statuses."),
    ticket: str = Query("", max_length=32, description="Only the returns of this ticket."),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    caller.require(Scope.RETURNS_READ)
    qs = _visible(caller).select_related("ticket", "unit__model", "warehouse", "replacement_unit")
    if status:
        qs = qs.filter(status__in=[s.value for s in status])
    if ticket:
        qs = qs.filter(ticket__number=ticket.strip().upper())
    page = page_by_id(qs, cursor=cursor, limit=limit)
    return RmaPage(items=[present(r, caller) for r in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/rmas/{rma_number}",
    response={200: RmaOut, **problems(403, 404)},
    summary="Read a return or exchange (ETag)",
)
def get_return(request: HttpRequest, rma_number: str, response: HttpResponse) -> Any:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    caller.require(Scope.RETURNS_READ)
    return _answer(caller, rma_number, response)


@router.get(
    "/tickets/{number}/return-measures",
    response={200: list[ReturnMeasureOut], **problems(403, 404)},
    summary="Return and exchange measures of the ticket's agreed plan still to authorise (POST /rmas with one)",
)
def list_return_measures(request: HttpRequest, number: str) -> Any:
    caller = _staff_caller(request, Scope.RETURNS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    return [
        ReturnMeasureOut(id=m.pk, kind=m.kind, description=m.description, status=m.status)
        for m in measures_open_for_rma(ticket=ticket)
    ]


# --- writes ----------------------------------------------------------------------------------------


@router.post(
    "/rmas",
    response={201: RmaOut, **problems(403, 409, 422)},
    summary="Authorise the return or exchange of a plan measure (Idempotency-Key)",
)
@idempotent
def authorise_return(request: HttpRequest, payload: RmaCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.RETURNS_WRITE)
    try:
        ticket = api_ticket_get(caller=caller, number=payload.ticket)
    except NotFound:
        raise ValidationFailed({"ticket": [_("No ticket with this number is visible to you.")]}, code="ticket_invalid") from None
    measure = PlanMeasure.objects.select_related("plan").filter(pk=payload.measure_id, plan__ticket=ticket).first()
    if measure is None:
        raise ValidationFailed({"measure_id": [_("No measure of this ticket has this id.")]}, code="measure_invalid")
    warehouse = Warehouse.objects.filter(code=payload.warehouse).first()
    if warehouse is None:
        raise ValidationFailed({"warehouse": [_("No warehouse has this code.")]}, code="warehouse_invalid")
    created = services.rma_authorise(measure=measure, actor=caller.user, warehouse=warehouse, reason=payload.reason)
    rma = _get(caller, created.number)
    headers = {"Location": f"{request.path.rstrip('/')}/{rma.number}", "ETag": version_etag(rma)}
    return 201, present(rma, caller), headers


STEP_PROBLEMS = problems(403, 404, 409, 412, 422, 428)


@router.post("/rmas/{rma_number}/handover", response={200: RmaOut, **STEP_PROBLEMS}, summary="Return: pickup or drop-off")
def handover_return(
    request: HttpRequest,
    rma_number: str,
    payload: HandoverInput,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.RETURNS_WRITE)
    rma = _get(caller, rma_number)
    version = _version_from_if_match(request, rma)
    services.rma_handover(rma=rma, actor=caller.user, expected_version=version, **payload.model_dump())
    return _answer(caller, rma_number, response)


@router.post("/rmas/{rma_number}/receive", response={200: RmaOut, **STEP_PROBLEMS}, summary="Return: goods received")
def receive_return(
    request: HttpRequest,
    rma_number: str,
    payload: NoteBody,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.RETURNS_WRITE)
    rma = _get(caller, rma_number)
    version = _version_from_if_match(request, rma)
    services.rma_receive(rma=rma, actor=caller.user, note=payload.note, expected_version=version)
    return _answer(caller, rma_number, response)


@router.post(
    "/rmas/{rma_number}/inspect",
    response={200: RmaOut, **problems(403, 404, 409, 412, 413, 422, 428)},
    summary="Return: inspection (multipart; photos checked by content)",
)
def inspect_return(
    request: HttpRequest,
    rma_number: str,
    response: HttpResponse,
    serial: str = Form(..., min_length=1, max_length=64, description="The serial number found on the unit."),
    accessories_complete: bool = Form(...),
    condition: Literal["like_new", "used", "damaged"] = Form(...),
    disposition: Literal["returned", "refurbished", "scrapped"] = Form(...),
    passed: bool = Form(..., description="false: back to the agent with the reason in notes."),
    notes: str = Form("", max_length=20000),
    photos: list[UploadedFile] = File(None, description="JPEG, PNG, WebP or HEIC; checked by content."),
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.RETURNS_WRITE)
    rma = _get(caller, rma_number)
    version = _version_from_if_match(request, rma)
    services.rma_inspect(
        rma=rma,
        actor=caller.user,
        serial=serial,
        accessories_complete=accessories_complete,
        condition=condition,
        disposition=disposition,
        passed=passed,
        notes=notes,
        photos=list(photos or []),
        expected_version=version,
    )
    return _answer(caller, rma_number, response)


@router.post(
    "/rmas/{rma_number}/accept-inspection",
    response={200: RmaOut, **STEP_PROBLEMS},
    summary="Return: accept the goods after a failed inspection",
)
def accept_inspection(
    request: HttpRequest,
    rma_number: str,
    payload: ReasonBody,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.RETURNS_WRITE)
    rma = _get(caller, rma_number)
    version = _version_from_if_match(request, rma)
    services.rma_accept_inspection(rma=rma, actor=caller.user, reason=payload.reason, expected_version=version)
    return _answer(caller, rma_number, response)


@router.post(
    "/rmas/{rma_number}/ship-replacement",
    response={200: RmaOut, **STEP_PROBLEMS},
    summary="Exchange: ship the replacement from stock",
)
def ship_replacement(
    request: HttpRequest,
    rma_number: str,
    payload: ShipInput,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.RETURNS_WRITE)
    rma = _get(caller, rma_number)
    version = _version_from_if_match(request, rma)
    services.rma_ship_replacement(rma=rma, actor=caller.user, expected_version=version, **payload.model_dump())
    return _answer(caller, rma_number, response)


@router.post(
    "/rmas/{rma_number}/deliver", response={200: RmaOut, **STEP_PROBLEMS}, summary="Exchange: the replacement was delivered"
)
def deliver_replacement(
    request: HttpRequest,
    rma_number: str,
    payload: EmptyBody,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.RETURNS_WRITE)
    rma = _get(caller, rma_number)
    version = _version_from_if_match(request, rma)
    services.rma_confirm_delivery(rma=rma, actor=caller.user, expected_version=version)
    return _answer(caller, rma_number, response)


@router.post("/rmas/{rma_number}/cancel", response={200: RmaOut, **STEP_PROBLEMS}, summary="Cancel a return or exchange")
def cancel_return(
    request: HttpRequest,
    rma_number: str,
    payload: ReasonBody,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.RETURNS_WRITE)
    rma = _get(caller, rma_number)
    version = _version_from_if_match(request, rma)
    services.rma_cancel(rma=rma, actor=caller.user, reason=payload.reason, expected_version=version)
    return _answer(caller, rma_number, response)
