# ruff: noqa: B008 - django-ninja declares parameters with Query()/Header() defaults
"""API v1: technicians' trip logs (出差日志) in the caller's scope. Read them (ETag, with the log
and the labour reconciliation); a technician opens a trip (``Idempotency-Key``) and logs his days
(``If-Match``); each step — submit, approve, return, cancel — is one endpoint per declaration of
``travel.trip_actions`` (``If-Match``). Handlers parse, call one selector or service, and present.

No ``from __future__ import annotations`` here: django-ninja reads the body types.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Schema
from pydantic import Field

from aftersales.tickets.action_schemas import Input
from aftersales.travel import services, trip_actions, trip_selectors
from aftersales.travel.models import Trip, TripStatus
from aftersales.travel.permissions import Reach, reach_of
from aftersales.travel.reconcile import TOLERANCE, reconcile
from aftersales.travel.trip_permissions import trip_actions as allowed_steps

from ..conditional import checked_version, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..paging import page_by_id
from ..schemas import IsoDate
from .common import MAX_PAGE_SIZE, problems
from .common import idempotency_header as _idem
from .common import staff_caller as _staff_caller
from .travel import IF_MATCH_DOC, MISSING, STALE, STEP_PROBLEMS

router = Router(tags=["travel"])
Hours = Annotated[Decimal, Field(ge=Decimal("0"), le=Decimal("24"), decimal_places=2)]
Number = Annotated[str, Field(min_length=1, max_length=32)]


# --- bodies ----------------------------------------------------------------------------------------


class TripCreate(Input):
    """A technician opens a trip for himself."""

    province: Annotated[str, Field(min_length=1, max_length=32, description="江苏, 江苏省 or Jiangsu: stored as 江苏省.")]
    city: Annotated[str, Field(max_length=32)] = ""
    purpose: Annotated[str, Field(min_length=1, max_length=500)]
    planned_from: IsoDate
    planned_until: IsoDate
    departed_on: IsoDate | None = None
    work_orders: Annotated[list[Number], Field(max_length=50)] = []
    advance: Annotated[str, Field(max_length=32, description="The number of one of his cash advances.")] = ""


class EntryCreate(Input):
    """One line of the log."""

    day: IsoDate
    place: Annotated[str, Field(min_length=1, max_length=100)]
    activity: Annotated[str, Field(min_length=1, max_length=2000)]
    work_order: Annotated[str, Field(max_length=32, description="One of his work orders; empty: none.")] = ""
    working_hours: Hours = Decimal("0")
    travel_hours: Hours = Decimal("0")
    overnight: bool = False
    km: Annotated[Decimal, Field(ge=Decimal("0"), le=Decimal("5000"), decimal_places=1)] = Decimal("0")


# --- answers ---------------------------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    day: dt.date
    place: str
    activity: str
    work_order: str
    working_hours: Decimal
    travel_hours: Decimal
    overnight: bool
    km: Decimal


class LabourOut(Schema):
    work_order: str
    work_order_hours: Decimal
    logged_hours: Decimal = Field(description="Working hours logged for it on this trip (approved: the hours approved).")
    other_trips_hours: Decimal = Field(description="Logged for it on the technician's other submitted or approved trips.")
    difference: Decimal = Field(description="Logged (this trip and the others) less the work order's hours.")
    flagged: bool = Field(description=f"The difference passes {TOLERANCE} hours.")
    rate: Decimal
    cost: Decimal


class ReconciliationOut(Schema):
    frozen: bool = Field(description="Fixed by the approval; else computed from the log as it is.")
    rate: Decimal
    rate_day: dt.date
    cost: Decimal
    flagged: int
    working_hours: Decimal
    unassigned_hours: Decimal
    travel_hours: Decimal
    km: Decimal
    nights: int
    days: int
    rows: list[LabourOut]


class TripOut(Schema):
    number: str
    technician: str
    province: str
    city: str
    purpose: str
    planned_from: dt.date
    planned_until: dt.date
    departed_on: dt.date | None
    returned_on: dt.date | None
    work_orders: list[str] | None = None
    advance: str
    status: str
    status_label: str
    version: int
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    return_reason: str
    cancel_reason: str
    actions: list[str]
    entries: list[EntryOut] | None = None
    reconciliation: ReconciliationOut | None = None


class TripPage(Schema):
    items: list[TripOut]
    next_cursor: str | None


# --- presenting ------------------------------------------------------------------------------------


def _reconciliation(trip: Trip) -> ReconciliationOut:
    figures = reconcile(trip)
    return ReconciliationOut(
        frozen=figures.frozen,
        rate=figures.rate,
        rate_day=figures.rate_day,
        cost=figures.cost,
        flagged=figures.flagged,
        working_hours=figures.working_hours,
        unassigned_hours=figures.unassigned_hours,
        travel_hours=figures.travel_hours,
        km=figures.km,
        nights=figures.nights,
        days=figures.days,
        rows=[
            LabourOut(
                work_order=row.work_order.number,
                work_order_hours=row.work_order_hours,
                logged_hours=row.logged_hours,
                other_trips_hours=row.other_trips_hours,
                difference=row.difference,
                flagged=row.flagged,
                rate=row.rate,
                cost=row.cost,
            )
            for row in figures.rows
        ],
    )


def present_trip(caller: Any, trip: Trip, *, full: bool, reach: Reach | None = None) -> TripOut:
    return TripOut(
        number=trip.number,
        technician=trip.technician.username,
        province=trip.province,
        city=trip.city,
        purpose=trip.purpose,
        planned_from=trip.planned_from,
        planned_until=trip.planned_until,
        departed_on=trip.departed_on,
        returned_on=trip.returned_on,
        work_orders=[wo.number for wo in trip_selectors.trip_work_orders(trip)] if full else None,
        advance=trip.advance.number if trip.advance is not None else "",
        status=trip.status,
        status_label=str(TripStatus(trip.status).label),
        version=trip.version,
        created_at=trip.created_at,
        submitted_at=trip.submitted_at,
        decided_at=trip.decided_at,
        return_reason=trip.return_reason,
        cancel_reason=trip.cancel_reason,
        actions=sorted(allowed_steps(caller.user, trip, reach=reach)),
        entries=[
            EntryOut(
                id=e.pk,
                day=e.day,
                place=e.place,
                activity=e.activity,
                work_order=e.work_order.number if e.work_order is not None else "",
                working_hours=e.working_hours,
                travel_hours=e.travel_hours,
                overnight=e.overnight,
                km=e.km,
            )
            for e in trip_selectors.trip_entries(trip)
        ]
        if full
        else None,
        reconciliation=_reconciliation(trip) if full else None,
    )


def _trip_to_change(request: HttpRequest, number: str) -> tuple[Any, Any, int]:
    """The writing caller, the trip they may see and the version their If-Match names."""
    caller = _staff_caller(request, Scope.TRAVEL_WRITE)
    trip = trip_selectors.trip_get_for_user(user=caller.user, number=number)
    return caller, trip, checked_version(request, trip, missing=MISSING, stale=STALE)


def _trip_answer(caller: Any, number: str, response: HttpResponse) -> TripOut:
    fresh = trip_selectors.trip_get_for_user(user=caller.user, number=number)
    response["ETag"] = version_etag(fresh)
    return present_trip(caller, fresh, full=True)


# --- trips -----------------------------------------------------------------------------------------


@router.get("/trips", response={200: TripPage, **problems(403)}, summary="List trip logs")
def list_trips(
    request: HttpRequest,
    status: list[TripStatus] = Query(None, description="Repeat to match several statuses."),
    technician: str = Query("", max_length=64, description="A part of the technician's username or name."),
    month: str = Query("", pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$", description="Trips touching this month (YYYY-MM)."),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = _staff_caller(request, Scope.TRAVEL_READ)
    qs = trip_selectors.trip_list(
        user=caller.user,
        statuses=[s.value for s in status] if status else None,
        technician=technician,
        month=dt.date.fromisoformat(f"{month}-01") if month else None,
    )
    page = page_by_id(qs, cursor=cursor, limit=limit)
    reach = reach_of(caller.user, {t.technician_id for t in page.rows})
    return TripPage(items=[present_trip(caller, t, full=False, reach=reach) for t in page.rows], next_cursor=page.next_cursor)


@router.get("/trips/{number}", response={200: TripOut, **problems(403, 404)}, summary="Read a trip with its log (ETag)")
def get_trip(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    caller = _staff_caller(request, Scope.TRAVEL_READ)
    return _trip_answer(caller, number, response)


@router.post(
    "/trips", response={201: TripOut, **problems(403, 409, 422)}, summary="Open a trip (the technician; Idempotency-Key)"
)
@idempotent
def open_trip(request: HttpRequest, payload: TripCreate, idempotency_key: str = _idem()) -> Any:
    caller = _staff_caller(request, Scope.TRAVEL_WRITE)
    trip = services.trip_open(actor=caller.user, **payload.model_dump())
    fresh = trip_selectors.trip_get_for_user(user=caller.user, number=trip.number)
    headers = {"Location": f"{request.path.rstrip('/')}/{fresh.number}", "ETag": version_etag(fresh)}
    return 201, present_trip(caller, fresh, full=True), headers


@router.post(
    "/trips/{number}/entries",
    response={201: TripOut, **problems(403, 404, 409, 412, 422, 428)},
    summary="Log a day on a trip (If-Match)",
)
def add_entry(
    request: HttpRequest,
    number: str,
    payload: EntryCreate,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller, trip, version = _trip_to_change(request, number)
    services.trip_entry_add(trip=trip, actor=caller.user, expected_version=version, **payload.model_dump())
    return 201, _trip_answer(caller, number, response)


def _step(declared: Any) -> Any:
    body = declared.schema

    def handler(
        request: HttpRequest,
        number: str,
        payload: body,  # type: ignore[valid-type]
        response: HttpResponse,
        if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
    ) -> Any:
        caller, trip, version = _trip_to_change(request, number)
        declared.perform(document=trip, actor=caller.user, expected_version=version, **payload.model_dump())
        return _trip_answer(caller, number, response)

    handler.__name__ = handler.__qualname__ = f"trip_{declared.name}"
    return handler


for _declared in trip_actions.steps():
    router.add_api_operation(
        f"/trips/{{number}}/{_declared.name}",
        ["POST"],
        _step(_declared),
        response={200: TripOut, **STEP_PROBLEMS},
        summary=f"Trip: {_declared.name}",
    )
