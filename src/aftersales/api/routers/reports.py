"""API v1: scheduled reports (issue 17): subscriptions to an export kind with filters, a
schedule (Asia/Shanghai) and recipients inside the company, and their deliveries per period.

Scope ``reports:write``; staff only. A caller sees and manages their own subscriptions; a
supervisor also those of the people in their data scope, an administrator all (others are a
404). The file is written as the subscription's owner sees the list. Creating takes
``Idempotency-Key``. Handlers parse, call one selector or service, and present the result."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Schema
from pydantic import Field

from aftersales.exports.registry import kinds_for_user
from aftersales.reports import selectors, services
from aftersales.reports.models import DeliveryStatus, ReportDelivery, ReportSubscription

from ..idempotency import idempotent
from ..models import Scope
from .common import MAX_ID, MAX_PAGE_SIZE, problems, staff_caller
from .common import idempotency_header as _idem

router = Router(tags=["Scheduled reports"])

SubscriptionId = Annotated[int, Path(ge=1, le=MAX_ID)]


class ReportKindOut(Schema):
    kind: str
    title: str


class ReportSubscriptionIn(Schema):
    kind: str = Field(max_length=64, description="An export kind the owner may use (GET /reports/kinds).")
    name: str = Field("", max_length=100, description="Empty: the report's title.")
    filters: dict[str, str] | str = Field(
        default_factory=dict,
        description='The list page\'s filters: its query string ("status=new&region=3") or an object of them.',
    )
    frequency: Literal["daily", "weekly", "monthly"] = "daily"
    send_time: dt.time = Field(dt.time(8, 0), description="Asia/Shanghai, HH:MM.")
    weekday: int | None = Field(None, ge=0, le=6, description="Weekly: 0 = Monday … 6 = Sunday.")
    day_of_month: int | None = Field(None, ge=1, le=31, description="Monthly: 1–31 (past the month's end: its last day).")
    recipients: list[str] = Field(min_length=1, max_length=services.MAX_RECIPIENTS, description="Addresses inside the company.")
    language: Literal["zh-hans", "en"] = Field("zh-hans", description="Of the file and the email.")
    active: bool = Field(True, description="Only on PUT: false pauses, true resumes.")


class ReportDeliveryOut(Schema):
    id: int
    subscription_id: int
    period_start: dt.date = Field(description="The period's first day: its key (one delivery per period).")
    status: DeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str
    sent_at: dt.datetime | None
    row_count: int | None
    recipients: list[str]


class ReportSubscriptionOut(Schema):
    id: int
    owner: str = Field(description="The owner's user name.")
    name: str
    kind: str
    filters: dict[str, str]
    frequency: str
    send_time: dt.time
    weekday: int | None
    day_of_month: int | None
    recipients: list[str]
    language: str
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ReportSubscriptionPage(Schema):
    items: list[ReportSubscriptionOut]
    total: int


class ReportDeliveryPage(Schema):
    items: list[ReportDeliveryOut]
    total: int


def _out(s: ReportSubscription) -> ReportSubscriptionOut:
    return ReportSubscriptionOut(
        id=s.pk,
        owner=s.owner.username,
        name=s.name,
        kind=s.kind,
        filters=s.filters,
        frequency=s.frequency,
        send_time=s.send_time,
        weekday=s.weekday,
        day_of_month=s.day_of_month,
        recipients=s.recipients,
        language=s.language,
        active=s.active,
        created_at=s.created_at,
        updated_at=s.updated_at,
    )


def _delivery_out(d: ReportDelivery) -> ReportDeliveryOut:
    return ReportDeliveryOut(
        id=d.pk,
        subscription_id=d.subscription_id,
        period_start=d.period_start,
        status=DeliveryStatus(d.status),
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_error=d.last_error,
        sent_at=d.sent_at,
        row_count=d.row_count,
        recipients=d.recipients,
    )


def _input(payload: ReportSubscriptionIn) -> services.SubscriptionInput:
    return services.SubscriptionInput(
        kind=payload.kind,
        name=payload.name,
        filters=payload.filters,
        frequency=payload.frequency,
        send_time=payload.send_time,
        weekday=payload.weekday,
        day_of_month=payload.day_of_month,
        recipients=payload.recipients,
        language=payload.language,
    )


@router.get(
    "/reports/kinds", response={200: list[ReportKindOut], **problems(403)}, summary="The reports the caller may subscribe to"
)
def list_kinds(request: HttpRequest) -> Any:
    caller = staff_caller(request, Scope.REPORTS_WRITE)
    return [ReportKindOut(kind=k.key, title=str(k.title)) for k in kinds_for_user(caller.user)]


@router.get(
    "/reports/subscriptions",
    response={200: ReportSubscriptionPage, **problems(403)},
    summary="The report subscriptions the caller sees (their own; a supervisor's scope; all for an administrator)",
)
def list_subscriptions(
    request: HttpRequest,
    offset: int = Query(0, ge=0, le=100_000),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = staff_caller(request, Scope.REPORTS_WRITE)
    qs = selectors.subscriptions_visible_to(caller.user).order_by("name", "id")
    return ReportSubscriptionPage(items=[_out(s) for s in qs[offset : offset + limit]], total=qs.count())


@router.post(
    "/reports/subscriptions",
    response={201: ReportSubscriptionOut, **problems(403, 409)},
    summary="Subscribe to a report sent by email daily, weekly or monthly",
    description="A create: retry it with the same Idempotency-Key. Recipients outside the company are refused (422).",
)
@idempotent
def create_subscription(request: HttpRequest, payload: ReportSubscriptionIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.REPORTS_WRITE)
    subscription = services.report_subscription_create(actor=caller.user, data=_input(payload))
    return 201, _out(subscription), {"Location": f"{request.path.rstrip('/')}/{subscription.pk}"}


@router.get(
    "/reports/subscriptions/{subscription_id}",
    response={200: ReportSubscriptionOut, **problems(403, 404)},
    summary="Read a report subscription",
)
def get_subscription(request: HttpRequest, subscription_id: SubscriptionId) -> Any:
    caller = staff_caller(request, Scope.REPORTS_WRITE)
    return _out(selectors.subscription_get_for_user(user=caller.user, subscription_id=subscription_id))


@router.put(
    "/reports/subscriptions/{subscription_id}",
    response={200: ReportSubscriptionOut, **problems(403, 404)},
    summary="Change a report subscription (the whole of it; active=false pauses it)",
)
def update_subscription(request: HttpRequest, subscription_id: SubscriptionId, payload: ReportSubscriptionIn) -> Any:
    caller = staff_caller(request, Scope.REPORTS_WRITE)
    subscription = selectors.subscription_get_for_user(user=caller.user, subscription_id=subscription_id)
    subscription = services.report_subscription_update(actor=caller.user, subscription=subscription, data=_input(payload))
    subscription = services.report_subscription_set_active(actor=caller.user, subscription=subscription, active=payload.active)
    return _out(subscription)


@router.delete(
    "/reports/subscriptions/{subscription_id}",
    response={204: None, **problems(403, 404)},
    summary="Delete a report subscription and its delivery history",
)
def delete_subscription(request: HttpRequest, subscription_id: SubscriptionId) -> Any:
    caller = staff_caller(request, Scope.REPORTS_WRITE)
    subscription = selectors.subscription_get_for_user(user=caller.user, subscription_id=subscription_id)
    services.report_subscription_delete(actor=caller.user, subscription=subscription)
    return HttpResponse(status=204)


@router.get(
    "/reports/deliveries",
    response={200: ReportDeliveryPage, **problems(403)},
    summary="Deliveries of the subscriptions the caller sees, newest period first: status, attempts, errors",
)
def list_deliveries(
    request: HttpRequest,
    subscription: int | None = Query(None, ge=1, le=MAX_ID, description="Only this subscription's."),
    status: DeliveryStatus | None = None,
    offset: int = Query(0, ge=0, le=100_000),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = staff_caller(request, Scope.REPORTS_WRITE)
    qs = selectors.deliveries_for_user(user=caller.user, subscription_id=subscription)
    if status is not None:
        qs = qs.filter(status=status.value)
    return ReportDeliveryPage(items=[_delivery_out(d) for d in qs[offset : offset + limit]], total=qs.count())
