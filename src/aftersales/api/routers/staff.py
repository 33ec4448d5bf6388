"""API v1: a member of staff leaves (administrators; docs/staff-handover.md).

``GET /staff/{id}/holdings`` says what the person holds, a count per kind (scope ``staff:read``);
``POST /staff/{id}/offboard`` hands their work over to ``successor`` (or back to the queues),
deactivates the account and ends its sessions, in one transaction (scope ``staff:write``,
``Idempotency-Key``). An account inactive already has what it still holds handed over (it stays inactive); one with nothing left to move is a 409 (``already_inactive``).

No ``from __future__ import annotations`` here: django-ninja reads the path and body types through
the ``idempotent`` wrapper.
"""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Path, Router, Schema
from pydantic import Field

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User
from aftersales.accounts.offboarding import REASON_LIMIT, staff_holdings, staff_offboard
from aftersales.tickets.action_schemas import Input

from ..idempotency import idempotent
from ..models import Scope
from .common import MAX_ID, problems, staff_caller
from .common import idempotency_header as _idem

router = Router(tags=["Staff"])

UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


class PersonOut(Schema):
    id: int
    username: str
    name: str
    role: str
    active: bool


class HoldingOut(Schema):
    kind: str = Field(
        description="tickets, work_orders, revisit_tasks, appraisals, improvement_actions, report_subscriptions, api_keys, travel_advances, teams_led, crisis_teams, crisis_tasks, van_stock, van_requisitions, van_stock_left."
    )
    label: str
    count: int
    url: str = Field("", description="The page that lists them (a path), if any.")
    moved: bool = Field(description="false: nothing moves it; a person must see to it (e.g. cash paid out, not settled).")


class HoldingsOut(Schema):
    user: PersonOut
    holdings: list[HoldingOut]


class OffboardIn(Input):
    successor: int | None = Field(
        None, ge=1, le=MAX_ID, description="The id of an active member of staff; none: back to the queues."
    )
    reason: str = Field(..., max_length=REASON_LIMIT, description="Why the person leaves (kept in the audit log).")


class OffboardOut(Schema):
    user: PersonOut
    successor: PersonOut | None
    moved: list[HoldingOut]
    attention: list[HoldingOut]


def _person(user: User) -> PersonOut:
    return PersonOut(id=user.pk, username=user.username, name=str(user), role=user.role, active=user.is_active)


def _holding(holding: Holding) -> HoldingOut:
    return HoldingOut(kind=holding.kind, label=str(holding.label), count=holding.count, url=holding.url, moved=holding.moved)


@router.get(
    "/staff/{user_id}/holdings",
    response={200: HoldingsOut, **problems(403, 404)},
    summary="What a member of staff holds: open tickets, work orders, revisit calls, … (administrators)",
)
def get_holdings(request: HttpRequest, user_id: UserId) -> Any:
    caller = staff_caller(request, Scope.STAFF_READ)
    found = staff_holdings(actor=caller.user, user_id=user_id)
    return HoldingsOut(user=_person(found.user), holdings=[_holding(h) for h in found.holdings])


@router.post(
    "/staff/{user_id}/offboard",
    response={200: OffboardOut, **problems(403, 404, 409)},
    summary="Hand a member of staff's work over and deactivate the account (administrators; Idempotency-Key)",
)
@idempotent
def offboard(request: HttpRequest, user_id: UserId, payload: OffboardIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.STAFF_WRITE)
    done = staff_offboard(actor=caller.user, user_id=user_id, successor_id=payload.successor, reason=payload.reason)
    return 200, OffboardOut(
        user=_person(done.user),
        successor=_person(done.successor) if done.successor is not None else None,
        moved=[_holding(h) for h in done.moved],
        attention=[_holding(h) for h in done.attention],
    )
