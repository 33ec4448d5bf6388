"""API v1: a ticket's triage — the suggested category, request type, urgency and safety flag
with their confidence and reasons, and the likely duplicates; accepting or correcting a field.

``GET /tickets/{number}/triage`` (scope triage:read, staff: a customer gets 404 as for a ticket
it cannot see). ``POST /tickets/{number}/triage/feedback`` (scope triage:write, staff): accept
(no ``value``) or correct (a ``value``) one field; the ticket's classification changes through
the tickets' service and the choice is stored. ``Idempotency-Key`` makes a retry safe.

No ``from __future__ import annotations``: django-ninja reads the annotations at import.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from aftersales.triage.duplicates import REASON_LABELS
from aftersales.triage.models import TriageField
from aftersales.triage.selectors import FIELDS, TriageView, triage_for_user
from aftersales.triage.services import triage_feedback
from aftersales.triage.values import value_label

from ..auth import caller_of
from ..idempotency import idempotent
from ..models import Scope
from ..selectors import api_ticket_get
from .common import idempotency_header, problems, staff_caller

router = Router(tags=["triage"])


class SuggestionOut(Schema):
    field: str = Field(description="category | request_type | urgency | safety")
    value: str = Field(description="A TicketCategory code, a request type, urgent|important|normal, or 1|0.")
    label: str
    confidence: float | None = Field(description="0..1")
    current: str = Field(description="The ticket's own value now, in the same terms.")
    feedback: str | None = Field(description="accepted | corrected | null (nobody has answered yet)")


class DuplicateOut(Schema):
    number: str
    score: float = Field(description="Text similarity 0..1 (cosine of character bigrams).")
    reasons: list[str] = Field(description="same_customer | same_phone | same_serial | same_address")
    reason_labels: list[str]


class TriageOut(Schema):
    number: str
    status: str = Field(description="pending | done | failed | off (no triage for this ticket)")
    model_version: str
    escalated: bool = Field(description="The system made the ticket urgent on this suggestion.")
    suggestions: list[SuggestionOut]
    reasons: list[str]
    duplicates: list[DuplicateOut]
    finished_at: dt.datetime | None


class FeedbackIn(Schema):
    field: TriageField
    value: str = Field("", max_length=32, description="Empty: accept the suggestion; else the corrected value.")


def _out(view: TriageView) -> TriageOut:
    result = view.result
    suggestions: list[SuggestionOut] = []
    if view.ready and result is not None:
        for name in FIELDS:
            fb = view.feedback.get(name)
            suggestions.append(
                SuggestionOut(
                    field=name,
                    value=result.suggested(name),
                    label=value_label(name, result.suggested(name)),
                    confidence=result.confidence(name),
                    current=view.current(name),
                    feedback=None if fb is None else ("accepted" if fb.accepted else "corrected"),
                )
            )
    status = result.status if result is not None else ("pending" if view.enabled else "off")
    return TriageOut(
        number=view.ticket.number,
        status=status,
        model_version=result.model_version if result is not None else "",
        escalated=bool(result and result.escalated),
        suggestions=suggestions,
        reasons=list(result.reasons) if result is not None and view.ready else [],
        duplicates=[
            DuplicateOut(
                number=d["number"],
                score=float(d["score"]),
                reasons=list(d["reasons"]),
                reason_labels=[str(REASON_LABELS.get(r, r)) for r in d["reasons"]],
            )
            for d in view.duplicates
        ],
        finished_at=result.finished_at if result is not None else None,
    )


@router.get(
    "/tickets/{number}/triage",
    response={200: TriageOut, **problems(403, 404)},
    summary="The ticket's triage suggestions and likely duplicates",
)
def get_triage(request: HttpRequest, number: str) -> Any:
    caller = caller_of(request, Scope.TRIAGE_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    return _out(triage_for_user(user=caller.user, ticket=ticket))


@router.post(
    "/tickets/{number}/triage/feedback",
    response={200: TriageOut, **problems(403, 404, 409)},
    summary="Accept or correct one suggested field",
)
@idempotent
def post_feedback(request: HttpRequest, number: str, payload: FeedbackIn, idempotency_key: str = idempotency_header()) -> Any:
    caller = staff_caller(request, Scope.TRIAGE_WRITE)
    ticket = api_ticket_get(caller=caller, number=number)
    triage_feedback(ticket=ticket, actor=caller.user, field=str(payload.field), value=payload.value)
    fresh = api_ticket_get(caller=caller, number=number)
    return 200, _out(triage_for_user(user=caller.user, ticket=fresh))
