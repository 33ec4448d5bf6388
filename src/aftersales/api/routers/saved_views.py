"""Saved views of the ticket list (``/ticket-views``): the caller's own views and those shared
with them (their team's, all staff's). A view's filters are the list's query string
(``status=all&priority=1&q=漏水``), its ``url`` opens it in the web list.

Read with ``tickets:read``, changed with ``tickets:write`` (staff only). Creates take
``Idempotency-Key``; changes take ``If-Match`` with the ETag (``"v<version>"``); a delete checks
``If-Match`` when it is sent. Registered by ``routers/tickets.py`` (nested router).
"""

from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Path, Router, Schema
from pydantic import Field

from aftersales.tickets.models import SavedView, ViewSharing
from aftersales.tickets.selectors import saved_view_get_for_user, saved_views_for_user
from aftersales.tickets.services import saved_view_create, saved_view_delete, saved_view_update, saved_views_reorder

from ..conditional import checked_version, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..schemas import Input, IsoDateTime
from .common import MAX_ID, problems, staff_caller
from .common import idempotency_header as _idem

router = Router(tags=["ticket views"])

ViewId = Annotated[int, Path(ge=1, le=MAX_ID)]
IF_MATCH_DOC = "The view's ETag as read; 412 when stale, 428 when missing."
FILTERS_DOC = (
    "The ticket list's filters as a query string: queue, status, priority, channel, q, sort, category, region, team, "
    "assignee (as GET /tickets/ of the web list takes them)."
)


class TicketViewIn(Input):
    name: str = Field(..., max_length=200)
    filters: str = Field("", max_length=2000, description=FILTERS_DOC)
    sharing: ViewSharing = Field(
        ViewSharing.PRIVATE, description="private, team (your team) or everyone (supervisors and administrators)."
    )


class TicketViewPatch(Input):
    name: str | None = Field(None, max_length=200)
    filters: str | None = Field(None, max_length=2000, description=FILTERS_DOC)
    sharing: ViewSharing | None = None
    position: int | None = Field(None, ge=0, le=10_000, description="Your own views only: its place in your bar, from 0.")


class TicketViewOut(Schema):
    id: int
    name: str
    filters: str = Field(description="The normalised query string (defaults left out).")
    sharing: ViewSharing
    position: int
    mine: bool = Field(description="False: shared with you by its owner.")
    owner: str = Field(description="The owner's user name.")
    start: bool = Field(description="Your start view (the plain web list opens it).")
    url: str = Field(description="The web list showing this view.")
    created_at: IsoDateTime
    updated_at: IsoDateTime
    version: int


def _out(view: SavedView, caller: Any) -> TicketViewOut:
    query = view.query_string
    return TicketViewOut(
        id=view.pk,
        name=view.name,
        filters=query,
        sharing=ViewSharing(view.sharing),
        position=view.position,
        mine=view.owner_id == caller.user.pk,
        owner=view.owner.username,
        start=view.is_start,
        url=f"{reverse('tickets:list')}?{query or 'status=open'}",
        created_at=view.created_at,
        updated_at=view.updated_at,
        version=view.version,
    )


def _fresh(caller: Any, view_id: int) -> SavedView:
    return saved_view_get_for_user(user=caller.user, view_id=view_id)


def _version_from_if_match(request: HttpRequest, view: SavedView) -> int:
    return checked_version(
        request,
        view,
        missing=_("Send the view's ETag in If-Match (read the view first)."),
        stale=_("The view was changed since you read it; read it again and retry."),
    )


@router.get(
    "/ticket-views",
    response={200: list[TicketViewOut], **problems(403)},
    summary="Your saved views of the ticket list and those shared with you",
)
def list_ticket_views(request: HttpRequest) -> Any:
    caller = staff_caller(request, Scope.TICKETS_READ)
    return [_out(view, caller) for view in saved_views_for_user(user=caller.user).all]


@router.post("/ticket-views", response={201: TicketViewOut, **problems(403, 409, 422)}, summary="Save a view of the ticket list")
@idempotent
def create_ticket_view(request: HttpRequest, payload: TicketViewIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.TICKETS_WRITE)
    view = saved_view_create(actor=caller.user, name=payload.name, filters=payload.filters, sharing=payload.sharing)
    headers = {"Location": f"{request.path.rstrip('/')}/{view.pk}", "ETag": version_etag(view)}
    return 201, _out(view, caller), headers


@router.get("/ticket-views/{view_id}", response={200: TicketViewOut, **problems(403, 404)}, summary="A saved view (ETag)")
def get_ticket_view(request: HttpRequest, view_id: ViewId, response: HttpResponse) -> Any:
    caller = staff_caller(request, Scope.TICKETS_READ)
    view = _fresh(caller, view_id)
    response["ETag"] = version_etag(view)
    return _out(view, caller)


@router.patch(
    "/ticket-views/{view_id}",
    response={200: TicketViewOut, **problems(403, 404, 409, 412, 422, 428)},
    summary="Rename a view, share it otherwise, change its filters or its place (its owner; If-Match)",
)
def update_ticket_view(
    request: HttpRequest,
    view_id: ViewId,
    payload: TicketViewPatch,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.TICKETS_WRITE)
    view = _fresh(caller, view_id)
    version = _version_from_if_match(request, view)
    with transaction.atomic():  # the fields and the place together, or neither
        view = saved_view_update(
            actor=caller.user,
            view=view,
            name=payload.name,
            filters=payload.filters,
            sharing=payload.sharing,
            expected_version=version,
        )
        if payload.position is not None:
            order = [v.pk for v in saved_views_for_user(user=caller.user).own if v.pk != view.pk]
            order.insert(min(payload.position, len(order)), view.pk)
            saved_views_reorder(actor=caller.user, order=order)
            view = _fresh(caller, view_id)
    response["ETag"] = version_etag(view)
    return _out(view, caller)


@router.delete(
    "/ticket-views/{view_id}",
    response={204: None, **problems(403, 404, 409, 412)},
    summary="Delete a view (its owner; an administrator also a view shared with others)",
)
def delete_ticket_view(
    request: HttpRequest,
    view_id: ViewId,
    if_match: str = Header(None, alias="If-Match", max_length=200, description="Optional: the view's ETag; 412 when stale."),
) -> Any:
    caller = staff_caller(request, Scope.TICKETS_WRITE)
    view = _fresh(caller, view_id)
    version = _version_from_if_match(request, view) if request.headers.get("If-Match") else None
    saved_view_delete(actor=caller.user, view=view, expected_version=version)
    return HttpResponse(status=204)
