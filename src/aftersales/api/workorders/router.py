# ruff: noqa: B008 - django-ninja declares parameters with Query()/File()/Header() defaults
"""Work orders: list, read (ETag), create from a plan measure, the moves (one endpoint per
action of ``fieldservice.actions`` with a body, If-Match), photos, the charge lines and the
completion acceptance form (PDF).

No ``from __future__ import annotations`` here: each generated handler's body type must be a
real class for django-ninja to read. Handlers parse, call one selector or service, present.

Operation ids are public (clients generate method names from them): they keep the ids of the
module these operations were first declared in, ``aftersales.api.routers.workorders``.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Header, Query, Router
from ninja.files import UploadedFile

from aftersales.core.errors import NotFound
from aftersales.core.web import private_no_store
from aftersales.fieldservice.actions import ACTIONS, WorkOrderAction, api_actions
from aftersales.fieldservice.models import WorkOrderFileKind, WorkOrderStatus
from aftersales.fieldservice.pdf import acceptance_pdf
from aftersales.fieldservice.selectors import acceptance_for, measures_open_for_work_orders
from aftersales.fieldservice.services import work_order_create

from ..conditional import work_order_etag, work_order_not_modified, work_order_version_from_if_match
from ..idempotency import idempotent
from ..models import Scope
from ..routers.common import MAX_PAGE_SIZE, problems
from ..routers.common import idempotency_header as _idem
from ..routers.common import staff_caller as _staff_caller
from ..selectors import api_ticket_get
from . import presenters as present
from . import schemas as out
from .inputs import measure_for, skills_for
from .selectors import api_work_order_get, api_work_order_page, api_work_orders_visible, work_order_actions

router = Router(tags=["work orders"])
IDS = "aftersales_api_routers_workorders_"
IF_MATCH_DOC = "The ETag of the work order as read (GET /work-orders/{wo_number}); 412 when stale, 428 when missing."


@router.get(
    "/work-orders",
    response={200: out.WorkOrderPage, **problems(403, 422)},
    summary="List work orders",
    operation_id=f"{IDS}list_work_orders",
)
def list_work_orders(
    request: HttpRequest,
    status: list[WorkOrderStatus] = Query(None, description="Repeat to match several statuses."),
    ticket: str = Query("", max_length=32, description="Only the work orders of this ticket."),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    page = api_work_order_page(
        caller=caller, statuses=tuple(s.value for s in status or ()), ticket=ticket, cursor=cursor, limit=limit
    )
    return out.WorkOrderPage(items=[present.work_order_summary(w) for w in page.rows], next_cursor=page.next_cursor)


@router.post(
    "/work-orders",
    response={201: out.WorkOrderOut, **problems(403, 409, 422)},
    summary="Create a work order from a field measure of the ticket's agreed plan",
    operation_id=f"{IDS}create_work_order",
)
@idempotent
def create_work_order(request: HttpRequest, payload: out.WorkOrderCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_WRITE)
    measure = measure_for(caller=caller, ticket_number=payload.ticket, measure_id=payload.measure_id)
    data = payload.model_dump(exclude={"ticket", "measure_id", "required_skills"})
    created = work_order_create(measure=measure, actor=caller.user, required_skills=skills_for(payload.required_skills), **data)
    work_order = api_work_order_get(caller=caller, number=created.number)
    headers = {"Location": f"{request.path.rstrip('/')}/{work_order.number}", "ETag": work_order_etag(work_order)}
    return 201, present.work_order_detail(work_order, caller.user), headers


@router.get(
    "/tickets/{number}/field-measures",
    response={200: list[out.FieldMeasureOut], **problems(403, 404)},
    summary="Measures of the ticket's agreed plan that need a work order (POST /work-orders with one)",
    operation_id=f"{IDS}list_field_measures",
)
def list_field_measures(request: HttpRequest, number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    made = api_work_orders_visible(caller=caller).filter(ticket=ticket)
    return [
        out.FieldMeasureOut(
            id=m.pk,
            kind=m.kind,
            description=m.description,
            status=m.status,
            work_orders=sorted(made.filter(measure=m).values_list("number", flat=True)),
        )
        for m in measures_open_for_work_orders(ticket=ticket)
    ]


@router.get(
    "/work-orders/{wo_number}",
    response={200: out.WorkOrderOut, 304: None, **problems(403, 404)},
    summary="Read a work order (ETag; If-None-Match → 304)",
    operation_id=f"{IDS}get_work_order",
)
def get_work_order(request: HttpRequest, wo_number: str, response: HttpResponse) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    if work_order_not_modified(request, work_order):
        unchanged = HttpResponse(status=304)
        unchanged["ETag"] = work_order_etag(work_order)
        return unchanged
    response["ETag"] = work_order_etag(work_order)
    return present.work_order_detail(work_order, caller.user)


@router.get(
    "/work-orders/{wo_number}/actions",
    response={200: out.WorkOrderActionsOut, **problems(403, 404)},
    summary="Status moves you may make now",
    operation_id=f"{IDS}list_work_order_actions",
)
def list_work_order_actions(request: HttpRequest, wo_number: str, response: HttpResponse) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    response["ETag"] = work_order_etag(work_order)
    return out.WorkOrderActionsOut(
        number=work_order.number,
        version=work_order.version,
        status=work_order.status,
        actions=work_order_actions(user=caller.user, work_order=work_order),
    )


def _make_handler(action: WorkOrderAction) -> Any:
    body = action.schema

    def handler(
        request: HttpRequest,
        wo_number: str,
        payload: body,  # type: ignore[valid-type]
        response: HttpResponse,
        if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
    ) -> Any:
        caller = _staff_caller(request, Scope.WORKORDERS_WRITE)
        work_order = api_work_order_get(caller=caller, number=wo_number)
        version = work_order_version_from_if_match(request, work_order)
        action.perform(work_order=work_order, actor=caller.user, expected_version=version, **action.from_api(payload))
        fresh = api_work_order_get(caller=caller, number=wo_number)
        response["ETag"] = work_order_etag(fresh)
        return present.work_order_detail(fresh, caller.user)

    handler.__name__ = f"work_order_{action.name}"
    handler.__qualname__ = handler.__name__
    return handler


for _action in api_actions():
    router.add_api_operation(
        f"/work-orders/{{wo_number}}/actions/{_action.slug}",
        ["POST"],
        _make_handler(_action),
        # a drawn signature makes a large body: 413 past the server's request size limit
        response={200: out.WorkOrderOut, **problems(403, 404, 409, 412, 413, 422, 428)},
        summary=f"Work order: {_action.name.replace('_', ' ')}",
        operation_id=f"{IDS}work_order_{_action.name}",
    )


@router.post(
    "/work-orders/{wo_number}/photos",
    response={201: out.WorkOrderFileOut, **problems(403, 404, 409, 422)},
    summary="Upload a photo before or after the work (multipart; the technician, on site)",
    operation_id=f"{IDS}upload_photo",
)
@idempotent
def upload_photo(
    request: HttpRequest,
    wo_number: str,
    file: UploadedFile = File(..., description="JPEG, PNG, WebP or HEIC; checked by content."),
    kind: str = Form(..., pattern="^(before|after)$", description="before or after the work."),
    idempotency_key: str = _idem(),
) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_WRITE)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    item = ACTIONS["photo"].perform(work_order=work_order, actor=caller.user, kind=WorkOrderFileKind(kind), file=file)
    return 201, present.work_order_file(item)


@router.get(
    "/work-orders/{wo_number}/charges",
    response={200: out.ChargesOut, **problems(403, 404)},
    summary="The charge lines (free or charged, and why) of a completed job",
    operation_id=f"{IDS}get_charges",
)
def get_charges(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    return present.charges(api_work_order_get(caller=caller, number=wo_number))


@router.get(
    "/work-orders/{wo_number}/acceptance.pdf",
    response={200: None, **problems(403, 404)},
    summary="The completion acceptance form signed by the customer (PDF)",
    operation_id=f"{IDS}get_acceptance_pdf",
)
def get_acceptance_pdf(request: HttpRequest, wo_number: str) -> Any:
    caller = _staff_caller(request, Scope.WORKORDERS_READ)
    work_order = api_work_order_get(caller=caller, number=wo_number)
    acceptance = acceptance_for(work_order)
    if acceptance is None:
        raise NotFound(_("The customer has not accepted this work order yet."), code="acceptance_not_found")
    response = HttpResponse(acceptance_pdf(acceptance), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{work_order.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)
