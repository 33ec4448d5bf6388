"""API v1: improvement actions raised from a crisis (the quality work's actions, origin "crisis")."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field

from aftersales.accounts.models import User
from aftersales.core.errors import ValidationFailed
from aftersales.crisis import services

from ...idempotency import idempotent
from ...models import Scope
from ..common import idempotency_header as _idem
from ..common import problems, staff_caller
from .base import Id, _crisis, router


class ActionIn(Schema):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    problem: Annotated[str, Field(max_length=5000, description="Empty: the crisis's summary and lessons.")] = ""
    owner: Annotated[str, Field(max_length=150, description="The owner's username.")] = ""
    due_date: dt.date | None = None


class ActionOut(Schema):
    id: int
    number: str
    title: str
    status: str
    origin: str
    origin_reference: str
    owner: str
    due_date: dt.date | None


@router.get(
    "/crisis/crises/{crisis_id}/actions",
    response={200: list[ActionOut], **problems(403, 404)},
    summary="The improvement actions raised from the crisis",
)
def list_actions(request: HttpRequest, crisis_id: Id) -> Any:
    caller = staff_caller(request, Scope.CRISIS_READ)
    crisis = _crisis(caller, crisis_id)
    return [_action_out(a) for a in crisis.improvement_actions.select_related("owner").order_by("pk")]


@router.post(
    "/crisis/crises/{crisis_id}/actions",
    response={201: ActionOut, **problems(403, 404, 409)},
    summary="Raise an improvement action from the crisis (its review)",
)
@idempotent
def raise_action(request: HttpRequest, crisis_id: Id, payload: ActionIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    crisis = _crisis(caller, crisis_id)
    owner = None
    if payload.owner:
        owner = User.objects.filter(username=payload.owner, is_active=True).first()
        if owner is None:
            raise ValidationFailed({"owner": [_("No active member of staff has this username.")]}, code="owner_invalid")
    action = services.crisis_raise_action(
        crisis=crisis, actor=caller.user, title=payload.title, problem=payload.problem, owner=owner, due_date=payload.due_date
    )
    return 201, _action_out(action)


def _action_out(action: Any) -> ActionOut:
    return ActionOut(
        id=action.pk,
        number=action.number,
        title=action.title,
        status=action.status,
        origin=action.origin,
        origin_reference=action.origin_reference,
        owner=str(action.owner or ""),
        due_date=action.due_date,
    )
