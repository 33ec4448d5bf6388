"""API v1, quality: improvement actions (raise, read, change with If-Match, move, recheck)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Path, Query, Router, Schema
from pydantic import Field

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel
from aftersales.core.errors import ValidationFailed
from aftersales.quality import selectors, services
from aftersales.quality.effect import suggested_outcome
from aftersales.quality.models import ImprovementAction
from aftersales.quality.services import ActionInput

from ...conditional import checked_version, version_etag
from ...idempotency import idempotent
from ...models import Scope
from ...schemas import IsoDate
from ...selectors import api_ticket_get
from ..common import MAX_ID, MAX_PAGE_SIZE, problems, staff_caller
from ..common import idempotency_header as _idem

router = Router()
ActionId = Annotated[int, Path(ge=1, le=MAX_ID)]
IF_MATCH_DOC = "The ETag of the action as read (GET /quality/actions/{action_id}); 412 when stale, 428 when missing."


class ActionIn(Schema):
    title: str = Field("", max_length=400)
    problem: str = Field("", max_length=20000)
    model: str = Field("", max_length=64, description="Product model number.")
    batch: str = Field("", max_length=128)
    component: str = Field(
        "", max_length=256, description="With a supplier: the component of the production register it changed."
    )
    factory: str = Field("", max_length=128, description="Scope: a factory of the production register.")
    supplier: str = Field("", max_length=256, description="Scope: a component supplier of the production register.")
    why1: str = Field("", max_length=20000)
    why2: str = Field("", max_length=20000)
    why3: str = Field("", max_length=20000)
    why4: str = Field("", max_length=20000)
    why5: str = Field("", max_length=20000)
    root_cause: str = Field("", max_length=20000)
    fishbone_man: str = Field("", max_length=20000)
    fishbone_machine: str = Field("", max_length=20000)
    fishbone_material: str = Field("", max_length=20000)
    fishbone_method: str = Field("", max_length=20000)
    fishbone_measurement: str = Field("", max_length=20000)
    fishbone_environment: str = Field("", max_length=20000)
    owner: str = Field("", max_length=150, description="Username of the owner.")
    due_date: IsoDate | None = None
    change_kind: str = Field("", max_length=16, description="design, supplier, process or training.")
    change_reason: str = Field("", max_length=20000)
    change_content: str = Field("", max_length=20000)
    effective_date: IsoDate | None = None
    first_batch: str = Field("", max_length=128)
    effect_window_months: int | None = Field(
        None, ge=1, le=60, description="The measured effect's window in months in the field (null: the default)."
    )


class ActionCreateIn(ActionIn):
    origin: str = Field("fault_cluster", max_length=16, description="fault_cluster, crisis or ticket.")
    origin_reference: str = Field("", max_length=128, description="e.g. the crisis number.")
    origin_ticket: str = Field("", max_length=32, description="The ticket number (origin ticket).")


class CheckOut(Schema):
    before_units: int | None
    before_faulty: int | None
    after_units: int | None
    after_faulty: int | None
    p_value: float | None
    passed: bool | None
    checked_at: datetime | None
    detail: dict[str, Any]


class ScopeOut(Schema):
    model: str | None = Field(description="Product model number.")
    factory: str | None
    supplier: str | None
    component: str | None


class EffectBatchOut(Schema):
    model: str
    batch: str
    start: date | None
    shipped: int
    faulty_units: int = Field(description="Faulty units within the window (counted only when the batch is mature).")
    months_in_field: int = Field(description="Whole months every unit of the batch has been in the field.")
    after: bool
    counted: date | None = Field(description="null: the batch counts; else the day it will have been in the field long enough.")


class EffectOut(Schema):
    verdict: Literal["fell", "not_fell", "too_early", ""] = Field(description='"" : not measured, or it cannot be (see reason).')
    reason: str = Field(
        description="no_scope, no_change_date, unknown_first_batch, no_batches, no_after_batches, not_mature, "
        "no_before_batches, too_few_units, or empty."
    )
    window_months: int | None = Field(description="Faults within the first N months in the field count, on both sides.")
    cut: date | None = Field(description="Batches started on or after this day are 'after'.")
    before_units: int | None
    before_faulty: int | None
    after_units: int | None
    after_faulty: int | None
    before_per_thousand: float | None
    after_per_thousand: float | None
    p_value: float | None = Field(description="Fisher's exact test, one-sided (after lower).")
    ready_on: date | None = Field(description="Too early: the day the first batch after the change will count.")
    unshipped_batches: int | None
    unknown_start_batches: int | None
    unknown_months_units: int | None
    suggested_outcome: Literal["effective", "not_effective", ""]
    measured_at: datetime | None
    batches: list[EffectBatchOut]


class ActionOut(Schema):
    id: int
    number: str
    title: str
    problem: str
    status: str
    origin: str
    origin_reference: str
    origin_ticket: str | None
    model: str | None
    batch: str
    component: str
    why: list[str]
    root_cause: str
    fishbone: dict[str, str]
    owner: str | None
    due_date: date | None
    change_kind: str
    change_reason: str
    change_content: str
    effective_date: date | None
    first_batch: str
    check: CheckOut
    scope: ScopeOut
    effect: EffectOut
    outcome: str
    outcome_reason: str
    version: int = Field(description='The ETag is this number ("v7").')
    created_at: datetime
    updated_at: datetime


class ActionPage(Schema):
    items: list[ActionOut]
    total: int
    next_offset: int | None = None


class TransitionIn(Schema):
    to: Literal["plan", "do", "check", "act", "closed"]
    outcome: str = Field("", max_length=16, description="Closing: effective or not_effective.")
    reason: str = Field("", max_length=10000, description="Closing as effective without a passed check needs one.")


def _out(a: ImprovementAction) -> ActionOut:
    return ActionOut(
        id=a.pk,
        number=a.number,
        title=a.title,
        problem=a.problem,
        status=a.status,
        origin=a.origin,
        origin_reference=a.origin_reference,
        origin_ticket=a.origin_ticket.number if a.origin_ticket else None,
        model=a.product_model.code if a.product_model else None,
        batch=a.batch,
        component=a.component,
        why=[getattr(a, f"why{i}") for i in range(1, 6)],
        root_cause=a.root_cause,
        fishbone={n: getattr(a, f"fishbone_{n}") for n in ("man", "machine", "material", "method", "measurement", "environment")},
        owner=a.owner.username if a.owner else None,
        due_date=a.due_date,
        change_kind=a.change_kind,
        change_reason=a.change_reason,
        change_content=a.change_content,
        effective_date=a.effective_date,
        first_batch=a.first_batch,
        check=CheckOut(
            before_units=a.check_before_units,
            before_faulty=a.check_before_faulty,
            after_units=a.check_after_units,
            after_faulty=a.check_after_faulty,
            p_value=a.check_p_value,
            passed=a.check_passed,
            checked_at=a.checked_at,
            detail=a.check_detail or {},
        ),
        scope=ScopeOut(
            model=a.product_model.code if a.product_model else None,
            factory=a.factory or None,
            supplier=a.supplier or None,
            component=a.component or None,
        ),
        effect=_effect_out(a),
        outcome=a.outcome,
        outcome_reason=a.outcome_reason,
        version=a.version,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


def _effect_out(a: ImprovementAction) -> EffectOut:
    e = a.effect or {}

    def per_thousand(faulty: Any, units: Any) -> float | None:
        return 1000.0 * (faulty or 0) / units if units else None

    return EffectOut(
        verdict=a.effect_verdict or "",  # type: ignore[arg-type]
        reason=e.get("reason", ""),
        window_months=e.get("window_months"),
        cut=e.get("cut"),
        before_units=e.get("before_units"),
        before_faulty=e.get("before_faulty"),
        after_units=e.get("after_units"),
        after_faulty=e.get("after_faulty"),
        before_per_thousand=per_thousand(e.get("before_faulty"), e.get("before_units")),
        after_per_thousand=per_thousand(e.get("after_faulty"), e.get("after_units")),
        p_value=e.get("p_value"),
        ready_on=e.get("ready_on"),
        unshipped_batches=e.get("unshipped_batches"),
        unknown_start_batches=e.get("unknown_start_batches"),
        unknown_months_units=e.get("unknown_months_units"),
        suggested_outcome=suggested_outcome(a.effect_verdict),  # type: ignore[arg-type]
        measured_at=a.effect_measured_at,
        batches=[EffectBatchOut(**b) for b in e.get("batches") or []],
    )


def _model_id(code: str) -> int | None:
    if not code:
        return None
    found = ProductModel.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationFailed({"model": [_("Unknown product model.")]}, code="unknown_model")
    return found


def _owner_id(username: str) -> int | None:
    if not username:
        return None
    found = User.objects.filter(username=username).values_list("pk", flat=True).first()
    if found is None:
        raise ValidationFailed({"owner": [_("The owner must be an active member of staff.")]}, code="action_invalid")
    return found


def _input(payload: ActionIn) -> ActionInput:
    values = payload.dict()
    return ActionInput(
        **{k: v for k, v in values.items() if k in ActionInput.__dataclass_fields__},
        product_model_id=_model_id(payload.model),
        owner_id=_owner_id(payload.owner),
    )


def _version_from_if_match(request: HttpRequest, action: ImprovementAction) -> int:
    return checked_version(
        request,
        action,
        missing=_("Send the action's ETag in If-Match (read it first)."),
        stale=_("The action was changed since you read it; read it again and retry."),
    )


@router.get("/quality/actions", response={200: ActionPage, **problems(403)}, summary="List improvement actions")
def list_actions(
    request: HttpRequest,
    status: Literal["plan", "do", "check", "act", "closed"] | None = None,
    offset: int = Query(0, ge=0, le=100000),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = staff_caller(request, Scope.QUALITY_READ)
    qs = selectors.actions_for(user=caller.user, filters=selectors.ActionFilters(status=status or ""))
    total = qs.count()
    items = [_out(a) for a in qs[offset : offset + limit]]
    return ActionPage(items=items, total=total, next_offset=offset + limit if offset + limit < total else None)


@router.get(
    "/quality/actions/{action_id}", response={200: ActionOut, **problems(403, 404)}, summary="Read an improvement action (ETag)"
)
def get_action(request: HttpRequest, action_id: ActionId, response: HttpResponse) -> Any:
    caller = staff_caller(request, Scope.QUALITY_READ)
    action = selectors.action_get(user=caller.user, pk=action_id)
    response["ETag"] = version_etag(action)
    return _out(action)


@router.post("/quality/actions", response={201: ActionOut, **problems(403, 404, 409, 422)}, summary="Raise an improvement action")
@idempotent
def create_action(request: HttpRequest, payload: ActionCreateIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.QUALITY_WRITE)
    user = caller.user
    ticket = api_ticket_get(caller=caller, number=payload.origin_ticket) if payload.origin_ticket else None
    data = _input(payload)
    model = ProductModel.objects.filter(pk=data.product_model_id).first() if data.product_model_id else None
    owner = User.objects.filter(pk=data.owner_id).first() if data.owner_id else None
    action = services.action_raise(
        actor=user,
        title=payload.title,
        problem=payload.problem,
        origin=payload.origin,
        origin_reference=payload.origin_reference,
        origin_ticket=ticket,
        model=model,
        batch=payload.batch,
        component=payload.component,
        owner=owner,
        due_date=payload.due_date,
        factory=payload.factory,
        supplier=payload.supplier,
    )
    basics = {"title", "problem", "product_model_id", "batch", "component", "owner_id", "due_date", "factory", "supplier"}
    if any(value for name, value in data.__dict__.items() if name not in basics):
        action = services.action_update(action=action, actor=user, data=data, expected_version=action.version)
    fresh = selectors.action_get(user=user, pk=action.pk)
    headers = {"Location": f"{request.path.rstrip('/')}/{action.pk}", "ETag": version_etag(fresh)}
    return 201, _out(fresh), headers


@router.put(
    "/quality/actions/{action_id}",
    response={200: ActionOut, **problems(403, 404, 409, 412, 422, 428)},
    summary="Edit an improvement action",
)
def update_action(
    request: HttpRequest,
    action_id: ActionId,
    payload: ActionIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.QUALITY_WRITE)
    action = selectors.action_get(user=caller.user, pk=action_id)
    version = _version_from_if_match(request, action)
    services.action_update(action=action, actor=caller.user, data=_input(payload), expected_version=version)
    fresh = selectors.action_get(user=caller.user, pk=action_id)
    response["ETag"] = version_etag(fresh)
    return _out(fresh)


@router.post(
    "/quality/actions/{action_id}/transition",
    response={200: ActionOut, **problems(403, 404, 409, 412, 422, 428)},
    summary="Move an improvement action (Plan → Do → Check → Act → Closed; the check is computed on the way)",
)
def transition_action(
    request: HttpRequest,
    action_id: ActionId,
    payload: TransitionIn,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.QUALITY_WRITE)
    action = selectors.action_get(user=caller.user, pk=action_id)
    version = _version_from_if_match(request, action)
    services.action_transition(
        action=action, actor=caller.user, to=payload.to, expected_version=version, outcome=payload.outcome, reason=payload.reason
    )
    fresh = selectors.action_get(user=caller.user, pk=action_id)
    response["ETag"] = version_etag(fresh)
    return _out(fresh)


@router.post(
    "/quality/actions/{action_id}/check",
    response={200: ActionOut, **problems(403, 404, 409, 412, 422, 428)},
    summary="Compute the action's check and measured effect again (batches before and after the change)",
)
def recheck_action(
    request: HttpRequest,
    action_id: ActionId,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description=IF_MATCH_DOC),
) -> Any:
    caller = staff_caller(request, Scope.QUALITY_WRITE)
    action = selectors.action_get(user=caller.user, pk=action_id)
    _version_from_if_match(request, action)
    services.action_run_check(action=action, actor=caller.user)
    fresh = selectors.action_get(user=caller.user, pk=action_id)
    response["ETag"] = version_etag(fresh)
    return _out(fresh)
