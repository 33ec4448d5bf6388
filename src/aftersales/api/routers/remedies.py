"""API v1: 三包 remedies — the engine's proposal for a ticket (computed now) and the remedy chosen.

``GET /tickets/{number}/remedy`` (scope remedies:read): anyone who sees the ticket (a customer:
their own). ``POST /tickets/{number}/remedy/decision`` (scope remedies:write, staff): choose a
remedy; a choice the proposal does not allow needs a reason. The decision's ETag (``"v3"``;
``"v0"`` before any) goes in ``If-Match`` when one exists; ``Idempotency-Key`` makes a retry safe.

No ``from __future__ import annotations``: django-ninja reads the annotations at import.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema

from aftersales.core.i18n import rendered
from aftersales.remedies.choices import Remedy, RuleCode
from aftersales.remedies.engine import Proposal
from aftersales.remedies.models import RemedyDecision
from aftersales.remedies.selectors import RemedyView, decision_of, remedy_for_user
from aftersales.remedies.services import remedy_decide

from ..auth import caller_of
from ..conditional import checked_version, if_match_holds, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..selectors import api_ticket_get
from .common import idempotency_header, problems

router = Router(tags=["remedies"])
IF_MATCH_DOC = 'The decision\'s ETag as read (GET …/remedy; "v0" before any decision); required once a decision exists.'


class RemedyItem(Schema):
    code: str
    label: str


class ProposalOut(Schema):
    rule: str = Field(description="The rule that fired (the first by precedence).")
    rule_label: str
    rules_fired: list[str]
    remedies: list[RemedyItem] = Field(description="What the customer is entitled to choose.")
    reasons: list[str] = Field(description="Why, in the reader's language (Accept-Language).")
    sale_date: dt.date | None
    day: int | None = Field(description="Days from the sale to the fault (the sale day is day 0).")
    warranty_ends_on: dt.date | None
    component_ends_on: dt.date | None
    daily_depreciation_rate: str = Field(description="A fraction: 0.001 is 0.1 % of the price a day.")
    depreciation_days: int | None


class DecisionOut(Schema):
    version: int
    rule: str
    proposed: list[str]
    reasons: list[str]
    chosen: str
    chosen_label: str
    follows_proposal: bool
    reason: str
    price_paid: Decimal | None
    depreciation: Decimal | None
    refund_amount: Decimal | None
    decided_by: str
    decided_at: dt.datetime


class RemedyOut(Schema):
    number: str
    proposal: ProposalOut
    decision: DecisionOut | None


class DecisionIn(Schema):
    remedy: Remedy
    reason: str = Field("", max_length=2000, description="Required when the remedy is not one the proposal allows.")
    price_paid: Decimal | None = Field(
        None,
        ge=0,
        le=Decimal("9999999999.99"),
        decimal_places=2,
        description="The price on the invoice; gives the refund of a return. Recorded once per unit (the unit's "
        "purchase record, shared with refunds); a different price than the one recorded is refused (price_differs).",
    )


def _proposal(proposal: Proposal) -> ProposalOut:
    return ProposalOut(
        rule=str(proposal.rule),
        rule_label=str(RuleCode(proposal.rule).label),
        rules_fired=[str(code) for code in proposal.rules_fired],
        remedies=[RemedyItem(code=str(r), label=str(Remedy(r).label)) for r in proposal.remedies],
        reasons=[rendered(reason) for reason in proposal.reasons],
        sale_date=proposal.sale_date,
        day=proposal.day,
        warranty_ends_on=proposal.warranty_ends_on,
        component_ends_on=proposal.component_ends_on,
        daily_depreciation_rate=str(proposal.daily_rate),
        depreciation_days=proposal.depreciation_days,
    )


def _decision(decision: RemedyDecision | None) -> DecisionOut | None:
    if decision is None:
        return None
    return DecisionOut(
        version=decision.version,
        rule=decision.rule,
        proposed=list(decision.proposed),
        reasons=[rendered(reason) for reason in (decision.proposal or {}).get("reasons", [])],
        chosen=decision.chosen,
        chosen_label=str(Remedy(decision.chosen).label),
        follows_proposal=decision.follows_proposal,
        reason=decision.reason,
        price_paid=decision.price_paid,
        depreciation=decision.depreciation,
        refund_amount=decision.refund_amount,
        decided_by=str(decision.decided_by) if decision.decided_by else "",
        decided_at=decision.decided_at,
    )


def _out(view: RemedyView) -> RemedyOut:
    return RemedyOut(number=view.ticket.number, proposal=_proposal(view.proposal), decision=_decision(view.decision))


def _etag(decision: RemedyDecision | None) -> str:
    # Not version_etag alone: before the first choice there is no decision row, and the remedy reads "v0".
    return version_etag(decision) if decision is not None else '"v0"'


_STALE = _("The remedy was chosen again since you read it; read it again and retry.")


def _expected_version(request: HttpRequest, decision: RemedyDecision | None) -> int | None:
    if decision is not None:
        missing = _("Send the decision's ETag in If-Match (read the remedy first).")
        return checked_version(request, decision, missing=missing, stale=_STALE)
    # Not checked_version before the first choice: If-Match is optional then (no 428) and names "v0".
    if_match_holds(request, _etag(None), stale=_STALE)
    return None


@router.get(
    "/tickets/{number}/remedy",
    response={200: RemedyOut, **problems(403, 404)},
    summary="The 三包 proposal (computed now) and the remedy chosen",
)
def get_remedy(request: HttpRequest, number: str, response: HttpResponse) -> Any:
    caller = caller_of(request, Scope.REMEDIES_READ)
    ticket = api_ticket_get(caller=caller, number=number)
    view = remedy_for_user(user=caller.user, ticket=ticket)
    response["ETag"] = _etag(view.decision)
    return _out(view)


@router.post(
    "/tickets/{number}/remedy/decision",
    response={200: RemedyOut, **problems(403, 404, 409, 412, 428)},
    summary="Choose the ticket's remedy",
)
@idempotent
def choose_remedy(
    request: HttpRequest,
    number: str,
    payload: DecisionIn,
    idempotency_key: str = idempotency_header(),
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = caller_of(request, Scope.REMEDIES_WRITE)
    caller.require_staff()
    ticket = api_ticket_get(caller=caller, number=number)
    version = _expected_version(request, decision_of(ticket=ticket))
    remedy_decide(
        ticket=ticket,
        actor=caller.user,
        remedy=payload.remedy,
        reason=payload.reason,
        price_paid=payload.price_paid,
        expected_version=version,
    )
    view = remedy_for_user(user=caller.user, ticket=ticket)
    return 200, _out(view), {"ETag": _etag(view.decision)}
