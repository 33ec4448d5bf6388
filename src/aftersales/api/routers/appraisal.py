# ruff: noqa: B008 - django-ninja declares parameters with Query()/File()/Form()/Header() defaults
"""API v1: appraisal (鉴定). List and read (ETag) a ticket's appraisals, request one
(``Idempotency-Key``), and each step (``If-Match`` with its ETag): assign, start, record the
report, add a file (multipart, type checked from the bytes), sign, cancel; the report PDF; the
customer's answer (accept or ask for re-appraisal). Handlers parse, call one selector or
service, and present.

No ``from __future__ import annotations`` here: django-ninja reads the body types.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Header, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field, StrictBool

from aftersales.accounts.models import User
from aftersales.appraisal import services
from aftersales.appraisal.choices import FaultType
from aftersales.appraisal.models import Appraisal, AppraisalPlace, AppraisalStatus, FileKind
from aftersales.appraisal.pdf import appraisal_pdf
from aftersales.appraisal.selectors import appraisals_visible_to
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.parts.models import Part
from aftersales.tickets.action_schemas import Input
from aftersales.tickets.choices import Cause, Nature, Responsibility, Severity

from ..caller import Caller
from ..conditional import checked_version, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..paging import page_by_id
from ..presenters import party_ref
from ..schemas import ResponsiblePartyRef
from ..selectors import api_ticket_get
from .common import MAX_ID, MAX_PAGE_SIZE, problems
from .common import idempotency_header as _idem
from .common import staff_caller as _staff_caller

router = Router(tags=["appraisals"])
IF_MATCH_DOC = "The ETag of the appraisal as read (GET /appraisals/{appraisal_id}); 412 when stale, 428 when missing."
AppraisalId = Annotated[int, Field(ge=1, le=MAX_ID)]
Text128 = Annotated[str, Field(max_length=128)]
LongText = Annotated[str, Field(max_length=20000)]
Cell = Annotated[str, Field(max_length=200)]


# --- bodies ----------------------------------------------------------------------------------------


class AppraisalCreate(Input):
    """Request an appraisal of the ticket's product."""

    ticket: Annotated[str, Field(min_length=1, max_length=32)]
    place: AppraisalPlace
    note: LongText = ""
    appraiser: Annotated[str, Field(max_length=150, description="Username of an appraiser; empty: assign later.")] = ""


class AppraisalAssignInput(Input):
    appraiser: Annotated[str, Field(min_length=1, max_length=150, description="Username of an appraiser.")]


class AppraisalTestRow(Input):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    reading: Cell = ""
    expected: Cell = ""


class AppraisalReportInput(Input):
    """The report's draft (replaces the previous draft as a whole); editable until signed."""

    symptom: LongText = ""
    tests: Annotated[list[AppraisalTestRow], Field(max_length=50)] = []
    findings: LongText = ""
    fault_type: FaultType | Literal[""] = ""
    nature: Nature | Literal[""] = ""
    severity: Severity | Literal[""] = ""
    cause: Cause | Literal[""] = ""
    component_part: Annotated[str, Field(max_length=40, description="Part number of the component at fault.")] = ""
    component_text: Text128 = ""
    responsibility: Responsibility | Literal[""] = ""
    responsible_party: Text128 = Field(
        "",
        description="A register code or name (GET /responsible-parties) of the responsibility's kind; a new name is registered.",
    )
    supplier: Text128 = Field("", description="Responsibility supplier: the supplier's register code or name.")
    sanbao_applies: StrictBool | None = None  # true or false, not 0/1 or "yes"


class AppraisalReasonBody(Input):
    reason: Annotated[str, Field(min_length=1, max_length=20000)]


class AppraisalAnswerInput(Input):
    decision: Literal["accepted", "reappraisal"]
    reason: LongText = ""


class AppraisalEmptyBody(Input):
    pass


class AppraisalTestOut(Schema):
    name: str
    reading: str
    expected: str


class AppraisalFileOut(Schema):
    id: int
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str


class AppraisalOut(Schema):
    id: int
    number: str
    ticket: str
    status: str
    status_label: str
    version: int
    place: str
    request_note: str
    appraiser: str
    previous_id: int | None
    product_model: str
    batch: str
    symptom: str
    tests: list[AppraisalTestOut]
    findings: str
    fault_type: str
    nature: str
    severity: str
    cause: str
    component_part: str
    component: str
    responsibility: str
    responsible_party: str
    supplier: str
    party: ResponsiblePartyRef | None = Field(None, description="The responsible party's register entry (code, name, kind).")
    sanbao_applies: bool | None
    signed_by: str
    signed_at: dt.datetime | None
    customer_decision: str
    customer_reason: str
    customer_answered_at: dt.datetime | None
    files: list[AppraisalFileOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class AppraisalPage(Schema):
    items: list[AppraisalOut]
    next_cursor: str | None


# --- helpers ---------------------------------------------------------------------------------------


def _caller(request: HttpRequest, scope: str) -> Caller:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    caller.require(scope)
    return caller


def _visible(caller: Caller) -> Any:
    qs = appraisals_visible_to(caller.user)
    if caller.region_id is not None:
        qs = qs.filter(ticket__region_id=caller.region_id)
    return qs


def _get(caller: Caller, appraisal_id: int) -> Appraisal:
    found = (
        _visible(caller)
        .select_related("signed_by", "product_unit", "previous", "responsible_party_ref")
        .filter(pk=appraisal_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No appraisal with this id is visible to you."), code="appraisal_not_found")
    return found


def _version_from_if_match(request: HttpRequest, appraisal: Appraisal) -> int:
    return checked_version(
        request,
        appraisal,
        missing=_("Send the appraisal's ETag in If-Match (read the appraisal first)."),
        stale=_("The appraisal was changed since you read it; read it again and retry."),
    )


def _appraiser(username: str, *, field: str = "appraiser") -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationFailed({field: [_("No appraiser has this username.")]}, code="appraiser_invalid")
    return user


def present(appraisal: Appraisal) -> AppraisalOut:
    return AppraisalOut(
        id=appraisal.pk,
        number=appraisal.number,
        ticket=appraisal.ticket.number,
        status=appraisal.status,
        status_label=str(AppraisalStatus(appraisal.status).label),
        version=appraisal.version,
        place=appraisal.place,
        request_note=appraisal.request_note,
        appraiser=appraisal.appraiser.username if appraisal.appraiser else "",
        previous_id=appraisal.previous_id,
        product_model=appraisal.product_model.code if appraisal.product_model else "",
        batch=appraisal.batch,
        symptom=appraisal.symptom,
        tests=[
            AppraisalTestOut(name=t.get("name", ""), reading=t.get("reading", ""), expected=t.get("expected", ""))
            for t in appraisal.tests or []
        ],
        findings=appraisal.findings,
        fault_type=appraisal.fault_type,
        nature=appraisal.nature,
        severity=appraisal.severity,
        cause=appraisal.cause,
        component_part=appraisal.component.number if appraisal.component else "",
        component=appraisal.component_label,
        responsibility=appraisal.responsibility,
        responsible_party=appraisal.responsible_party,
        supplier=appraisal.supplier,
        party=party_ref(appraisal.responsible_party_ref) if appraisal.responsible_party_ref_id else None,
        sanbao_applies=appraisal.sanbao_applies,
        signed_by=appraisal.signed_by.username if appraisal.signed_by else "",
        signed_at=appraisal.signed_at,
        customer_decision=appraisal.customer_decision,
        customer_reason=appraisal.customer_reason,
        customer_answered_at=appraisal.customer_answered_at,
        files=[
            AppraisalFileOut(
                id=f.pk, kind=f.kind, name=f.original_name, content_type=f.content_type, size=f.size, sha256=f.sha256
            )
            for f in appraisal.files.all()
        ],
        created_at=appraisal.created_at,
        updated_at=appraisal.updated_at,
    )


def _answer(caller: Caller, appraisal_id: int, response: HttpResponse) -> AppraisalOut:
    fresh = _get(caller, appraisal_id)
    response["ETag"] = version_etag(fresh)
    return present(fresh)


# --- reads -----------------------------------------------------------------------------------------


@router.get("/appraisals", response={200: AppraisalPage, **problems(403, 422)}, summary="List appraisals")
def list_appraisals(
    request: HttpRequest,
    status: list[AppraisalStatus] = Query(None, description="Repeat to match several statuses."),
    ticket: str = Query("", max_length=32, description="Only the appraisals of this ticket."),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _caller(request, Scope.APPRAISALS_READ)
    qs = _visible(caller).prefetch_related("files")
    if status:
        qs = qs.filter(status__in=[s.value for s in status])
    if ticket:
        qs = qs.filter(ticket__number=ticket.strip().upper())
    page = page_by_id(qs, cursor=cursor, limit=limit)
    return AppraisalPage(items=[present(a) for a in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/tickets/{number}/appraisals",
    response={200: list[AppraisalOut], **problems(403, 404)},
    summary="The appraisals of a ticket, oldest first",
)
def ticket_appraisals(request: HttpRequest, number: str) -> Any:
    caller = _caller(request, Scope.APPRAISALS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    return [present(a) for a in _visible(caller).filter(ticket=ticket).prefetch_related("files").order_by("created_at", "id")]


@router.get("/appraisals/{appraisal_id}", response={200: AppraisalOut, **problems(403, 404)}, summary="Read an appraisal (ETag)")
def get_appraisal(request: HttpRequest, appraisal_id: AppraisalId, response: HttpResponse) -> Any:
    caller = _caller(request, Scope.APPRAISALS_READ)
    return _answer(caller, appraisal_id, response)


@router.get(
    "/appraisals/{appraisal_id}/report.pdf",
    response={200: None, **problems(403, 404)},
    summary="The appraisal report as a PDF (in the Accept-Language)",
    openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}},
)
def appraisal_report_pdf(request: HttpRequest, appraisal_id: AppraisalId) -> Any:
    caller = _caller(request, Scope.APPRAISALS_READ)
    appraisal = _get(caller, appraisal_id)
    response = HttpResponse(appraisal_pdf(appraisal), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{appraisal.number}.pdf"'
    return response


# --- writes ----------------------------------------------------------------------------------------


@router.post(
    "/appraisals",
    response={201: AppraisalOut, **problems(403, 409, 422)},
    summary="Request an appraisal of a ticket's product (Idempotency-Key)",
)
@idempotent
def request_appraisal(request: HttpRequest, payload: AppraisalCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.APPRAISALS_WRITE)
    try:
        ticket = api_ticket_get(caller=caller, number=payload.ticket)
    except NotFound:
        raise ValidationFailed({"ticket": [_("No ticket with this number is visible to you.")]}, code="ticket_invalid") from None
    created = services.appraisal_request(
        ticket=ticket,
        actor=caller.user,
        place=payload.place.value,
        note=payload.note,
        appraiser=_appraiser(payload.appraiser),
    )
    appraisal = _get(caller, created.pk)
    headers = {"Location": f"{request.path.rstrip('/')}/{appraisal.pk}", "ETag": version_etag(appraisal)}
    return 201, present(appraisal), headers


STEP_PROBLEMS = problems(403, 404, 409, 412, 422, 428)


@router.post("/appraisals/{appraisal_id}/assign", response={200: AppraisalOut, **STEP_PROBLEMS}, summary="Assign to an appraiser")
def assign_appraisal(
    request: HttpRequest,
    appraisal_id: AppraisalId,
    payload: AppraisalAssignInput,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.APPRAISALS_WRITE)
    appraisal = _get(caller, appraisal_id)
    version = _version_from_if_match(request, appraisal)
    appraiser = _appraiser(payload.appraiser)
    assert appraiser is not None
    services.appraisal_assign(appraisal=appraisal, actor=caller.user, appraiser=appraiser, expected_version=version)
    return _answer(caller, appraisal_id, response)


@router.post("/appraisals/{appraisal_id}/start", response={200: AppraisalOut, **STEP_PROBLEMS}, summary="Start the appraisal")
def start_appraisal(
    request: HttpRequest,
    appraisal_id: AppraisalId,
    payload: AppraisalEmptyBody,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.APPRAISALS_WRITE)
    appraisal = _get(caller, appraisal_id)
    version = _version_from_if_match(request, appraisal)
    services.appraisal_start(appraisal=appraisal, actor=caller.user, expected_version=version)
    return _answer(caller, appraisal_id, response)


@router.put(
    "/appraisals/{appraisal_id}/report", response={200: AppraisalOut, **STEP_PROBLEMS}, summary="Record the report (draft)"
)
def record_report(
    request: HttpRequest,
    appraisal_id: AppraisalId,
    payload: AppraisalReportInput,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.APPRAISALS_WRITE)
    appraisal = _get(caller, appraisal_id)
    version = _version_from_if_match(request, appraisal)
    component_id = None
    if payload.component_part:
        part = Part.objects.filter(number=payload.component_part).first()
        if part is None:
            raise ValidationFailed({"component_part": [_("No part has this number.")]}, code="component_invalid")
        component_id = part.pk
    report = services.ReportInput(
        symptom=payload.symptom,
        tests=[row.model_dump() for row in payload.tests],
        findings=payload.findings,
        fault_type=str(payload.fault_type),
        nature=str(payload.nature),
        severity=str(payload.severity),
        cause=str(payload.cause),
        component_id=component_id,
        component_text=payload.component_text,
        responsibility=str(payload.responsibility),
        responsible_party=payload.responsible_party,
        supplier=payload.supplier,
        sanbao_applies=payload.sanbao_applies,
    )
    services.appraisal_record_report(appraisal=appraisal, actor=caller.user, report=report, expected_version=version)
    return _answer(caller, appraisal_id, response)


@router.post(
    "/appraisals/{appraisal_id}/files",
    response={201: AppraisalFileOut, **problems(403, 404, 409, 413, 422)},
    summary="Add a photo, a test file or the outside testing body's report (multipart; type checked by content)",
)
@idempotent
def add_file(
    request: HttpRequest,
    appraisal_id: AppraisalId,
    kind: FileKind = Form(...),
    file: UploadedFile = File(..., description="A photo (JPEG, PNG, GIF, WebP, HEIC), a PDF, a video or audio."),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.APPRAISALS_WRITE)
    appraisal = _get(caller, appraisal_id)
    stored = services.appraisal_add_file(
        appraisal=appraisal, actor=caller.user, kind=kind.value, fileobj=file, name=file.name or ""
    )
    return 201, AppraisalFileOut(
        id=stored.pk,
        kind=stored.kind,
        name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )


@router.post("/appraisals/{appraisal_id}/sign", response={200: AppraisalOut, **STEP_PROBLEMS}, summary="Sign the report")
def sign_appraisal(
    request: HttpRequest,
    appraisal_id: AppraisalId,
    payload: AppraisalEmptyBody,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.APPRAISALS_WRITE)
    appraisal = _get(caller, appraisal_id)
    version = _version_from_if_match(request, appraisal)
    services.appraisal_sign(appraisal=appraisal, actor=caller.user, expected_version=version)
    return _answer(caller, appraisal_id, response)


@router.post("/appraisals/{appraisal_id}/cancel", response={200: AppraisalOut, **STEP_PROBLEMS}, summary="Cancel the appraisal")
def cancel_appraisal(
    request: HttpRequest,
    appraisal_id: AppraisalId,
    payload: AppraisalReasonBody,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _staff_caller(request, Scope.APPRAISALS_WRITE)
    appraisal = _get(caller, appraisal_id)
    version = _version_from_if_match(request, appraisal)
    services.appraisal_cancel(appraisal=appraisal, actor=caller.user, reason=payload.reason, expected_version=version)
    return _answer(caller, appraisal_id, response)


@router.post(
    "/appraisals/{appraisal_id}/answer",
    response={200: AppraisalOut, **STEP_PROBLEMS},
    summary="The customer accepts the result or asks for a re-appraisal (once)",
)
def answer_appraisal(
    request: HttpRequest,
    appraisal_id: AppraisalId,
    payload: AppraisalAnswerInput,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = _caller(request, Scope.APPRAISALS_WRITE)
    appraisal = _get(caller, appraisal_id)
    version = _version_from_if_match(request, appraisal)
    services.appraisal_answer(
        appraisal=appraisal, actor=caller.user, decision=payload.decision, reason=payload.reason, expected_version=version
    )
    return _answer(caller, appraisal_id, response)
