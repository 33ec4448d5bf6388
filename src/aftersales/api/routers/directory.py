# ruff: noqa: B008 - django-ninja declares parameters with Query()/File()/Header() defaults
"""Customers (staff only, masked per role), product units with warranty, and who am I."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from aftersales.core import clock

from .. import presenters, schemas
from ..auth import caller_of
from ..models import Scope
from ..selectors import api_customer_get, api_customer_page, api_unit_get
from .common import problems

router = Router()
MAX_PAGE_SIZE = 100


@router.get("/me", response={200: schemas.MeOut, **problems()}, tags=["auth"], summary="Who the credentials act as")
def me(request: HttpRequest) -> Any:
    caller = caller_of(request)
    key = caller.key
    return schemas.MeOut(
        username=caller.user.get_username(),
        display_name=str(caller.user),
        role=caller.user.role,
        customer=caller.user.is_customer,
        via="api_key" if key is not None else "session",
        key_prefix=key.prefix if key is not None else None,
        scopes=sorted(caller.scopes),
        region=key.region.code if key is not None and key.region is not None else None,
    )


@router.get(
    "/customers", response={200: schemas.CustomerPage, **problems(403, 422)}, tags=["customers"], summary="List customers"
)
def list_customers(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="Part of the name, the end of the phone number, or the email."),
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
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    caller = caller_of(request, Scope.CUSTOMERS_READ)
    caller.require_staff()
    return presenters.customer(api_customer_get(caller=caller, customer_id=customer_id), caller.user)


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
