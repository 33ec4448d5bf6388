"""Personal data requests through API v1 (docs/api-app.md, "Privacy requests"): the customer's
app asks for a copy of their data, its erasure or its correction (PIPL), follows its requests,
withdraws one still waiting and downloads the copy. Each operation calls the service the portal's
"My personal data" calls (``privacy.services``), so the same rules and audit rows follow; the
copy is the portal's file (``privacy.downloads``).

The privacy app sits above the API in the layer order: this router lives here, named in
``PrivacyConfig.api_router``, and ``api/api.py`` mounts it when it builds API v1 (the API never
imports this app). Customer callers only — their own sign-in token, key or session; staff record
and answer requests on the privacy pages (403 ``customer_only``). Another customer's request is a
404, as one that does not exist.

No ``from __future__ import annotations`` here: django-ninja reads the handlers' types.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Path, Query, Router, Schema
from pydantic import Field

from aftersales.api.auth import customer_caller_of
from aftersales.api.caller import Caller
from aftersales.api.conditional import checked_version, version_etag
from aftersales.api.idempotency import idempotent
from aftersales.api.models import Scope
from aftersales.api.routers.common import MAX_ID, problems
from aftersales.api.routers.common import idempotency_header as _idem
from aftersales.api.schemas import Input
from aftersales.core import clock
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.customers.models import Customer
from aftersales.portal.selectors import portal_customer_for

from . import selectors, services
from .downloads import export_available, export_response
from .models import PrivacyRequest, RequestChannel, RequestKind, RequestStatus

router = Router(tags=["privacy"])

RequestId = Annotated[int, Path(ge=1, le=MAX_ID, description="The request's id (from the list or the create).")]
Correction = Annotated[str | None, Field(max_length=services.CORRECTION_MAX_LENGTH)]
IF_MATCH_DOC = "The request's ETag as read (GET /privacy/requests/{request_id}); 412 when stale, 428 when missing."
STAFF_REFUSAL = _(
    "Only the customer asks here about their own data; staff record and answer personal data requests "
    "on the privacy pages (/privacy/)."
)
ZIP_RESPONSE = {
    "200": {
        "description": "The copy of the customer's personal data: a zip (personal-data.json and files/), as the portal's.",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class CorrectionsIn(Input):
    """What is wrong, written as it should read (a correction request; at least one)."""

    name: Correction = Field(None, description="The right name.")
    phone: Correction = Field(None, description="The right phone number (any usual spelling; checked).")
    email: Correction = Field(None, description="The right email address (checked).")
    address: Correction = Field(None, description="The right address.")
    other: Correction = Field(None, description="Anything else that is wrong, and how it should read.")


class PrivacyRequestIn(Input):
    kind: RequestKind = Field(
        description="export: a copy of the data, prepared in the background (preparing, then download_url); erasure: staff erase the data (nothing of the "
        "customer's may be open); correction: staff correct what `corrections` names."
    )
    note: str = Field("", max_length=2000, description="Anything staff should know (optional).")
    corrections: CorrectionsIn | None = Field(None, description="A correction request only: the right values.")


class PrivacyRequestOut(Schema):
    id: int
    kind: RequestKind
    kind_label: str
    status: RequestStatus = Field(
        description="received (waiting for staff), completed, refused (see refusal_reason) or cancelled (withdrawn)."
    )
    status_label: str
    channel: RequestChannel = Field(description="How it came: app (this API), portal, staff or retention.")
    note: str
    corrections: dict[str, str] = Field(description="A correction request: the field and the right value.")
    created_at: dt.datetime
    due_at: dt.datetime = Field(
        description="When the answer is due: the end of the PRIVACY_ANSWER_DAYS-th (15) working day after it came "
        "(Chinese public holidays and make-up workdays counted)."
    )
    overdue: bool = Field(description="Still waiting after due_at.")
    handled_at: dt.datetime | None = Field(description="When it was answered or withdrawn.")
    refusal_reason: str = Field(description="Why staff refused it (empty otherwise).")
    can_cancel: bool = Field(description="Still waiting: POST …/cancel withdraws it.")
    preparing: bool = Field(
        description="export: the copy is being prepared in the background (status received); read the request "
        "again until it is completed with its download_url."
    )
    download_url: str | None = Field(description="The copy, while it may be downloaded; null otherwise.")
    export_expires_at: dt.datetime | None = Field(description="The copy is deleted after this (PRIVACY_EXPORT_KEEP_DAYS).")
    version: int = Field(description='Its ETag is "v<version>": send it in If-Match to withdraw.')


def _out(item: PrivacyRequest) -> PrivacyRequestOut:
    waiting = item.status == RequestStatus.RECEIVED
    ready = export_available(item)
    return PrivacyRequestOut(
        id=item.pk,
        kind=RequestKind(item.kind),
        kind_label=str(item.get_kind_display()),
        status=RequestStatus(item.status),
        status_label=str(item.get_status_display()),
        channel=RequestChannel(item.channel),
        note=item.note,
        corrections=dict(item.corrections or {}),
        created_at=item.created_at,
        due_at=item.due_at,
        overdue=waiting and item.due_at < clock.now(),
        handled_at=item.handled_at,
        refusal_reason=item.refusal_reason,
        can_cancel=waiting,
        preparing=item.export_preparing,
        download_url=reverse("api-v1:privacy_export_download", kwargs={"request_id": item.pk}) if ready else None,
        export_expires_at=item.export_expires_at if ready else None,
        version=item.version,
    )


def _customer(request: HttpRequest, scope: str) -> tuple[Caller, Customer]:
    caller = customer_caller_of(request, scope, refusal=STAFF_REFUSAL)
    customer = portal_customer_for(user=caller.user)
    if customer is None:
        raise PermissionDenied(_("This account is not linked to a customer record."), code="no_customer_record")
    return caller, customer


def _own(customer: Customer, request_id: int) -> PrivacyRequest:
    item = selectors.privacy_request_of_customer(customer=customer, pk=request_id)
    if item is None:
        raise NotFound(_("No personal data request of yours has this number."), code="privacy_request_not_found")
    return item


@router.get(
    "/privacy/requests",
    response={200: list[PrivacyRequestOut], **problems(403)},
    summary="Your personal data requests (copy, erasure, correction), newest first",
    description="A customer's own token, key or session (tickets:read). Staff: 403 customer_only (the privacy pages).",
)
def list_privacy_requests(
    request: HttpRequest, limit: int = Query(50, ge=1, le=100, description="At most this many (newest first).")
) -> Any:
    _caller, customer = _customer(request, Scope.TICKETS_READ)
    return [_out(item) for item in selectors.privacy_requests_of_customer(customer=customer)[:limit]]


@router.post(
    "/privacy/requests",
    response={200: PrivacyRequestOut, 201: PrivacyRequestOut, **problems(403, 409, 422)},
    summary="Ask for a copy of your personal data, its erasure or its correction",
    description='As the portal\'s "My personal data" (tickets:write). export: the copy is prepared in the '
    "background (status received, preparing true; then completed with download_url, and the customer is told in "
    "their inbox). erasure: staff answer within due_at; asking again while one waits answers that one (200). "
    "correction: `corrections` names at least one field with its right value (422 naming corrections.<field>); "
    "any other kind takes none. Idempotency-Key: a retry answers with the first result.",
)
@idempotent
def create_privacy_request(request: HttpRequest, payload: PrivacyRequestIn, idempotency_key: str = _idem()) -> Any:
    caller, customer = _customer(request, Scope.TICKETS_WRITE)
    again = payload.kind == RequestKind.ERASURE and selectors.privacy_open_erasure_exists(customer=customer)
    item = services.privacy_request_create(
        customer=customer,
        kind=payload.kind.value,
        channel=RequestChannel.APP,
        actor=caller.user,
        note=payload.note,
        corrections=payload.corrections.model_dump() if payload.corrections is not None else None,
    )
    headers = {"Location": f"{request.path.rstrip('/')}/{item.pk}", "ETag": version_etag(item)}
    return (200 if again else 201), _out(item), headers


@router.get(
    "/privacy/requests/{request_id}",
    response={200: PrivacyRequestOut, **problems(403, 404)},
    summary="One of your personal data requests: its status and dates (ETag)",
    description="Another customer's request is a 404 privacy_request_not_found, as one that does not exist.",
)
def get_privacy_request(request: HttpRequest, request_id: RequestId, response: HttpResponse) -> Any:
    _caller, customer = _customer(request, Scope.TICKETS_READ)
    item = _own(customer, request_id)
    response["ETag"] = version_etag(item)
    return _out(item)


@router.post(
    "/privacy/requests/{request_id}/cancel",
    response={200: PrivacyRequestOut, **problems(403, 404, 409, 412, 428)},
    summary="Withdraw your personal data request while it waits for an answer",
    description="tickets:write, with the request's ETag in If-Match. 409 request_answered: already completed, "
    "refused or withdrawn; 412: staff answered it since you read it.",
)
def cancel_privacy_request(
    request: HttpRequest,
    request_id: RequestId,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller, customer = _customer(request, Scope.TICKETS_WRITE)
    item = _own(customer, request_id)
    version = checked_version(
        request,
        item,
        missing=_("Send the request's ETag in If-Match (read the request first)."),
        stale=_("The request changed since you read it; read it again before withdrawing it."),
    )
    fresh = services.privacy_request_cancel(request=item, customer=customer, actor=caller.user, version=version)
    response["ETag"] = version_etag(fresh)
    return _out(fresh)


@router.get(
    "/privacy/requests/{request_id}/download",
    response={200: None, **problems(403, 404)},
    summary="Download the copy of your personal data (the portal's zip)",
    description="tickets:read; while download_url is set (PRIVACY_EXPORT_KEEP_DAYS after it was prepared). "
    "404 export_not_available otherwise. Every download is in the audit log.",
    url_name="privacy_export_download",
    openapi_extra={"responses": ZIP_RESPONSE},
)
def download_privacy_export(request: HttpRequest, request_id: RequestId) -> Any:
    caller, customer = _customer(request, Scope.TICKETS_READ)
    item = _own(customer, request_id)
    answer = export_response(item=item, user=caller.user)
    if answer is None:
        raise NotFound(
            _("No copy is ready to download for this request (not a copy, or past its date: ask for a new one)."),
            code="export_not_available",
        )
    return answer
