"""API v1: crisis management — alerts (list, read, confirm, dismiss), crises (list, read, open,
transition, level), the communication log and the customer notice.

Scopes ``crisis:read`` / ``crisis:write``; the key's user must handle crises (supervisor,
quality manager, administrator) and sees what their data scope (and the key's region) allows.
Changes of an alert or a crisis take ``If-Match`` with its ETag (``"v<version>"``); creates take
``Idempotency-Key``.
"""

import datetime as dt
from typing import Annotated, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Schema
from pydantic import Field

from aftersales.catalog.models import ProductModel
from aftersales.core.errors import ValidationFailed
from aftersales.crisis import selectors, services
from aftersales.crisis.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Audience,
    Communication,
    Crisis,
    CrisisLevel,
    CrisisStatus,
    CrisisType,
    EmergencyPlan,
)

from ...caller import Caller
from ...conditional import checked_version, version_etag
from ...idempotency import idempotent
from ...models import Scope
from ...problems import ApiProblem
from ..common import MAX_ID, MAX_PAGE_SIZE, problems, staff_caller
from ..common import idempotency_header as _idem

router = Router(tags=["crisis"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IF_MATCH_DOC = 'The ETag of the alert or crisis as read ("v<version>"); 428 without it, 412 when stale.'


class AlertOut(Schema):
    id: int
    kind: AlertKind
    status: AlertStatus
    dimension: str
    key: str
    what: str
    tickets: list[str]
    ticket_count: int
    observed: int
    expected: float
    p_value: float | None
    words: list[str]
    curve: list[dict[str, Any]]
    opened_at: dt.datetime
    decided_at: dt.datetime | None
    reason: str
    crisis: int | None
    version: int


class AlertPage(Schema):
    items: list[AlertOut]
    total: int


class ConfirmIn(Schema):
    level: Annotated[str, Field(min_length=1, max_length=16, description="A level's code, e.g. II.")]
    title: Annotated[str, Field(max_length=200)] = ""
    crisis_type: CrisisType | None = None
    plan: Id | None = Field(None, description="An emergency plan's id.")
    crisis: Id | None = Field(None, description="An open crisis to add the alert to, instead of a new one.")


class DismissIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class CrisisOut(Schema):
    id: int
    code: str
    title: str
    crisis_type: CrisisType
    level: str
    status: CrisisStatus
    is_drill: bool
    models: list[str]
    batches: list[str]
    regions: list[str]
    tickets: list[str]
    first_ticket_at: dt.datetime | None
    detected_at: dt.datetime
    confirmed_at: dt.datetime | None
    first_notice_at: dt.datetime | None
    contained_at: dt.datetime | None
    recovered_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review: dict[str, Any]
    lessons: str
    improvement_actions: list[str] = Field(description="Numbers of the improvement actions raised from the crisis.")
    version: int


class CrisisPage(Schema):
    items: list[CrisisOut]
    total: int


class CrisisIn(Schema):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    crisis_type: CrisisType
    level: Annotated[str, Field(min_length=1, max_length=16)]
    plan: Id | None = None
    is_drill: bool = False
    summary: Annotated[str, Field(max_length=5000)] = ""
    models: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=50)] = []
    batches: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=50)] = []


class TransitionIn(Schema):
    to: CrisisStatus
    lessons: Annotated[str, Field(max_length=5000)] = ""
    improvements: Annotated[str, Field(max_length=5000)] = ""


class LevelIn(Schema):
    level: Annotated[str, Field(min_length=1, max_length=16)]


class CommunicationIn(Schema):
    audience: Audience
    subject: Annotated[str, Field(max_length=200)] = ""
    body: Annotated[str, Field(min_length=1, max_length=5000)]


class NoticeIn(Schema):
    body: Annotated[str, Field(min_length=1, max_length=1000)]


class CommunicationOut(Schema):
    id: int
    audience: Audience
    subject: str
    body: str
    recipients: int
    messages: int
    recorded_by: str
    created_at: dt.datetime


# --- Helpers ------------------------------------------------------------------------------------


def _in_key_region(qs: QuerySet[Any], caller: Caller) -> QuerySet[Any]:
    if caller.region_id is None:
        return qs
    return qs.filter(Q(region_id=caller.region_id) | Q(region__isnull=True))


def _alert(caller: Caller, alert_id: int) -> Alert:
    alert = _in_key_region(selectors.alerts_visible_to(caller.user), caller).filter(pk=alert_id).first()
    if alert is None:
        raise ApiProblem(404, _("Not found, or not yours to see."), code="not_found")
    return alert


def _crisis(caller: Caller, crisis_id: int) -> Crisis:
    crisis = _in_key_region(selectors.crises_visible_to(caller.user), caller).filter(pk=crisis_id).first()
    if crisis is None:
        raise ApiProblem(404, _("Not found, or not yours to see."), code="not_found")
    return crisis


def _if_match(request: HttpRequest, obj: Alert | Crisis) -> int:
    return checked_version(
        request,
        obj,
        missing=_("Send the ETag in If-Match (read it first)."),
        stale=_("It was changed since you read it; read it again and retry."),
    )


def _level(code: str) -> CrisisLevel:
    level = CrisisLevel.objects.filter(code=code).first()
    if level is None:
        raise ValidationFailed({"level": [_("No crisis level has this code.")]}, code="level_invalid")
    return level


def _plan(plan_id: int | None) -> EmergencyPlan | None:
    if plan_id is None:
        return None
    plan = EmergencyPlan.objects.filter(pk=plan_id, active=True).first()
    if plan is None:
        raise ValidationFailed({"plan": [_("No active emergency plan has this id.")]}, code="plan_invalid")
    return plan


def _alert_out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.pk,
        kind=AlertKind(alert.kind),
        status=AlertStatus(alert.status),
        dimension=alert.dimension,
        key=alert.key,
        what=alert.key_label,
        tickets=list(alert.tickets.order_by("pk").values_list("number", flat=True)[:500]),
        ticket_count=alert.ticket_count,
        observed=alert.observed,
        expected=alert.expected,
        p_value=alert.p_value,
        words=list(alert.words),
        curve=list(alert.curve),
        opened_at=alert.opened_at,
        decided_at=alert.decided_at,
        reason=alert.reason,
        crisis=alert.crisis_id,
        version=alert.version,
    )


def _crisis_out(crisis: Crisis) -> CrisisOut:
    return CrisisOut(
        id=crisis.pk,
        code=crisis.code,
        title=crisis.title,
        crisis_type=CrisisType(crisis.crisis_type),
        level=crisis.level.code,
        status=CrisisStatus(crisis.status),
        is_drill=crisis.is_drill,
        models=[m.code for m in crisis.scope_models.all()],
        batches=list(crisis.scope_batches or []),
        regions=[r.code for r in crisis.scope_regions.all()],
        tickets=list(crisis.tickets.order_by("pk").values_list("number", flat=True)[:500]),
        first_ticket_at=crisis.first_ticket_at,
        detected_at=crisis.detected_at,
        confirmed_at=crisis.confirmed_at,
        first_notice_at=crisis.first_notice_at,
        contained_at=crisis.contained_at,
        recovered_at=crisis.recovered_at,
        reviewed_at=crisis.reviewed_at,
        review=dict(crisis.review or {}),
        lessons=crisis.lessons,
        improvement_actions=[a.number for a in crisis.improvement_actions.order_by("pk")],
        version=crisis.version,
    )


def _communication_out(entry: Communication) -> CommunicationOut:
    return CommunicationOut(
        id=entry.pk,
        audience=Audience(entry.audience),
        subject=entry.subject,
        body=entry.body,
        recipients=entry.recipients,
        messages=entry.messages,
        recorded_by=str(entry.recorded_by or ""),
        created_at=entry.created_at,
    )


# --- Alerts -------------------------------------------------------------------------------------


@router.get("/crisis/alerts", response={200: AlertPage, **problems(403)}, summary="List crisis alerts")
def list_alerts(
    request: HttpRequest,
    status: AlertStatus | None = None,
    kind: AlertKind | None = None,
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=100000),
) -> Any:
    caller = staff_caller(request, Scope.CRISIS_READ)
    qs = _in_key_region(selectors.alerts_visible_to(caller.user), caller)
    if status is not None:
        qs = qs.filter(status=status)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return AlertPage(items=[_alert_out(a) for a in qs[offset : offset + limit]], total=qs.count())


@router.get(
    "/crisis/alerts/{alert_id}", response={200: AlertOut, **problems(403, 404)}, summary="Read an alert with its evidence"
)
def get_alert(request: HttpRequest, alert_id: Id, response: HttpResponse) -> Any:
    caller = staff_caller(request, Scope.CRISIS_READ)
    alert = _alert(caller, alert_id)
    response["ETag"] = version_etag(alert)
    return _alert_out(alert)


@router.post(
    "/crisis/alerts/{alert_id}/confirm",
    response={201: CrisisOut, **problems(403, 404, 409, 412, 428)},
    summary="Confirm an alert as a crisis (a new one, or an open one)",
)
@idempotent
def confirm_alert(
    request: HttpRequest,
    alert_id: Id,
    payload: ConfirmIn,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
    idempotency_key: str = _idem(),
) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    alert = _alert(caller, alert_id)
    version = _if_match(request, alert)
    existing = _crisis(caller, payload.crisis) if payload.crisis is not None else None
    crisis = services.alert_confirm(
        alert=alert,
        actor=caller.user,
        level=_level(payload.level),
        title=payload.title,
        crisis_type=payload.crisis_type or "",
        plan=_plan(payload.plan),
        crisis=existing,
        expected_version=version,
    )
    return 201, _crisis_out(crisis), {"ETag": version_etag(crisis)}


@router.post(
    "/crisis/alerts/{alert_id}/dismiss",
    response={200: AlertOut, **problems(403, 404, 409, 412, 428)},
    summary="Dismiss an alert with a reason",
)
def dismiss_alert(
    request: HttpRequest,
    alert_id: Id,
    payload: DismissIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    alert = _alert(caller, alert_id)
    version = _if_match(request, alert)
    done = services.alert_dismiss(alert=alert, actor=caller.user, reason=payload.reason, expected_version=version)
    response["ETag"] = version_etag(done)
    return _alert_out(done)


# --- Crises -------------------------------------------------------------------------------------


@router.get("/crisis/crises", response={200: CrisisPage, **problems(403)}, summary="List crises")
def list_crises(
    request: HttpRequest,
    status: CrisisStatus | None = None,
    drills: bool = Query(True, description="false leaves drills out."),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
    offset: int = Query(0, ge=0, le=100000),
) -> Any:
    caller = staff_caller(request, Scope.CRISIS_READ)
    qs = _in_key_region(selectors.crises_visible_to(caller.user), caller)
    if status is not None:
        qs = qs.filter(status=status)
    if not drills:
        qs = qs.filter(is_drill=False)
    return CrisisPage(items=[_crisis_out(c) for c in qs[offset : offset + limit]], total=qs.count())


@router.post("/crisis/crises", response={201: CrisisOut, **problems(403, 409)}, summary="Open a crisis or a drill by hand")
@idempotent
def open_crisis(request: HttpRequest, payload: CrisisIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    models = list(ProductModel.objects.filter(code__in=payload.models))
    unknown = sorted(set(payload.models) - {m.code for m in models})
    if unknown:
        raise ValidationFailed({"models": [_("No product model has this number.")]}, code="model_unknown")
    crisis = services.crisis_open(
        actor=caller.user,
        title=payload.title,
        crisis_type=payload.crisis_type,
        level=_level(payload.level),
        plan=_plan(payload.plan),
        is_drill=payload.is_drill,
        summary=payload.summary,
        models=models,
        batches=payload.batches,
    )
    return 201, _crisis_out(crisis), {"ETag": version_etag(crisis)}


@router.get("/crisis/crises/{crisis_id}", response={200: CrisisOut, **problems(403, 404)}, summary="Read a crisis")
def get_crisis(request: HttpRequest, crisis_id: Id, response: HttpResponse) -> Any:
    caller = staff_caller(request, Scope.CRISIS_READ)
    crisis = _crisis(caller, crisis_id)
    response["ETag"] = version_etag(crisis)
    return _crisis_out(crisis)


@router.post(
    "/crisis/crises/{crisis_id}/transition",
    response={200: CrisisOut, **problems(403, 404, 409, 412, 428)},
    summary="Move a crisis to its next status (reviewed: with the lessons)",
)
def transition_crisis(
    request: HttpRequest,
    crisis_id: Id,
    payload: TransitionIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    crisis = _crisis(caller, crisis_id)
    version = _if_match(request, crisis)
    moved = services.crisis_transition(
        crisis=crisis,
        actor=caller.user,
        to=payload.to,
        expected_version=version,
        lessons=payload.lessons,
        improvements=payload.improvements,
    )
    response["ETag"] = version_etag(moved)
    return _crisis_out(moved)


@router.post(
    "/crisis/crises/{crisis_id}/level",
    response={200: CrisisOut, **problems(403, 404, 409, 412, 428)},
    summary="Change a crisis's level",
)
def set_crisis_level(
    request: HttpRequest,
    crisis_id: Id,
    payload: LevelIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    crisis = _crisis(caller, crisis_id)
    version = _if_match(request, crisis)
    changed = services.crisis_set_level(crisis=crisis, actor=caller.user, level=_level(payload.level), expected_version=version)
    response["ETag"] = version_etag(changed)
    return _crisis_out(changed)


@router.get(
    "/crisis/crises/{crisis_id}/communications",
    response={200: list[CommunicationOut], **problems(403, 404)},
    summary="The crisis's communication log",
)
def list_communications(request: HttpRequest, crisis_id: Id) -> Any:
    caller = staff_caller(request, Scope.CRISIS_READ)
    crisis = _crisis(caller, crisis_id)
    return [_communication_out(c) for c in crisis.communications.select_related("recorded_by")[:500]]


@router.post(
    "/crisis/crises/{crisis_id}/communications",
    response={201: CommunicationOut, **problems(403, 404, 409)},
    summary="Record a communication (internal, media, regulator)",
)
@idempotent
def record_communication(request: HttpRequest, crisis_id: Id, payload: CommunicationIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    crisis = _crisis(caller, crisis_id)
    if payload.audience == Audience.CUSTOMERS:
        raise ValidationFailed({"audience": [_("Customers are told through the notice.")]}, code="audience_invalid")
    entry = services.crisis_record_communication(
        crisis=crisis, actor=caller.user, audience=payload.audience, subject=payload.subject, body=payload.body
    )
    return 201, _communication_out(entry)


@router.post(
    "/crisis/crises/{crisis_id}/notices",
    response={201: CommunicationOut, **problems(403, 404, 409)},
    summary="Send the notice to every affected customer (through the notifications outbox)",
)
@idempotent
def notify_customers(request: HttpRequest, crisis_id: Id, payload: NoticeIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.CRISIS_WRITE)
    crisis = _crisis(caller, crisis_id)
    entry = services.crisis_notify_customers(crisis=crisis, actor=caller.user, body=payload.body)
    return 201, _communication_out(entry)
