# ruff: noqa: B008 - django-ninja declares parameters with Query()/File()/Header() defaults
"""Tickets: create (intake service; ``/tickets/with-evidence`` also takes the customer's files),
list, read (ETag, ``?expand=`` the case file's parts), correct the details (``PATCH``), the
printable case file, timeline, replies, attachments, survey; the customer's answer to the plan
and the signed agreement (``agreements.py``).

Handlers only parse, call one selector or service, and present the result.
"""

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Header, Query, Router
from ninja.files import UploadedFile

from aftersales.accounts.regions import region_by_id
from aftersales.casefile.pdf import case_file_pdf
from aftersales.casefile.selectors import ALL_PARTS, STAFF_ONLY_PARTS, case_file_for
from aftersales.casefile.services import case_file_record_view
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.web import private_no_store
from aftersales.feedback.selectors import survey_pending_for_ticket
from aftersales.feedback.services import survey_signed_token, survey_submit
from aftersales.tickets.action_schemas import CorrectDetailsInput
from aftersales.tickets.choices import Channel, RequestType, Responsibility
from aftersales.tickets.selectors import ticket_attachments, ticket_timeline
from aftersales.tickets.services import ticket_add_attachment, ticket_add_customer_message, ticket_add_note, ticket_intake
from aftersales.tickets.services.details import ticket_correct_details
from aftersales.tickets.services.intake import IntakeFile
from aftersales.tickets.states import TicketStatus

from .. import inputs, presenters, schemas
from ..auth import caller_of
from ..caller import Caller
from ..conditional import not_modified, ticket_etag, version_from_if_match
from ..idempotency import idempotent
from ..models import Scope
from ..selectors import ApiTicketFilters, api_attachment_get, api_survey_latest, api_ticket_get, api_ticket_page
from .agreements import router as agreements_router
from .common import MAX_ID, MAX_PAGE_SIZE, problems
from .common import idempotency_header as _idem
from .saved_views import router as saved_views_router

router = Router(tags=["tickets"])
router.add_router("", saved_views_router)  # /ticket-views: the ticket list's saved views
router.add_router("", agreements_router)  # the customer's plan answer, the signed agreement
Number = str
WITH_EVIDENCE = "/with-evidence"
NUMBER_PATTERN = r"^[A-Za-z0-9-]+$"  # a ticket number or its start (``TICKET_NUMBER_PREFIX``, the date, "-", the sequence)


@router.get("/tickets", response={200: schemas.TicketPage, **problems(403, 422)}, summary="List tickets")
def list_tickets(
    request: HttpRequest,
    status: list[TicketStatus] = Query(None, description="Repeat to match several statuses."),
    channel: Channel | None = None,
    priority: int | None = Query(None, ge=1, le=3),
    q: str = Query("", max_length=100, description="Ticket number, or words of the title or description."),
    updated_since: schemas.IsoDateTime | None = Query(None, description="Only tickets changed at or after this time."),
    customer_id: int | None = Query(
        None, ge=1, le=MAX_ID, description="Only this customer's tickets (the customer_id of a summary or GET /customers)."
    ),
    product_model: str | None = Query(
        None,
        min_length=1,
        max_length=64,
        description="Only tickets about this product model (its code, as `product_model` of a ticket). "
        "An unknown code is refused: 422 naming `product_model` (code `product_model_unknown`).",
    ),
    responsibility: Responsibility | None = Query(None, description="Only tickets with this responsibility."),
    request_type: RequestType | None = Query(None, description="Only tickets of this request type."),
    number: str | None = Query(
        None,
        max_length=32,
        pattern=NUMBER_PATTERN,
        description="A whole ticket number (`SH20261207-000123`: that ticket) or its start (`SH20261207`: the tickets "
        "registered that day; `SH202612`: that month). Letters, digits and `-` only.",
    ),
    party: str | None = Query(
        None,
        max_length=32,
        description="Only tickets charged to this responsible party (its register code, GET /responsible-parties).",
    ),
    sort: str = Query("-created", pattern="^(-created|due|priority)$"),
    cursor: str | None = Query(None, max_length=400),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    filters = ApiTicketFilters(
        statuses=tuple(s.value for s in status or ()),
        channel=channel.value if channel else "",
        priority=priority,
        query=q,
        updated_since=updated_since,
        customer_id=customer_id,
        product_model=product_model or "",
        responsibility=responsibility.value if responsibility else "",
        request_type=request_type.value if request_type else "",
        number=number or "",
        party=party or "",
    )
    page = api_ticket_page(caller=caller, filters=filters, sort=sort, cursor=cursor, limit=limit)
    return schemas.TicketPage(
        items=[presenters.ticket_summary(t, customer=caller.user.is_customer) for t in page.rows],
        next_cursor=page.next_cursor,
        total=page.total or 0,
    )


def _intake(request: HttpRequest, payload: schemas.TicketCreate, evidence: list[IntakeFile]) -> Any:
    caller = caller_of(request, Scope.TICKETS_WRITE)
    data = inputs.intake_input(caller=caller, payload=payload)
    # The ticket's region comes from its address (or the customer's); a key limited to a region
    # gives its region only when no address names one. From the cached region table: no query.
    region = region_by_id(caller.region_id)
    with inputs.fields_as_sent(inputs.read_names_sent(payload)):  # contact_name … as sent
        result = ticket_intake(
            data=data,
            actor=caller.user,
            actor_label=inputs.actor_label(caller),
            region=region,
            api_key_id=caller.key.pk if caller.key is not None else None,
            evidence=evidence,
        )
    # The ticket as intake left it (every column set, relations in hand): the caller created it,
    # so they are shown it (even when its address put it outside a regional key's region);
    # re-reading it would only cost a query.
    ticket = result.ticket
    tickets = request.path.rstrip("/").removesuffix(WITH_EVIDENCE)  # …/api/v1/tickets
    headers = {"Location": f"{tickets}/{ticket.number}", "ETag": ticket_etag(ticket)}
    return 201, presenters.ticket_detail(ticket, caller.user), headers


@router.post("/tickets", response={201: schemas.TicketOut, **problems(403, 409, 422)}, summary="Submit a ticket (intake)")
@idempotent
def create_ticket(request: HttpRequest, payload: schemas.TicketCreate, idempotency_key: str = _idem()) -> Any:
    return _intake(request, payload, [])


EVIDENCE_DOC = "Repeat for several; JPEG, PNG, GIF, WebP, HEIC, PDF, MP4, MP3 or WAV, checked by content. At most 6 files in all."


# Declared before /tickets/{number}: a POST here must not be taken for that path's operations.
@router.post(
    "/tickets" + WITH_EVIDENCE,
    response={201: schemas.TicketOut, **problems(403, 409, 413, 422)},
    summary="Submit a ticket with its evidence files (multipart: the fields of POST /tickets and the files)",
    description="The fields of POST /tickets as form fields (leave out what you do not set), and the files the customer "
    "gives, each under its kind: evidence_photo (photos, videos: the customer sees them), evidence_invoice, "
    "evidence_purchase_proof, evidence_other (internal). A refused file refuses the request: 422 naming "
    "evidence_<kind>, every bad file named; more than 6 files: evidence. The files count in the Idempotency-Key.",
)
@idempotent
def create_ticket_with_evidence(
    request: HttpRequest,
    payload: Form[schemas.TicketCreate],
    evidence_photo: list[UploadedFile] = File(None, description="Photos or videos of the fault. " + EVIDENCE_DOC),
    evidence_invoice: list[UploadedFile] = File(None, description="The invoice. " + EVIDENCE_DOC),
    evidence_purchase_proof: list[UploadedFile] = File(
        None, description="A receipt, an order screenshot or the warranty card. " + EVIDENCE_DOC
    ),
    evidence_other: list[UploadedFile] = File(None, description="Any other file. " + EVIDENCE_DOC),
    idempotency_key: str = _idem(),
) -> Any:
    files = {
        "evidence_photo": evidence_photo,
        "evidence_invoice": evidence_invoice,
        "evidence_purchase_proof": evidence_purchase_proof,
        "evidence_other": evidence_other,
    }
    return _intake(request, payload, inputs.intake_evidence(request=request, files=files))


EXPAND_DOC = (
    "Add what the ticket page shows beside the ticket (repeat for several): plan (the current plan with its "
    "measures and their ids), approvals and sla_clocks (staff only), agreements, work_orders (scope "
    "workorders:read), surveys (scope surveys:read). An expanded read always answers 200."
)
# The scope each expansion needs beyond tickets:read: a key reads through the ticket nothing its
# scopes would hide on the resource's own endpoint.
EXPAND_SCOPES = {schemas.TicketExpand.WORK_ORDERS: Scope.WORKORDERS_READ, schemas.TicketExpand.SURVEYS: Scope.SURVEYS_READ}


def _expansion(caller: Caller, expand: list[schemas.TicketExpand] | None) -> frozenset[str]:
    """The case-file parts ``expand`` asks for, once the caller is allowed each of them."""
    parts = frozenset(schemas.TicketExpand(item) for item in expand or ())
    for part in parts:
        if part in EXPAND_SCOPES:
            caller.require(EXPAND_SCOPES[part])
        if caller.user.is_customer and part.value in STAFF_ONLY_PARTS:
            raise PermissionDenied(
                _("Only staff may expand “%(part)s”.") % {"part": part.value}, code="staff_only", field="expand"
            )
    return frozenset(part.value for part in parts)


@router.get(
    "/tickets/{number}",
    response={200: schemas.TicketReadOut, 304: None, **problems(403, 404, 422)},
    summary="Read a ticket (ETag; If-None-Match → 304), with ?expand= what the ticket page shows",
    exclude_unset=True,
)
def get_ticket(
    request: HttpRequest,
    number: Number,
    response: HttpResponse,
    expand: list[schemas.TicketExpand] = Query(None, description=EXPAND_DOC),
) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    parts = _expansion(caller, expand)
    ticket = api_ticket_get(caller=caller, number=number)
    # The ETag is the ticket's version, what If-Match on a process action names. Work orders,
    # clocks and surveys change without it, so an expanded read is never answered with 304.
    if not parts and not_modified(request, ticket):
        unchanged = HttpResponse(status=304)
        unchanged["ETag"] = ticket_etag(ticket)
        return unchanged
    response["ETag"] = ticket_etag(ticket)
    case = case_file_for(ticket=ticket, viewer=caller.user, include=parts) if parts else None
    return presenters.ticket_read(ticket, caller.user, case)


@router.patch(
    "/tickets/{number}",
    response={200: schemas.TicketOut, **problems(403, 404, 409, 412, 422, 428)},
    summary="Correct what intake registered (the action correct_details): only the fields sent change",
)
def correct_ticket(
    request: HttpRequest,
    number: Number,
    payload: CorrectDetailsInput,
    response: HttpResponse,
    if_match: str = Header(
        None, alias="If-Match", max_length=200, description="The ETag of the ticket as read; 412 when stale, 428 when missing."
    ),
) -> Any:
    caller = caller_of(request, Scope.TICKETS_WRITE)
    ticket = api_ticket_get(caller=caller, number=number)
    version = version_from_if_match(request, ticket)
    # The ticket as the correction left it, even when its new address put it outside a
    # regional key's region (the caller corrected it, as with intake).
    with inputs.fields_as_sent(payload.names_sent()):  # product_model, when sent so
        fresh = ticket_correct_details(ticket=ticket, actor=caller.user, expected_version=version, **payload.arguments())
    response["ETag"] = ticket_etag(fresh)
    return presenters.ticket_detail(fresh, caller.user)


@router.get(
    "/tickets/{number}/case-file.pdf",
    response={200: None, **problems(403, 404)},
    summary="The printable case file (PDF, in the language of Accept-Language)",
)
def get_case_file(request: HttpRequest, number: Number) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    # Work orders and surveys only for a key with their scopes, as with ?expand=.
    hidden = {part.value for part, scope in EXPAND_SCOPES.items() if scope not in caller.scopes}
    case = case_file_for(ticket=ticket, viewer=caller.user, include=ALL_PARTS - hidden)
    pdf = case_file_pdf(case)
    case_file_record_view(case=case, via="api")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{ticket.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)


@router.get(
    "/tickets/{number}/timeline",
    response={200: list[schemas.EventOut], **problems(403, 404)},
    summary="Timeline (a customer's key: the steps the portal shows, in its words)",
)
def get_timeline(request: HttpRequest, number: Number) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    return presenters.timeline(ticket_timeline(ticket=ticket, user=caller.user), caller.user)


@router.post(
    "/tickets/{number}/replies",
    response={201: schemas.EventOut, **problems(403, 404, 409, 422)},
    summary="Reply (customer) or add a note, message or call record (staff)",
)
@idempotent
def add_reply(request: HttpRequest, number: Number, payload: schemas.ReplyCreate, idempotency_key: str = _idem()) -> Any:
    caller = caller_of(request, Scope.TICKETS_WRITE)
    ticket = api_ticket_get(caller=caller, number=number)
    kind = inputs.reply_kind(caller=caller, payload=payload)
    if caller.user.is_customer:  # the customer's message: contact from the customer; the staff are told
        event = ticket_add_customer_message(ticket=ticket, body=payload.body, actor=caller.user, data={"via": "api"})
    else:
        event = ticket_add_note(ticket=ticket, actor=caller.user, body=payload.body, kind=kind)
    return 201, presenters.event(event, caller.user)


@router.get(
    "/tickets/{number}/attachments", response={200: list[schemas.AttachmentOut], **problems(403, 404)}, summary="Attachments"
)
def list_attachments(request: HttpRequest, number: Number) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    return [presenters.attachment(a) for a in ticket_attachments(ticket=ticket, user=caller.user)]


@router.post(
    "/tickets/{number}/attachments",
    response={201: schemas.AttachmentOut, **problems(403, 404, 409, 422)},
    summary="Upload a photo, PDF, video or audio file (multipart); 201 with Location: its download URL",
)
@idempotent
def upload_attachment(
    request: HttpRequest,
    number: Number,
    file: UploadedFile = File(..., description="JPEG, PNG, GIF, WebP, HEIC, PDF, MP4, MP3 or WAV; checked by content."),
    public: bool | None = Form(None, description="Staff only: false keeps the file internal."),
    kind: str | None = Form(
        None,
        description=(
            "What the file is: photo (a photo or video), invoice, purchase_proof or other. Left out: from its "
            "type (a photo or video is a photo, anything else other). Another value: 422 attachment_kind_invalid on kind."
        ),
    ),
    idempotency_key: str = _idem(),
) -> Any:
    caller = caller_of(request, Scope.TICKETS_WRITE)
    ticket = api_ticket_get(caller=caller, number=number)
    visible = inputs.attachment_public(caller=caller, public=public)
    with inputs.fields_as_sent({"attachment": "file"}):  # the part as the caller sent it
        item = ticket_add_attachment(
            ticket=ticket, actor=caller.user, fileobj=file, filename=file.name or "", public=visible, kind=kind or None
        )
    body = presenters.attachment(item)
    return 201, body, {"Location": body.download_url}


@router.get(
    "/attachments/{attachment_id}",
    response={200: None, **problems(403, 404)},
    summary="Download an attachment",
    url_name="attachment_download",
)
def download_attachment(request: HttpRequest, attachment_id: int) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    item = api_attachment_get(caller=caller, attachment_id=attachment_id)
    try:
        fileobj = item.file.open("rb")
    except FileNotFoundError:
        raise NotFound("file missing", code="attachment_not_found") from None
    response = FileResponse(fileobj, as_attachment=True, filename=item.original_name, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)


@router.get("/tickets/{number}/survey", response={200: schemas.SurveyOut, **problems(403, 404)}, summary="Latest survey")
def get_survey(request: HttpRequest, number: Number) -> Any:
    caller = caller_of(request, Scope.SURVEYS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    survey = api_survey_latest(ticket=ticket)
    if survey is None:
        raise NotFound(inputs.NO_SURVEY, code="survey_not_found")
    return presenters.survey(survey)


@router.post(
    "/tickets/{number}/survey",
    response={201: schemas.SurveyOut, **problems(403, 404, 409, 422)},
    summary="Answer the pending satisfaction survey",
)
@idempotent
def answer_survey(request: HttpRequest, number: Number, payload: schemas.SurveyAnswer, idempotency_key: str = _idem()) -> Any:
    caller = caller_of(request, Scope.SURVEYS_WRITE)
    ticket = api_ticket_get(caller=caller, number=number)
    pending = survey_pending_for_ticket(ticket=ticket)
    if pending is None:
        raise NotFound(inputs.NO_SURVEY, code="survey_not_found")
    survey = survey_submit(signed_token=survey_signed_token(survey=pending), actor=caller.user, **payload.model_dump())
    return 201, presenters.survey(survey)
