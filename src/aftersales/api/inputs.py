"""What a caller may set, and request bodies turned into service arguments.

Refusals name the field (``field_not_allowed``); lookups (a category, an owner, the ticket to
merge into) go through the caller's scope. No business rule lives here: the services decide.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from aftersales.accounts.models import Role, User
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.tickets import process
from aftersales.tickets.choices import Channel, EventKind, Priority
from aftersales.tickets.models import PlanMeasure, Ticket, TicketCategory
from aftersales.tickets.services import IntakeInput

from . import schemas
from .caller import Caller
from .selectors import api_ticket_get

CUSTOMER_CHANNELS = frozenset({Channel.APP, Channel.WECHAT, Channel.WEB})
STAFF_ONLY_INTAKE_FIELDS = ("category_code", "priority")


def refuse_fields(fields: list[str]) -> None:
    if fields:
        raise ValidationFailed({name: [_("You may not set this field.")] for name in fields}, code="field_not_allowed")


def _sent(payload: BaseModel) -> set[str]:
    return set(payload.model_fields_set)


def intake_input(*, caller: Caller, payload: schemas.TicketCreate) -> IntakeInput:
    """The intake service's input. Customers may not set staff-only fields nor a staff channel."""
    if caller.user.is_customer:
        refuse_fields([name for name in STAFF_ONLY_INTAKE_FIELDS if name in _sent(payload)])
        if payload.channel not in CUSTOMER_CHANNELS:
            raise ValidationFailed({"channel": [_("Choose app, wechat or web.")]}, code="field_not_allowed")
    data = payload.model_dump(exclude={"category_code", "priority", "channel", "request_type"})
    return IntakeInput(
        channel=str(payload.channel.value),
        request_type=str(payload.request_type.value),
        category_code=payload.category_code or "",
        priority=payload.priority or Priority.NORMAL,
        **data,
    )


def reply_kind(*, caller: Caller, payload: schemas.ReplyCreate) -> str:
    """A customer's reply is a message in; staff write notes (default), messages out or calls."""
    if caller.user.is_customer:
        refuse_fields(["kind"] if "kind" in _sent(payload) else [])
        return str(EventKind.MESSAGE_IN)
    return payload.kind or str(EventKind.NOTE)


def attachment_public(*, caller: Caller, public: bool | None) -> bool:
    if caller.user.is_customer:
        refuse_fields(["public"] if public is not None else [])
        return True
    return True if public is None else public


def _category(code: str | None) -> TicketCategory | None:
    if not code:
        return None
    category = TicketCategory.objects.filter(code=code, active=True).first()
    if category is None:
        raise ValidationFailed({"category_code": [_("Choose a valid category.")]}, code="category_invalid")
    return category


def _staff_user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).exclude(role=Role.CUSTOMER).first()
    if user is None:
        raise ValidationFailed({field: [_("No active staff member has this username.")]}, code="owner_invalid")
    return user


def _measure(ticket: Ticket, measure_id: int) -> PlanMeasure:
    measure = PlanMeasure.objects.filter(pk=measure_id, plan__ticket=ticket, plan__is_current=True).first()
    if measure is None:
        raise ValidationFailed(
            {"measure_id": [_("No measure of this ticket's current plan has this id.")]}, code="measure_invalid"
        )
    return measure


# action → (request body schema, function(caller, ticket, payload) → service kwargs, service)
def _plain(payload: BaseModel, caller: Caller, ticket: Ticket) -> dict[str, Any]:
    return payload.model_dump()


def _classify(payload: schemas.ClassifyInput, caller: Caller, ticket: Ticket) -> dict[str, Any]:
    return {
        "category": _category(payload.category_code),
        "nature": payload.nature.value if payload.nature else "",
        "severity": payload.severity.value if payload.severity else "",
        "request_type": payload.request_type.value,
        "priority": payload.priority,
        "safety_hazard": payload.safety_hazard,
    }


def _responsibility(payload: schemas.ResponsibilityInput, caller: Caller, ticket: Ticket) -> dict[str, Any]:
    return {
        "responsibility": payload.responsibility.value,
        "party": payload.party,
        "cause": payload.cause.value if payload.cause else "",
        "cause_detail": payload.cause_detail,
    }


def _merge(payload: schemas.MergeInput, caller: Caller, ticket: Ticket) -> dict[str, Any]:
    try:
        into = api_ticket_get(caller=caller, number=payload.into)
    except NotFound:  # name the field
        raise ValidationFailed({"into": [_("No ticket with this number is visible to you.")]}, code="merge_target") from None
    return {"into": into, "reason": payload.reason}


def _plan(payload: schemas.PlanInput, caller: Caller, ticket: Ticket) -> dict[str, Any]:
    measures = [
        process.MeasureInput(
            kind=m.kind.value,
            description=m.description,
            owner=_staff_user(m.owner, f"measures.{i}.owner"),
            deadline=m.deadline,
            amount=m.amount,
        )
        for i, m in enumerate(payload.measures)
    ]
    return {
        "diagnosis": payload.diagnosis,
        "measures": measures,
        "cost_budget": payload.cost_budget,
        "expected_completion_at": payload.expected_completion_at,
        "requires_signed_agreement": payload.requires_signed_agreement,
    }


def _agreement(payload: schemas.AgreementInput, caller: Caller, ticket: Ticket) -> dict[str, Any]:
    if caller.user.is_customer:
        refuse_fields([name for name in ("method", "agreed_at") if name in _sent(payload)])
    return {
        "accepted": payload.accepted,
        "method": payload.method.value if payload.method else "",
        "agreed_at": payload.agreed_at,
        "note": payload.note,
    }


def _update_measure(payload: schemas.MeasureUpdateInput, caller: Caller, ticket: Ticket) -> dict[str, Any]:
    return {
        "measure": _measure(ticket, payload.measure_id),
        "status": payload.status.value,
        "progress_note": payload.progress_note,
    }


def _measure_service(*, ticket: Ticket, **kwargs: Any) -> object:
    return process.ticket_update_measure(**kwargs)


Converter = Callable[[Any, Caller, Ticket], dict[str, Any]]

ACTIONS: dict[str, tuple[type[BaseModel], Converter, Callable[..., object]]] = {
    "start_verification": (schemas.NoInput, _plain, process.ticket_start_verification),
    "request_information": (schemas.MissingInput, _plain, process.ticket_request_information),
    "receive_information": (schemas.NoteInput, _plain, process.ticket_receive_information),
    "record_verification": (schemas.VerificationInput, _plain, process.ticket_record_verification),
    "classify": (schemas.ClassifyInput, _classify, process.ticket_classify),
    "set_responsibility": (schemas.ResponsibilityInput, _responsibility, process.ticket_set_responsibility),
    "reject": (schemas.ReasonInput, _plain, process.ticket_reject),
    "cancel": (schemas.ReasonInput, _plain, process.ticket_cancel),
    "merge": (schemas.MergeInput, _merge, process.ticket_merge),
    "propose_plan": (schemas.PlanInput, _plan, process.ticket_propose_plan),
    "submit_plan": (schemas.NoInput, _plain, process.ticket_submit_plan),
    "decide_approval": (schemas.ApprovalInput, _plain, process.ticket_decide_approval),
    "record_agreement": (schemas.AgreementInput, _agreement, process.ticket_record_agreement),
    "update_measure": (schemas.MeasureUpdateInput, _update_measure, _measure_service),
    "hold": (schemas.ReasonInput, _plain, process.ticket_hold),
    "resume": (schemas.NoteInput, _plain, process.ticket_resume),
    "resolve": (schemas.SummaryInput, _plain, process.ticket_resolve),
    "confirm_result": (schemas.ConfirmInput, _plain, process.ticket_confirm_result),
    "close": (schemas.NoteInput, _plain, process.ticket_close),
    "reopen": (schemas.ReasonInput, _plain, process.ticket_reopen),
}


NO_SURVEY = _("This ticket has no survey waiting for an answer.")


def actor_label(caller: Caller) -> str:
    """Who the timeline names: the user, and the key's name when a key was used."""
    if caller.key is not None:
        return f"{caller.user} (API: {caller.key.name})"[:128]
    return str(caller.user)
