"""API v1: notification templates (administrators: list, read with history, save a new
version, preview with a sample ticket) and reply templates (read by staff; written by
administrators and supervisors; rendered with a ticket's values).

A notification template's ETag is its state (``"3.3"``: three versions, the third in use;
``"3.0"``: the shipped text in use); saving takes ``If-Match``. Reply templates: creates take
``Idempotency-Key``, changes ``If-Match`` with ``"v<version>"``.
"""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Path, Query, Router, Schema
from pydantic import Field

from aftersales.core.errors import ValidationFailed
from aftersales.notifications import template_selectors as selectors
from aftersales.notifications import template_services as services
from aftersales.notifications.models import ReplyTemplate
from aftersales.notifications.template_events import event_for, has_subject
from aftersales.notifications.template_text import Placeholder

from ..conditional import require_if_match, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..selectors import api_ticket_get
from .common import MAX_ID, problems, staff_caller
from .common import idempotency_header as _idem

router = Router(tags=["Templates"])

Key = Annotated[str, Path(max_length=64)]
ReplyId = Annotated[int, Path(ge=1, le=MAX_ID)]
IF_MATCH_DOC = "The ETag as read; 412 when stale, 428 when missing."


class PlaceholderOut(Schema):
    name: str = Field(description="The Chinese name, as in {工单号}.")
    alias: str = Field(description="The English alias, as in {ticket_number}.")
    description: str


class VersionOut(Schema):
    version: int
    subject: str
    body: str
    active: bool
    saved_by: str
    saved_at: datetime


class NotificationTemplateOut(Schema):
    event: str
    label: str
    channel: str
    language: str
    subject: str = Field(description="Empty for SMS (no subject).")
    body: str
    active_version: int | None = Field(None, description="None: the shipped text is sent.")
    etag: str
    placeholders: list[PlaceholderOut]
    history: list[VersionOut] = Field(default_factory=list, description="Saved versions, newest first (on GET of one).")


class NotificationTemplateIn(Schema):
    subject: str = Field("", max_length=400, description="E-mail and in-app only.")
    body: str = Field("", max_length=8000)


class SmsLengthOut(Schema):
    characters: int
    segments: int
    encoding: str
    per_segment: int


class PreviewOut(Schema):
    subject: str
    text: str = Field(description="The whole message as sent, with the greeting, link and sign-off.")
    sms: SmsLengthOut | None = None


class ReplyTemplateIn(Schema):
    title: str = Field("", max_length=200)
    language: str = Field("", max_length=16, description="zh-hans or en.")
    category: str = Field("", max_length=100)
    body: str = Field("", max_length=8000)
    active: bool = True


class ReplyTemplateOut(Schema):
    id: int
    title: str
    language: str
    category: str
    body: str
    active: bool
    version: int


class RenderedReplyOut(Schema):
    template: int
    ticket: str
    text: str


def _placeholders(items: tuple[Placeholder, ...]) -> list[PlaceholderOut]:
    return [PlaceholderOut(name=p.zh, alias=p.en, description=str(p.label)) for p in items]


def _template_out(caller: Any, event: str, channel: str, language: str, *, history: bool) -> tuple[NotificationTemplateOut, str]:
    state = selectors.template_state(user=caller.user, event=event, channel=channel, language=language)
    subject, body, active = services.effective_texts(actor=caller.user, event=event, channel=channel, language=language)
    known = event_for(event)
    assert known is not None
    etag = f'"{state.token}"'
    versions = [
        VersionOut(
            version=row.version,
            subject=row.subject,
            body=row.body,
            active=row.active,
            saved_by=str(row.created_by or ""),
            saved_at=row.created_at,
        )
        for row in state.history
    ]
    out = NotificationTemplateOut(
        event=event,
        label=str(known.label),
        channel=channel,
        language=language,
        subject=subject,
        body=body,
        active_version=active,
        etag=etag,
        placeholders=_placeholders(known.all_placeholders),
        history=versions if history else [],
    )
    return out, etag


def _if_match(request: HttpRequest, current: str) -> None:
    # The ETag as the caller reads it: a notification template's state token ("3.3", no row version) or a reply
    # template's "v<version>".
    require_if_match(
        request,
        current,
        missing=_("Send the ETag in If-Match (read it first)."),
        stale=_("The template was changed since you read it; read it again and retry."),
    )


@router.get(
    "/templates/notifications",
    response={200: list[NotificationTemplateOut], **problems(403)},
    summary="Every editable notification template (event × channel × language) with the text sent now (administrators)",
)
def list_notification_templates(request: HttpRequest) -> Any:
    caller = staff_caller(request, Scope.TEMPLATES_READ)
    selectors.require_template_editor(caller.user)
    return [
        _template_out(caller, row.event, row.channel, row.language, history=False)[0]
        for row in selectors.template_overview(user=caller.user)
    ]


@router.get(
    "/templates/notifications/{event}/{channel}/{language}",
    response={200: NotificationTemplateOut, **problems(403, 404)},
    summary="A notification template: the text sent now, its placeholders and its versions (ETag)",
)
def get_notification_template(request: HttpRequest, event: Key, channel: Key, language: Key, response: HttpResponse) -> Any:
    caller = staff_caller(request, Scope.TEMPLATES_READ)
    out, etag = _template_out(caller, event, channel, language, history=True)
    response["ETag"] = etag
    return out


@router.put(
    "/templates/notifications/{event}/{channel}/{language}",
    response={200: NotificationTemplateOut, **problems(403, 404, 409, 412, 422, 428)},
    summary="Save a new version of a notification template and send it from now on (If-Match)",
)
def update_notification_template(
    request: HttpRequest,
    event: Key,
    channel: Key,
    language: Key,
    payload: NotificationTemplateIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.TEMPLATES_WRITE)
    state = selectors.template_state(user=caller.user, event=event, channel=channel, language=language)
    _if_match(request, f'"{state.token}"')
    services.notification_template_save(
        actor=caller.user,
        event=event,
        channel=channel,
        language=language,
        subject=payload.subject,
        body=payload.body,
        expected_state=state.token,
    )
    out, etag = _template_out(caller, event, channel, language, history=True)
    response["ETag"] = etag
    return out


@router.post(
    "/templates/notifications/{event}/{channel}/{language}/preview",
    response={200: PreviewOut, **problems(403, 404, 409, 422)},
    summary="Render a notification text with a sample ticket's values (nothing is saved); an SMS with its length",
    description="Changes nothing; an Idempotency-Key is accepted as on every POST.",
)
@idempotent
def preview_notification_template(
    request: HttpRequest,
    event: Key,
    channel: Key,
    language: Key,
    payload: NotificationTemplateIn,
    idempotency_key: str = _idem(),
) -> Any:
    caller = staff_caller(request, Scope.TEMPLATES_READ)
    selectors.require_template_editor(caller.user)
    result = services.notification_template_preview(
        event=event, channel=channel, language=language, subject=payload.subject, body=payload.body
    )
    if result.errors:
        raise ValidationFailed(result.errors, code="template_invalid")
    sms = result.sms
    return 200, PreviewOut(
        subject=result.subject if has_subject(channel) else "",
        text=result.text,
        sms=SmsLengthOut(characters=sms.characters, segments=sms.segments, encoding=sms.encoding, per_segment=sms.per_segment)
        if sms
        else None,
    )


# --- Reply templates ---------------------------------------------------------------------------


def _reply_out(t: ReplyTemplate) -> ReplyTemplateOut:
    return ReplyTemplateOut(
        id=t.pk, title=t.title, language=t.language, category=t.category, body=t.body, active=t.active, version=t.version
    )


def _reply_input(payload: ReplyTemplateIn) -> services.ReplyTemplateInput:
    return services.ReplyTemplateInput(
        title=payload.title, language=payload.language, body=payload.body, category=payload.category
    )


@router.get(
    "/templates/replies",
    response={200: list[ReplyTemplateOut], **problems(403)},
    summary="The reply templates in use (staff; administrators and supervisors also see archived ones)",
)
def list_reply_templates(
    request: HttpRequest,
    language: str = Query("", max_length=16, description="zh-hans or en; empty: both."),
) -> Any:
    caller = staff_caller(request, Scope.TEMPLATES_READ)
    rows = selectors.reply_templates_for_user(user=caller.user, language=language, include_archived=True)[:500]
    return [_reply_out(t) for t in rows]


@router.get(
    "/templates/replies/{template_id}", response={200: ReplyTemplateOut, **problems(403, 404)}, summary="A reply template (ETag)"
)
def get_reply_template(request: HttpRequest, template_id: ReplyId, response: HttpResponse) -> Any:
    caller = staff_caller(request, Scope.TEMPLATES_READ)
    found = selectors.reply_template_get(user=caller.user, template_id=template_id)
    response["ETag"] = version_etag(found)
    return _reply_out(found)


@router.post(
    "/templates/replies",
    response={201: ReplyTemplateOut, **problems(403, 409, 422)},
    summary="Write a reply template (administrators and supervisors)",
)
@idempotent
def create_reply_template(request: HttpRequest, payload: ReplyTemplateIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.TEMPLATES_WRITE)
    created = services.reply_template_create(actor=caller.user, data=_reply_input(payload))
    headers = {"Location": f"{request.path.rstrip('/')}/{created.pk}", "ETag": version_etag(created)}
    return 201, _reply_out(created), headers


@router.put(
    "/templates/replies/{template_id}",
    response={200: ReplyTemplateOut, **problems(403, 404, 409, 412, 422, 428)},
    summary="Change or archive (active: false) a reply template (If-Match)",
)
def update_reply_template(
    request: HttpRequest,
    template_id: ReplyId,
    payload: ReplyTemplateIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.TEMPLATES_WRITE)
    found = selectors.reply_template_get(user=caller.user, template_id=template_id)
    _if_match(request, version_etag(found))
    saved = services.reply_template_update(
        actor=caller.user, template=found, data=_reply_input(payload), expected_version=found.version, active=payload.active
    )
    response["ETag"] = version_etag(saved)
    return _reply_out(saved)


@router.get(
    "/templates/replies/{template_id}/render",
    response={200: RenderedReplyOut, **problems(403, 404)},
    summary="A reply template filled with a ticket's values (a ticket the caller may see)",
)
def render_reply_template(
    request: HttpRequest,
    template_id: ReplyId,
    ticket: str = Query(..., min_length=1, max_length=32, description="The ticket number."),
) -> Any:
    caller = staff_caller(request, Scope.TEMPLATES_READ)
    caller.require(Scope.TICKETS_READ)
    found = selectors.reply_template_get(user=caller.user, template_id=template_id)
    target = api_ticket_get(caller=caller, number=ticket)
    text = services.reply_render(template=found, values=services.reply_values(ticket=target, agent=caller.user))
    return RenderedReplyOut(template=found.pk, ticket=target.number, text=text)
