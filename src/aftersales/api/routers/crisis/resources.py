"""API v1: the resources of a crisis — spare parts reserved from an emergency reserve (released
on recovery or by hand), technicians assigned, the budget and the money spent, and their cost.

Scopes ``crisis:read`` / ``crisis:write``; the crisis must be visible to the key (its user's
data scope and the key's region). Creates take ``Idempotency-Key``; the budget takes ``If-Match``.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Schema
from pydantic import Field

from aftersales.accounts.models import User
from aftersales.core.errors import ValidationFailed
from aftersales.crisis import services
from aftersales.crisis.models import Crisis, Currency, Expense, PartReservation, TechnicianAssignment
from aftersales.parts.models import Stock

from ...conditional import version_etag
from ...idempotency import idempotent
from ...models import Scope
from ...problems import ApiProblem
from ..common import idempotency_header as _idem
from ..common import problems, staff_caller
from .base import IF_MATCH_DOC, Id, _crisis, _if_match, router


class ReservationOut(Schema):
    id: int
    part: str
    part_name: str
    warehouse: str
    quantity: int
    unit_cost: Decimal
    value: Decimal
    reserved_at: dt.datetime
    released_at: dt.datetime | None


class TechnicianOut(Schema):
    id: int
    username: str
    name: str
    note: str
    assigned_at: dt.datetime


class ExpenseOut(Schema):
    id: int
    amount: Decimal
    description: str
    recorded_by: str
    recorded_at: dt.datetime


class ResourcesOut(Schema):
    parts: list[ReservationOut]
    technicians: list[TechnicianOut]
    expenses: list[ExpenseOut]
    budget: Decimal | None
    currency: Currency
    cost: dict[str, Any]


class ReserveIn(Schema):
    part: Annotated[str, Field(min_length=1, max_length=64, description="The part's number.")]
    warehouse: Id = Field(description="The warehouse holding the emergency reserve.")
    quantity: Annotated[int, Field(ge=1, le=10000)]


class TechnicianIn(Schema):
    username: Annotated[str, Field(min_length=1, max_length=150)]
    note: Annotated[str, Field(max_length=200)] = ""


class BudgetIn(Schema):
    amount: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
    currency: Currency = Currency.CNY


class ExpenseIn(Schema):
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
    description: Annotated[str, Field(min_length=1, max_length=200)]


def _reservation_out(r: PartReservation) -> ReservationOut:
    return ReservationOut(
        id=r.pk,
        part=r.stock.part.number,
        part_name=r.stock.part.name,
        warehouse=str(r.stock.warehouse.display_name),
        quantity=r.quantity,
        unit_cost=r.unit_cost,
        value=r.value,
        reserved_at=r.reserved_at,
        released_at=r.released_at,
    )


def _technician_out(t: TechnicianAssignment) -> TechnicianOut:
    return TechnicianOut(id=t.pk, username=t.user.username, name=str(t.user), note=t.note, assigned_at=t.assigned_at)


def _expense_out(e: Expense) -> ExpenseOut:
    return ExpenseOut(
        id=e.pk, amount=e.amount, description=e.description, recorded_by=str(e.recorded_by or ""), recorded_at=e.recorded_at
    )


def _resources_out(crisis: Crisis) -> ResourcesOut:
    return ResourcesOut(
        parts=[_reservation_out(r) for r in crisis.part_reservations.select_related("stock__part", "stock__warehouse")],
        technicians=[_technician_out(t) for t in crisis.technicians.select_related("user")],
        expenses=[_expense_out(e) for e in crisis.expenses.select_related("recorded_by")],
        budget=crisis.budget_amount,
        currency=Currency(crisis.budget_currency),
        cost=services.resources_cost(crisis),
    )


@router.get(
    "/crisis/crises/{crisis_id}/resources",
    response={200: ResourcesOut, **problems(403, 404)},
    summary="The crisis's resources: parts reserved, technicians, budget, expenses and cost",
)
def get_resources(request: HttpRequest, crisis_id: Id) -> Any:
    caller = staff_caller(request, Scope.CRISIS_READ)
    return _resources_out(_crisis(caller, crisis_id))


@router.post(
    "/crisis/crises/{crisis_id}/parts",
    response={201: ReservationOut, **problems(403, 404, 409)},
    summary="Reserve spare parts for the crisis from a warehouse's emergency reserve",
)
@idempotent
def reserve_parts(request: HttpRequest, crisis_id: Id, payload: ReserveIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    crisis = _crisis(caller, crisis_id)
    stock = Stock.objects.filter(warehouse_id=payload.warehouse, part__number=payload.part).select_related("part").first()
    if stock is None:
        raise ValidationFailed(
            {"part": [_("This warehouse keeps no emergency reserve of this part.")]}, code="no_emergency_reserve"
        )
    reservation = services.crisis_reserve_parts(crisis=crisis, actor=caller.user, stock=stock, quantity=payload.quantity)
    return 201, _reservation_out(PartReservation.objects.select_related("stock__part", "stock__warehouse").get(pk=reservation.pk))


@router.post(
    "/crisis/crises/{crisis_id}/parts/{reservation_id}/release",
    response={200: ReservationOut, **problems(403, 404, 409)},
    summary="Give reserved parts back to stock before the crisis ends",
)
@idempotent
def release_parts(request: HttpRequest, crisis_id: Id, reservation_id: Id, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    crisis = _crisis(caller, crisis_id)
    reservation = PartReservation.objects.filter(crisis=crisis, pk=reservation_id).first()
    if reservation is None:
        raise ApiProblem(404, _("Not found, or not yours to see."), code="not_found")
    done = services.crisis_release_parts(reservation=reservation, actor=caller.user)
    return 200, _reservation_out(PartReservation.objects.select_related("stock__part", "stock__warehouse").get(pk=done.pk))


@router.post(
    "/crisis/crises/{crisis_id}/technicians",
    response={201: TechnicianOut, **problems(403, 404, 409)},
    summary="Assign a technician to the crisis",
)
@idempotent
def assign_technician(request: HttpRequest, crisis_id: Id, payload: TechnicianIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    crisis = _crisis(caller, crisis_id)
    user = User.objects.filter(username=payload.username).first()
    if user is None:
        raise ValidationFailed({"username": [_("Choose an active technician.")]}, code="user_invalid")
    assignment = services.crisis_assign_technician(crisis=crisis, actor=caller.user, user=user, note=payload.note)
    return 201, _technician_out(assignment)


@router.post(
    "/crisis/crises/{crisis_id}/budget",
    response={200: ResourcesOut, **problems(403, 404, 409, 412, 428)},
    summary="Set the crisis's budget (amount and currency)",
)
def set_budget(
    request: HttpRequest,
    crisis_id: Id,
    payload: BudgetIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    crisis = _crisis(caller, crisis_id)
    version = _if_match(request, crisis)
    changed = services.crisis_set_budget(
        crisis=crisis, actor=caller.user, amount=payload.amount, currency=payload.currency, expected_version=version
    )
    response["ETag"] = version_etag(changed)
    return _resources_out(changed)


@router.post(
    "/crisis/crises/{crisis_id}/expenses",
    response={201: ExpenseOut, **problems(403, 404, 409)},
    summary="Record money spent on the crisis (in the budget's currency)",
)
@idempotent
def record_expense(request: HttpRequest, crisis_id: Id, payload: ExpenseIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    crisis = _crisis(caller, crisis_id)
    expense = services.crisis_record_expense(
        crisis=crisis, actor=caller.user, amount=payload.amount, description=payload.description
    )
    return 201, _expense_out(expense)
