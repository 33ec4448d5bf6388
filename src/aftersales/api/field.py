"""Field service and stock for the API: reads scoped to the caller (the app's own scope rules,
narrowed by the key's region), lookups that name the offending field, and the one composed
step the apps lack (complete = record the work + check out, atomically).

Everything else is the fieldservice and parts apps' services and selectors, called as they are.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.fieldservice import services as fs
from aftersales.fieldservice.models import Skill, WorkOrder, WorkOrderStatus
from aftersales.fieldservice.permissions import can_create, can_dispatch, is_active_staff, work_orders_visible_to
from aftersales.fieldservice.states import can_move
from aftersales.parts import selectors as parts_selectors
from aftersales.parts.models import Part, PartReturn, Requisition, Stock, Warehouse
from aftersales.parts.permissions import is_stock_staff, warehouses_visible_to
from aftersales.tickets.models import PlanMeasure
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES

from . import field_schemas as fsch
from .caller import Caller
from .selectors import Page, api_ticket_get

W = WorkOrderStatus
QUOTE_STATUSES = frozenset({W.DISPATCHED, W.ACCEPTED, W.RESCHEDULED, W.ON_THE_WAY, W.ON_SITE})
CURSOR_ERROR = _("This cursor is not valid; start from the first page.")


# --- cursors ------------------------------------------------------------------------------------


def encode_cursor(value: str | int) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def decode_cursor(value: str) -> str:
    try:
        return base64.urlsafe_b64decode((value + "=" * (-len(value) % 4)).encode()).decode()
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ValidationFailed({"cursor": [CURSOR_ERROR]}, code="cursor_invalid") from None


def _int_cursor(value: str) -> int:
    text = decode_cursor(value)
    if not text.isdigit():
        raise ValidationFailed({"cursor": [CURSOR_ERROR]}, code="cursor_invalid")
    return int(text)


def _page_by_id(qs: QuerySet[Any], *, cursor: str | None, limit: int, descending: bool = True) -> Page[Any]:
    """Keyset pagination on the primary key (newest first unless ``descending`` is false)."""
    qs = qs.order_by("-id" if descending else "id")
    if cursor:
        after = _int_cursor(cursor)
        qs = qs.filter(id__lt=after) if descending else qs.filter(id__gt=after)
    rows = list(qs[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].pk) if len(rows) > limit else None
    return Page(rows=rows[:limit], next_cursor=next_cursor)


# --- work orders --------------------------------------------------------------------------------


def api_work_orders_visible(*, caller: Caller) -> QuerySet[WorkOrder]:
    """The app's rule (a technician their own jobs, other staff by data scope), and a regional
    key only its region's work orders (the job's service region, else its ticket's)."""
    qs = work_orders_visible_to(caller.user)
    if caller.region_id is not None:
        qs = qs.filter(Q(region_id=caller.region_id) | Q(region__isnull=True, ticket__region_id=caller.region_id))
    return qs


def _region_allows(caller: Caller, work_order: WorkOrder) -> bool:
    if caller.region_id is None:
        return True
    region_id = work_order.region_id if work_order.region_id is not None else work_order.ticket.region_id
    return bool(region_id == caller.region_id)


def api_work_order_get(*, caller: Caller, number: str) -> WorkOrder:
    work_order = (
        api_work_orders_visible(caller=caller)
        .select_related("ticket__customer", "ticket__product_unit__model", "measure", "technician", "region")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if work_order is None:
        raise NotFound(_("No work order with this number is visible to you."), code="work_order_not_found")
    return work_order


def _stock_staff_region_allows(user: User, work_order: WorkOrder) -> bool:
    """Region-scoped stock staff work on the parts of their region's jobs only (the parts app
    lets any stock staff reach any work order's parts)."""
    if not is_stock_staff(user) or user.is_superuser or user.role == Role.ADMINISTRATOR:
        return True
    if user.data_scope == DataScope.ALL or not user.region_id:
        return True
    if work_order.technician_id == user.pk or work_orders_visible_to(user).filter(pk=work_order.pk).exists():
        return True
    region_id = work_order.region_id if work_order.region_id is not None else work_order.ticket.region_id
    return bool(region_id == user.region_id)


def api_work_order_for_parts(*, caller: Caller, number: str) -> WorkOrder:
    """A work order for its parts: the parts app's rule (its technician, stock staff, or staff who
    see its ticket), region-scoped stock staff their region's, narrowed by the key's region."""
    work_order = (
        WorkOrder.objects.select_related("ticket__customer", "ticket__product_unit__model", "technician")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if (
        work_order is None
        or not parts_selectors.can_view_work_order_parts(user=caller.user, work_order=work_order)
        or not _region_allows(caller, work_order)
        or not _stock_staff_region_allows(caller.user, work_order)
    ):
        raise NotFound(_("No work order with this number is visible to you."), code="work_order_not_found")
    return work_order


def api_work_order_page(
    *, caller: Caller, statuses: tuple[str, ...] = (), ticket: str = "", cursor: str | None = None, limit: int = 25
) -> Page[WorkOrder]:
    qs = api_work_orders_visible(caller=caller).select_related("ticket", "technician", "region")
    if statuses:
        qs = qs.filter(status__in=statuses)
    if ticket:
        qs = qs.filter(ticket__number=ticket.strip().upper())
    return _page_by_id(qs, cursor=cursor, limit=limit)


def work_order_actions(*, user: User, work_order: WorkOrder) -> list[str]:
    """The moves ``user`` may make on ``work_order`` now (the services decide in the end)."""
    status = work_order.status
    technician = is_active_staff(user) and work_order.technician_id == user.pk
    dispatcher = can_dispatch(user)
    if work_order.ticket.status in TICKET_FINAL_STATUSES:
        return ["cancel"] if (dispatcher or can_create(user)) and can_move(status, W.CANCELLED) else []
    actions = []
    if dispatcher and can_move(status, W.DISPATCHED):
        actions.append("dispatch")
    if technician and can_move(status, W.ACCEPTED):
        actions.append("accept")
    if technician and status == W.ACCEPTED:
        actions.append("depart")
    if technician and status in {W.ACCEPTED, W.ON_THE_WAY}:
        actions.append("check_in")
    if technician and status == W.ON_SITE:
        actions.extend(["record_work", "check_out", "complete"])
    if technician and status == W.DONE:
        actions.append("customer_accept")
    quote_open = work_order.chargeable and work_order.quote_confirmed_at is None
    if quote_open and (technician or dispatcher) and status in QUOTE_STATUSES:
        actions.append("prepare_quote")
    if quote_open and technician and work_order.quote_sent_at is not None and status in QUOTE_STATUSES:
        actions.append("confirm_quote")
    if (dispatcher or technician) and (can_move(status, W.RESCHEDULED) or (dispatcher and status == W.TO_DISPATCH)):
        actions.append("reschedule")
    if (dispatcher or technician) and can_move(status, W.FAILED):
        actions.append("fail")
    if (dispatcher or can_create(user)) and can_move(status, W.CANCELLED):
        actions.append("cancel")
    return actions


def measure_for(*, caller: Caller, ticket_number: str, measure_id: int) -> PlanMeasure:
    try:
        ticket = api_ticket_get(caller=caller, number=ticket_number)
    except NotFound:
        raise ValidationFailed({"ticket": [_("No ticket with this number is visible to you.")]}, code="ticket_invalid") from None
    measure = PlanMeasure.objects.select_related("plan").filter(pk=measure_id, plan__ticket=ticket).first()
    if measure is None:
        raise ValidationFailed({"measure_id": [_("No measure of this ticket has this id.")]}, code="measure_invalid")
    return measure


def skills_for(codes: list[str]) -> list[Skill]:
    wanted = sorted(set(codes))
    skills = list(Skill.objects.filter(code__in=wanted, active=True))
    if len(skills) != len(wanted):
        raise ValidationFailed({"required_skills": [_("Choose valid skill codes.")]}, code="skill_invalid")
    return skills


def technician_for(username: str, *, field: str = "technician") -> User:
    user = User.objects.filter(username=username, is_active=True, role=Role.TECHNICIAN).first()
    if user is None:
        raise ValidationFailed({field: [_("No active technician has this username.")]}, code="not_a_technician")
    return user


@transaction.atomic
def api_work_order_complete(
    *,
    work_order: WorkOrder,
    actor: User,
    expected_version: int,
    diagnosis: str,
    work_done: str,
    labour_hours: object,
    travel_km: object = 0,
    share_location: bool = False,
    lat: object = None,
    lng: object = None,
) -> WorkOrder:
    """Record the work and check out in one transaction: both happen, or neither."""
    recorded = fs.work_order_record_work(
        work_order=work_order,
        actor=actor,
        diagnosis=diagnosis,
        work_done=work_done,
        labour_hours=labour_hours,
        travel_km=travel_km,
        expected_version=expected_version,
    )
    return fs.work_order_check_out(
        work_order=recorded, actor=actor, share_location=share_location, lat=lat, lng=lng, expected_version=recorded.version
    )


# action → (request body, function(payload, caller) → service kwargs, service)
WorkOrderConverter = Callable[[Any, Caller], dict[str, Any]]


def _none(payload: Any, caller: Caller) -> dict[str, Any]:
    return {}


def _dump(payload: Any, caller: Caller) -> dict[str, Any]:
    return dict(payload.model_dump())


def _dispatch(payload: fsch.DispatchInput, caller: Caller) -> dict[str, Any]:
    return {
        "technician": technician_for(payload.technician),
        "appointment_start": payload.appointment_start,
        "appointment_end": payload.appointment_end,
    }


def _accept_customer(payload: fsch.CustomerAcceptInput, caller: Caller) -> dict[str, Any]:
    data = payload.model_dump()
    data["method"] = payload.method.value
    return data


WORK_ORDER_ACTIONS: dict[str, tuple[type[Any], WorkOrderConverter, Callable[..., object]]] = {
    "dispatch": (fsch.DispatchInput, _dispatch, fs.work_order_dispatch),
    "accept": (fsch.WorkOrderNoInput, _none, fs.work_order_accept),
    "depart": (fsch.WorkOrderNoInput, _none, fs.work_order_depart),
    "check_in": (fsch.LocationInput, _dump, fs.work_order_check_in),
    "record_work": (fsch.RecordWorkInput, _dump, fs.work_order_record_work),
    "check_out": (fsch.LocationInput, _dump, fs.work_order_check_out),
    "complete": (fsch.CompleteInput, _dump, api_work_order_complete),
    "customer_accept": (fsch.CustomerAcceptInput, _accept_customer, fs.work_order_customer_accept),
    "prepare_quote": (fsch.QuoteInput, _dump, fs.work_order_prepare_quote),
    "confirm_quote": (fsch.WorkOrderNoInput, _none, fs.work_order_confirm_quote),
    "reschedule": (fsch.RescheduleInput, _dump, fs.work_order_reschedule),
    "fail": (fsch.WorkOrderReasonInput, _dump, fs.work_order_fail),
    "cancel": (fsch.WorkOrderReasonInput, _dump, fs.work_order_cancel),
}


# --- parts and stock ----------------------------------------------------------------------------


def api_warehouses_visible(*, caller: Caller) -> QuerySet[Warehouse]:
    """The parts app's rule (stock staff by data scope, a technician their van), and a regional
    key only its region's warehouses and those serving every region."""
    qs = warehouses_visible_to(caller.user)
    if caller.region_id is not None:
        qs = qs.filter(Q(region_id=caller.region_id) | Q(region__isnull=True))
    return qs


def api_part_page(*, query: str = "", cursor: str | None = None, limit: int = 25) -> Page[Part]:
    """The active catalogue by part number (keyset on the number)."""
    qs = parts_selectors.parts_search(query=query)
    if cursor:
        qs = qs.filter(number__gt=decode_cursor(cursor))
    rows = list(qs[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].number) if len(rows) > limit else None
    return Page(rows=rows[:limit], next_cursor=next_cursor)


def api_stock_page(
    *,
    caller: Caller,
    warehouse_id: int | None = None,
    query: str = "",
    low_only: bool = False,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[Stock]:
    qs = parts_selectors.stock_for_user(user=caller.user, warehouse_id=warehouse_id, query=query, low_only=low_only)
    qs = qs.filter(warehouse__in=api_warehouses_visible(caller=caller))
    return _page_by_id(qs, cursor=cursor, limit=limit, descending=False)


def source_warehouse_for(*, caller: Caller, warehouse_id: int) -> Warehouse:
    """A central or regional warehouse parts may be requested from or returned to."""
    qs = parts_selectors.source_warehouses()
    if caller.region_id is not None:
        qs = qs.filter(Q(region_id=caller.region_id) | Q(region__isnull=True))
    warehouse = qs.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise ValidationFailed({"warehouse_id": [_("Choose an active central or regional warehouse.")]}, code="warehouse_invalid")
    return warehouse


def parts_by_number(numbers: list[str], *, field: str) -> dict[str, Part]:
    found = {p.number: p for p in Part.objects.filter(number__in=set(numbers), active=True)}
    errors = {
        f"{field}.{index}.part_number": [_("No active part has this number.")]
        for index, number in enumerate(numbers)
        if number not in found
    }
    if errors:
        raise ValidationFailed(errors, code="part_invalid")
    return found


def _document_region(caller: Caller) -> Q:
    return Q(work_order__region_id=caller.region_id) | Q(warehouse__region_id=caller.region_id)


def api_requisitions_visible(*, caller: Caller, status: str = "") -> QuerySet[Requisition]:
    qs = parts_selectors.requisitions_for_user(user=caller.user, status=status)
    if caller.region_id is not None:
        qs = qs.filter(_document_region(caller))
    return qs


def api_requisition_get(*, caller: Caller, requisition_id: int) -> Requisition:
    requisition = api_requisitions_visible(caller=caller).prefetch_related("lines__part").filter(pk=requisition_id).first()
    if requisition is None:
        raise NotFound(_("No requisition with this id is visible to you."), code="requisition_not_found")
    return requisition


def api_requisition_page(*, caller: Caller, status: str = "", cursor: str | None = None, limit: int = 25) -> Page[Requisition]:
    qs = api_requisitions_visible(caller=caller, status=status).prefetch_related("lines__part")
    return _page_by_id(qs, cursor=cursor, limit=limit)


def api_returns_visible(*, caller: Caller, status: str = "") -> QuerySet[PartReturn]:
    qs = parts_selectors.returns_for_user(user=caller.user, status=status)
    if caller.region_id is not None:
        qs = qs.filter(_document_region(caller))
    return qs


def api_return_get(*, caller: Caller, return_id: int) -> PartReturn:
    found = api_returns_visible(caller=caller).filter(pk=return_id).first()
    if found is None:
        raise NotFound(_("No parts return with this id is visible to you."), code="return_not_found")
    return found


def api_return_page(*, caller: Caller, status: str = "", cursor: str | None = None, limit: int = 25) -> Page[PartReturn]:
    return _page_by_id(api_returns_visible(caller=caller, status=status), cursor=cursor, limit=limit)


def return_technician(*, caller: Caller, work_order: WorkOrder | None, username: str | None) -> User:
    """Whose van the parts leave: the work order's technician, the caller (a technician), or —
    for warehouse staff only — the technician they name."""
    if username is not None:
        if not is_stock_staff(caller.user):
            raise ValidationFailed({"technician": [_("You may not set this field.")]}, code="field_not_allowed")
        return technician_for(username)
    if work_order is not None and work_order.technician is not None:
        return work_order.technician
    return caller.user
