# ruff: noqa: B008 - django-ninja declares parameters with Query()/File()/Header() defaults
"""Tickets: create (intake service), list, read (ETag), timeline, replies, attachments, survey.

Handlers only parse, call one selector or service, and present the result.
"""

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from aftersales.core.errors import NotFound
from aftersales.feedback.selectors import survey_pending_for_ticket
from aftersales.feedback.services import survey_signed_token, survey_submit
from aftersales.tickets.choices import Channel
from aftersales.tickets.selectors import ticket_attachments, ticket_timeline
from aftersales.tickets.services import ticket_add_attachment, ticket_add_note, ticket_intake
from aftersales.tickets.states import TicketStatus

from .. import inputs, presenters, schemas
from ..auth import caller_of
from ..conditional import not_modified, ticket_etag
from ..idempotency import idempotent
from ..models import Scope
from ..selectors import ApiTicketFilters, api_attachment_get, api_survey_latest, api_ticket_get, api_ticket_page
from .common import MAX_PAGE_SIZE, problems
from .common import idempotency_header as _idem

router = Router(tags=["tickets"])
Number = str


@router.get("/tickets", response={200: schemas.TicketPage, **problems(403, 422)}, summary="List tickets")
def list_tickets(
    request: HttpRequest,
    status: list[TicketStatus] = Query(None, description="Repeat to match several statuses."),
    channel: Channel | None = None,
    priority: int | None = Query(None, ge=1, le=3),
    q: str = Query("", max_length=100, description="Ticket number, or words of the title or description."),
    updated_since: schemas.IsoDateTime | None = Query(None, description="Only tickets changed at or after this time."),
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
    )
    page = api_ticket_page(caller=caller, filters=filters, sort=sort, cursor=cursor, limit=limit)
    return schemas.TicketPage(
        items=[presenters.ticket_summary(t) for t in page.rows], next_cursor=page.next_cursor, total=page.total or 0
    )


@router.post("/tickets", response={201: schemas.TicketOut, **problems(403, 409, 422)}, summary="Submit a ticket (intake)")
@idempotent
def create_ticket(request: HttpRequest, payload: schemas.TicketCreate, idempotency_key: str = _idem()) -> Any:
    caller = caller_of(request, Scope.TICKETS_WRITE)
    data = inputs.intake_input(caller=caller, payload=payload)
    region = caller.key.region if caller.key is not None else None
    result = ticket_intake(data=data, actor=caller.user, actor_label=inputs.actor_label(caller), region=region)
    # The ticket as intake left it (every column set, relations in hand): the caller created it,
    # so it is in their scope; re-reading it would only cost a query.
    ticket = result.ticket
    headers = {"Location": f"{request.path.rstrip('/')}/{ticket.number}", "ETag": ticket_etag(ticket)}
    return 201, presenters.ticket_detail(ticket, caller.user), headers


@router.get(
    "/tickets/{number}",
    response={200: schemas.TicketOut, 304: None, **problems(403, 404)},
    summary="Read a ticket (ETag; If-None-Match → 304)",
)
def get_ticket(request: HttpRequest, number: Number, response: HttpResponse) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    if not_modified(request, ticket):
        unchanged = HttpResponse(status=304)
        unchanged["ETag"] = ticket_etag(ticket)
        return unchanged
    response["ETag"] = ticket_etag(ticket)
    return presenters.ticket_detail(ticket, caller.user)


@router.get("/tickets/{number}/timeline", response={200: list[schemas.EventOut], **problems(403, 404)}, summary="Timeline")
def get_timeline(request: HttpRequest, number: Number) -> Any:
    caller = caller_of(request, Scope.TICKETS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    return [presenters.event(e, caller.user) for e in ticket_timeline(ticket=ticket, user=caller.user)]


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
    summary="Upload a photo, PDF, video or audio file (multipart)",
)
@idempotent
def upload_attachment(
    request: HttpRequest,
    number: Number,
    file: UploadedFile = File(..., description="JPEG, PNG, GIF, WebP, HEIC, PDF, MP4, MP3 or WAV; checked by content."),
    public: bool | None = Form(None, description="Staff only: false keeps the file internal."),
    idempotency_key: str = _idem(),
) -> Any:
    caller = caller_of(request, Scope.TICKETS_WRITE)
    ticket = api_ticket_get(caller=caller, number=number)
    visible = inputs.attachment_public(caller=caller, public=public)
    item = ticket_add_attachment(ticket=ticket, actor=caller.user, fileobj=file, filename=file.name or "", public=visible)
    return 201, presenters.attachment(item)


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
    patch_cache_control(response, private=True, no_store=True)
    return response


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
