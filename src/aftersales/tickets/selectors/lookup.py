"""The intake page's lookups (phone → customer, serial → unit) under the caller's data scope.

Staff whose scope is everything see every customer; others the customers with a ticket they may
see (``tickets_visible_to``, as the API's customer endpoint) and the customers of their own
region — whatever their ticket scope: an agent on the hotline of East China must recognise an
East China caller (and their unit's warranty) to register the call, also one whose earlier
tickets went to another team. Customers see nobody here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductUnit
from aftersales.catalog.selectors import unit_find_by_serial
from aftersales.customers.models import Address, Customer
from aftersales.customers.selectors import customer_find_by_phone

from .scope import sees_every_ticket, tickets_visible_to


def customers_visible_to(user: User) -> QuerySet[Customer]:
    """Customers ``user`` may see on the intake page's lookups."""
    if not user.is_authenticated or not user.is_active or user.is_customer:
        return Customer.objects.none()
    if sees_every_ticket(user):
        return Customer.objects.all()
    condition = Q(Exists(tickets_visible_to(user).filter(customer_id=OuterRef("pk"))))
    if user.region_id:
        condition |= Q(region_id=user.region_id)
    return Customer.objects.filter(condition)


@dataclass(frozen=True)
class Lookup:
    """What a lookup found: ``found`` (``obj`` set), ``absent``, or ``out_of_scope`` (it exists
    but the user may not see it: nothing of it is shown, and the attempt is audited)."""

    state: str
    customer: Customer | None = None
    unit: ProductUnit | None = None


def customer_lookup_for_user(*, user: User, phone_e164: str) -> Lookup:
    customer = customer_find_by_phone(phone_e164=phone_e164)
    if customer is None:
        return Lookup(state="absent")
    if not customers_visible_to(user).filter(pk=customer.pk).exists():
        return Lookup(state="out_of_scope")
    return Lookup(state="found", customer=customer)


def unit_lookup_for_user(*, user: User, serial_number: str) -> Lookup:
    """A unit registered to a customer is shown only to who may see that customer; a unit of no
    customer (stock, a dealer's) to every user allowed on the intake page."""
    unit = unit_find_by_serial(serial_number=serial_number)
    if unit is None:
        return Lookup(state="absent")
    if unit.customer_id is not None and not customers_visible_to(user).filter(pk=unit.customer_id).exists():
        return Lookup(state="out_of_scope")
    return Lookup(state="found", unit=unit)


def customer_default_address(customer: Customer) -> Address | None:
    """The customer's address on file (their default; the newest if several are marked so):
    what intake's "where" starts from (``tickets.when_where``)."""
    return Address.objects.filter(customer=customer, is_default=True).order_by("-pk").first()
