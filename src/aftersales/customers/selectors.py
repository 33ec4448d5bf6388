from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower

from .models import Address, Customer


def customer_find_by_phone(*, phone_e164: str) -> Customer | None:
    """The customer whose own or contact phone is ``phone_e164`` (oldest first), if any."""
    customer = Customer.objects.filter(phone=phone_e164).order_by("id").first()
    if customer is None:
        customer = Customer.objects.filter(contacts__phone=phone_e164).order_by("id").first()
    return customer


def customer_find_by_email(*, email: str) -> Customer | None:
    """The oldest customer with this email, in any letter case.

    Compared as ``LOWER(email) = lower(value)``, the expression of ``customer_email_lower_idx``;
    ``email__iexact`` compiles to ``UPPER(…)`` on PostgreSQL, which no index serves: every
    intake from a new address would scan the whole customer table."""
    if not email:
        return None
    key = email.strip().lower()
    return Customer.objects.annotate(email_key=Lower("email")).filter(email_key=key).order_by("id").first()


def customer_with_addresses(*, customer_id: int) -> Customer | None:
    return (
        Customer.objects.filter(pk=customer_id)
        .prefetch_related(Prefetch("addresses", queryset=Address.objects.order_by("-is_default", "id")))
        .first()
    )


def customer_search(*, query: str, limit: int = 20) -> QuerySet[Customer]:
    q = Customer.objects.order_by("id")
    return q.filter(name__icontains=query)[:limit]
