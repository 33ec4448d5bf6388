# ruff: noqa: B008 - django-ninja declares parameters with Query()/Path()/Header() defaults
"""API v1: revisit policies, the revisit queue, call records, compliance figures (issue 16).

Staff only (a customer's key is refused), scoped like the pages: a revisit outside the caller's
data scope is a 404. Recording a call takes ``Idempotency-Key`` and, optionally, ``If-Match``
with the revisit's ETag (``"v<version>"``). Handlers only parse, call one selector or service,
and present the result.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Path, Query, Router, Schema
from pydantic import Field

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.revisits import selectors, services
from aftersales.revisits.models import (
    AfterTicketRule,
    CallOutcome,
    Revisit,
    RevisitCall,
    RevisitPolicy,
    RevisitReason,
    RevisitStatus,
)
from aftersales.tickets.choices import RequestType

from ..conditional import if_match_holds, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..schemas import IsoDate
from .common import MAX_ID, MAX_PAGE_SIZE, problems, staff_caller
from .common import idempotency_header as _idem

router = Router(tags=["Revisits"])

RevisitId = Annotated[int, Path(ge=1, le=MAX_ID)]
Rating = Annotated[int | None, Field(None, ge=1, le=5)]


class CallOut(Schema):
    id: int
    outcome: CallOutcome
    called_by: str
    called_at: dt.datetime
    overall: int | None
    speed: int | None
    attitude: int | None
    professionalism: int | None
    result: int | None
    nps: int | None
    comment: str
    new_problem: str
    new_ticket: str | None = Field(None, description="The number of the ticket the new problem was registered as.")


class RevisitOut(Schema):
    id: int
    code: str
    customer: str
    customer_id: int
    tier: str
    reason: RevisitReason
    ticket: str | None
    due_date: dt.date
    overdue: bool
    status: RevisitStatus
    assignee: str | None = Field(None, description="The agent's user name.")
    region: str | None = Field(None, description="The region's code.")
    attempts: int = Field(description="Unreached calls so far.")
    new_ticket: str | None = None
    version: int = Field(description='The revisit\'s ETag is this number ("v3").')
    calls: list[CallOut] | None = Field(None, description="Only when reading one revisit.")


class RevisitPage(Schema):
    items: list[RevisitOut]
    total: int
    next_offset: int | None = None


class CallIn(Schema):
    outcome: CallOutcome
    overall: Rating = None
    speed: Rating = None
    attitude: Rating = None
    professionalism: Rating = None
    result: Rating = None
    nps: int | None = Field(None, ge=0, le=10, description="How likely the customer is to recommend us, 0–10.")
    comment: str = Field("", max_length=2000)
    new_problem: str = Field("", max_length=4000, description="A new problem the customer raised: registered as a new ticket.")
    new_problem_type: RequestType = RequestType.REPAIR
    complaint: str = Field("", max_length=2000, description="A complaint about a member of staff.")
    complaint_staff: str = Field("", max_length=150, description="The user name of the member of staff complained about.")


class PolicyOut(Schema):
    tier: str
    interval_months: int
    active: bool


class AfterTicketRuleOut(Schema):
    request_type: str
    days_after_close: int
    active: bool


class PoliciesOut(Schema):
    policies: list[PolicyOut]
    after_ticket: list[AfterTicketRuleOut]


class ComplianceRowOut(Schema):
    key: str = Field(description='The tier, region code or agent\'s user name; "" for none.')
    label: str
    eligible: int
    revisited: int
    share: float | None


class ComplianceOut(Schema):
    on: dt.date
    total: ComplianceRowOut
    by_tier: list[ComplianceRowOut]
    by_region: list[ComplianceRowOut]
    by_agent: list[ComplianceRowOut]


def _call_out(call: RevisitCall) -> CallOut:
    return CallOut(
        id=call.pk,
        outcome=CallOutcome(call.outcome),
        called_by=call.called_by.username,
        called_at=call.called_at,
        overall=call.overall,
        speed=call.speed,
        attitude=call.attitude,
        professionalism=call.professionalism,
        result=call.result,
        nps=call.nps,
        comment=call.comment,
        new_problem=call.new_problem,
        new_ticket=call.raised_ticket.number if call.raised_ticket else None,
    )


def _out(revisit: Revisit, *, today: dt.date, calls: list[RevisitCall] | None = None) -> RevisitOut:
    return RevisitOut(
        id=revisit.pk,
        code=revisit.code,
        customer=revisit.customer.name,
        customer_id=revisit.customer_id,
        tier=revisit.customer.tier,
        reason=RevisitReason(revisit.reason),
        ticket=revisit.ticket.number if revisit.ticket else None,
        due_date=revisit.due_date,
        overdue=revisit.is_open and revisit.due_date < today,
        status=RevisitStatus(revisit.status),
        assignee=revisit.assignee.username if revisit.assignee else None,
        region=revisit.region.code if revisit.region else None,
        attempts=revisit.attempts,
        new_ticket=revisit.raised_ticket.number if revisit.raised_ticket else None,
        version=revisit.version,
        calls=[_call_out(c) for c in calls] if calls is not None else None,
    )


def _today() -> dt.date:
    return clock.local_today()


@router.get(
    "/revisits",
    response={200: RevisitPage, **problems(403)},
    summary="The revisit queue: the revisits the caller sees, overdue first",
)
def list_revisits(
    request: HttpRequest,
    status: str = Query(
        "open", max_length=16, description="open (default), all, or a status: due, retry, escalated, done, cancelled."
    ),
    reason: RevisitReason | None = None,
    overdue: bool = Query(False, description="Only open revisits past their due date."),
    mine: bool = Query(False, description="Only the caller's own revisits."),
    offset: int = Query(0, ge=0, le=100000),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = staff_caller(request, Scope.REVISITS_READ)
    if status not in ("open", "all", *RevisitStatus.values):
        raise ValidationFailed({"status": [_("Unknown status.")]}, code="invalid_filter")
    filters = selectors.QueueFilters(status=status, reason=reason.value if reason else "", overdue=overdue, mine=mine)
    today = _today()
    qs = selectors.revisit_queue(user=caller.user, filters=filters, today=today)
    total = qs.count()
    rows = list(qs[offset : offset + limit])
    next_offset = offset + limit if offset + limit < total else None
    return RevisitPage(items=[_out(r, today=today) for r in rows], total=total, next_offset=next_offset)


@router.get(
    "/revisits/policies",
    response={200: PoliciesOut, **problems(403)},
    summary="The revisit policies per customer tier and the after-ticket rules",
)
def list_policies(request: HttpRequest) -> Any:
    staff_caller(request, Scope.REVISITS_READ)
    return PoliciesOut(
        policies=[
            PolicyOut(tier=p.tier, interval_months=p.interval_months, active=p.active) for p in RevisitPolicy.objects.all()
        ],
        after_ticket=[
            AfterTicketRuleOut(request_type=r.request_type, days_after_close=r.days_after_close, active=r.active)
            for r in AfterTicketRule.objects.all()
        ],
    )


@router.get(
    "/revisits/compliance",
    response={200: ComplianceOut, **problems(403)},
    summary="Share of key and long-term customers revisited within their period, per tier, region and agent",
)
def get_compliance(
    request: HttpRequest, on: IsoDate | None = Query(None, description="The day to judge on (default today).")
) -> Any:
    caller = staff_caller(request, Scope.REVISITS_READ)
    figures = selectors.compliance(user=caller.user, on=on)

    def row(r: selectors.ComplianceRow) -> ComplianceRowOut:
        return ComplianceRowOut(key=r.key, label=r.label, eligible=r.eligible, revisited=r.revisited, share=r.share)

    return ComplianceOut(
        on=figures.on,
        total=row(figures.total),
        by_tier=[row(r) for r in figures.by_tier],
        by_region=[row(r) for r in figures.by_region],
        by_agent=[row(r) for r in figures.by_agent],
    )


@router.get(
    "/revisits/{revisit_id}",
    response={200: RevisitOut, **problems(403, 404)},
    summary="Read a revisit with its calls (ETag)",
)
def get_revisit(request: HttpRequest, revisit_id: RevisitId, response: HttpResponse) -> Any:
    caller = staff_caller(request, Scope.REVISITS_READ)
    revisit = selectors.revisit_get_for_user(user=caller.user, revisit_id=revisit_id)
    response["ETag"] = version_etag(revisit)
    return _out(revisit, today=_today(), calls=selectors.revisit_calls(revisit=revisit))


def _expected_version(request: HttpRequest, revisit: Revisit) -> int | None:
    # Not checked_version: If-Match is optional here (without it the call is recorded unchecked, no 428).
    stale = _("The revisit was changed since you read it; read it again.")
    return revisit.version if if_match_holds(request, version_etag(revisit), stale=stale) else None


def _staff_id(username: str) -> int | None:
    if not username:
        return None
    found = User.objects.filter(username=username).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationFailed({"complaint_staff": [_("Choose the member of staff the customer complains about.")]})
    return found


@router.post(
    "/revisits/{revisit_id}/calls",
    response={201: RevisitOut, **problems(403, 404, 409, 412)},
    summary="Record a revisit call (reached, not reached, wrong number); a new problem becomes a ticket",
    description=(
        "A create: retry it with the same Idempotency-Key. Send If-Match with the revisit's ETag to refuse "
        "the call when somebody recorded another one since you read it (412)."
    ),
)
@idempotent
def record_call(
    request: HttpRequest,
    revisit_id: RevisitId,
    payload: CallIn,
    idempotency_key: str = _idem(),
) -> Any:
    caller = staff_caller(request, Scope.REVISITS_WRITE)
    revisit = selectors.revisit_get_for_user(user=caller.user, revisit_id=revisit_id)
    data = services.CallInput(
        outcome=payload.outcome.value,
        overall=payload.overall,
        speed=payload.speed,
        attitude=payload.attitude,
        professionalism=payload.professionalism,
        result=payload.result,
        nps=payload.nps,
        comment=payload.comment,
        new_problem=payload.new_problem,
        new_problem_type=payload.new_problem_type.value,
        complaint=payload.complaint,
        complaint_staff_id=_staff_id(payload.complaint_staff),
    )
    services.revisit_record_call(
        revisit=revisit, actor=caller.user, data=data, expected_version=_expected_version(request, revisit)
    )
    fresh = selectors.revisit_get_for_user(user=caller.user, revisit_id=revisit_id)
    headers = {"Location": f"{request.path.rsplit('/calls', 1)[0]}", "ETag": version_etag(fresh)}
    return 201, _out(fresh, today=_today(), calls=selectors.revisit_calls(revisit=fresh)), headers
