# ruff: noqa: B008 - django-ninja declares parameters with Query()/File()/Header() defaults
"""Customers (staff only, masked per role; registered and changed with ``customers:write``
through the same services as the staff's customer pages; their WeChat binding: ``wechat.py``),
product units with warranty (a customer: their own, ``/me/units``), and who am I.

A customer's ETag is ``"v<version>"``; ``PATCH`` needs it in ``If-Match`` (428 without, 412 when
stale); ``POST`` takes ``Idempotency-Key``.
"""

from typing import Annotated, Any

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Header, Path, Query, Router

from aftersales.catalog.models import ProductUnit
from aftersales.core import clock
from aftersales.customers.editing import customer_register, customer_update

from .. import presenters, schemas
from ..auth import caller_of, customer_caller_of
from ..conditional import checked_version, version_etag
from ..idempotency import idempotent
from ..models import Scope
from ..selectors import api_customer_get, api_customer_page, api_own_customer_id, api_unit_get
from .common import MAX_ID, problems, staff_caller
from .common import idempotency_header as _idem
from .wechat import router as wechat_router

router = Router()
router.add_router("", wechat_router)  # PUT/DELETE /customers/{customer_id}/wechat
MAX_PAGE_SIZE = 100
MY_UNITS = 50  # as many as the portal's request form offers
CustomerId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/me", response={200: schemas.MeOut, **problems()}, tags=["auth"], summary="Who the credentials act as")
def me(request: HttpRequest) -> Any:
    caller = caller_of(request)
    key = caller.key
    return schemas.MeOut(
        username=caller.user.get_username(),
        display_name=str(caller.user),
        role=caller.user.role,
        customer=caller.user.is_customer,
        customer_id=api_own_customer_id(caller.user),
        via="api_key" if key is not None else "session",
        key_prefix=key.prefix if key is not None else None,
        scopes=sorted(caller.scopes),
        region=key.region.code if key is not None and key.region is not None else None,
    )


@router.get(
    "/me/units",
    response={200: list[schemas.UnitOut], **problems(403)},
    tags=["catalog"],
    summary="Your registered product units with their warranty, newest purchase first (a customer's key or session)",
)
def my_units(
    request: HttpRequest,
    on: schemas.IsoDate | None = Query(None, description="Warranty on this date (default: today in Asia/Shanghai)."),
) -> Any:
    caller = customer_caller_of(request, Scope.CATALOG_READ)
    units = (
        ProductUnit.objects.filter(customer__user_id=caller.user.pk)
        .select_related("model__category")
        .order_by(F("purchase_date").desc(nulls_last=True), "-id")[:MY_UNITS]
    )
    day = on or clock.local_today()
    return [presenters.unit(unit, day) for unit in units]


@router.get(
    "/customers", response={200: schemas.CustomerPage, **problems(403, 422)}, tags=["customers"], summary="List customers"
)
def list_customers(
    request: HttpRequest,
    q: str = Query(
        "",
        max_length=100,
        description="Part of the name, a phone number typed any way or its last four or more digits, the email, or the external code (the staff pages' search, docs/customers.md).",
    ),
    cursor: str | None = Query(None, max_length=100),
    limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
) -> Any:
    caller = caller_of(request, Scope.CUSTOMERS_READ)
    caller.require_staff()
    page = api_customer_page(caller=caller, query=q, cursor=cursor, limit=limit)
    return schemas.CustomerPage(items=[presenters.customer(c, caller.user) for c in page.rows], next_cursor=page.next_cursor)


@router.get(
    "/customers/{customer_id}",
    response={200: schemas.CustomerOut, **problems(403, 404)},
    tags=["customers"],
    summary="Read a customer",
)
def get_customer(request: HttpRequest, customer_id: CustomerId, response: HttpResponse) -> Any:
    caller = staff_caller(request, Scope.CUSTOMERS_READ)
    customer = api_customer_get(caller=caller, customer_id=customer_id)
    response["ETag"] = version_etag(customer)
    return presenters.customer(customer, caller.user)


@router.post(
    "/customers",
    response={201: schemas.CustomerOut, **problems(403, 409, 422)},
    tags=["customers"],
    summary="Register a customer (customers:write; a tier other than normal: supervisors and administrators)",
)
@idempotent
def create_customer(request: HttpRequest, payload: schemas.CustomerIn, idempotency_key: str = _idem()) -> Any:
    caller = staff_caller(request, Scope.CUSTOMERS_WRITE)
    customer = customer_register(actor=caller.user, **payload.model_dump())
    headers = {"Location": f"{request.path.rstrip('/')}/{customer.pk}", "ETag": version_etag(customer)}
    return 201, presenters.customer(customer, caller.user), headers


@router.patch(
    "/customers/{customer_id}",
    response={200: schemas.CustomerOut, **problems(403, 404, 409, 412, 422, 428)},
    tags=["customers"],
    summary="Change a customer's details, consents or tier (customers:write; If-Match)",
)
def update_customer(
    request: HttpRequest,
    customer_id: CustomerId,
    payload: schemas.CustomerPatch,
    response: HttpResponse,
    if_match: str = Header(None, alias="If-Match", max_length=200, description="The customer's ETag as read; 412 when stale."),
) -> Any:
    caller = staff_caller(request, Scope.CUSTOMERS_WRITE)
    customer = api_customer_get(caller=caller, customer_id=customer_id)
    version = checked_version(
        request,
        customer,
        missing=_("Send the customer's ETag in If-Match (read the customer first)."),
        stale=_("The customer was changed since you read it; read it again and retry."),
    )
    changed = customer_update(
        customer=customer, actor=caller.user, expected_version=version, **payload.model_dump(exclude_unset=True)
    )
    response["ETag"] = version_etag(changed)
    return presenters.customer(changed, caller.user)


@router.get(
    "/catalog/units/{serial_number}",
    response={200: schemas.UnitOut, **problems(403, 404)},
    tags=["catalog"],
    summary="A product unit by serial number, with its warranty status",
)
def get_unit(
    request: HttpRequest,
    serial_number: str,
    on: schemas.IsoDate | None = Query(None, description="Warranty on this date (default: today in Asia/Shanghai)."),
) -> Any:
    caller = caller_of(request, Scope.CATALOG_READ)
    unit = api_unit_get(caller=caller, serial_number=serial_number)
    return presenters.unit(unit, on or clock.local_today())
