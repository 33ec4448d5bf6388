from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch
from django.db.models.functions import Lower

from .models import Address, Contact, Customer, PhoneReuseFlag


def customer_find_by_phone(*, phone_e164: str) -> Customer | None:
    """The customer whose own or contact phone is ``phone_e164`` (oldest first), if any.

    A record flagged "number now used by another person" (``customers.phone_reuse``: the number's
    new holder signed up without proving that record) comes after the others: the new holder's
    calls and e-mails are theirs, not the old record's."""
    reused = Exists(PhoneReuseFlag.objects.filter(customer=OuterRef("pk")))
    customer: Customer | None = Customer.objects.filter(phone=phone_e164).order_by(reused.asc(), "id").first()
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


# --- The ticket list's search for people (tickets.selectors.people) ---------------------------


def customer_ids_with_phone(*, phone_e164: str, limit: int) -> list[int]:
    """Ids of the customers (not erased) whose own phone or one of whose contacts' phone is
    ``phone_e164``, at most ``limit``. Two probes of the phone indexes in one statement."""
    if not phone_e164:
        return []
    own = Customer.objects.filter(phone=phone_e164, erased_at__isnull=True).values_list("id", flat=True)
    via_contact = Contact.objects.filter(phone=phone_e164, customer__erased_at__isnull=True).values_list("customer_id", flat=True)
    return sorted(set(own.union(via_contact)[:limit]))


def customer_ids_by_name(*, name: str, prefix: bool, limit: int, phone_suffix: str = "") -> list[int]:
    """Ids of the customers (not erased) called ``name`` in any letter case — or, with ``prefix``,
    whose name starts with it — at most ``limit``; with ``phone_suffix``, only those whose phone
    ends with those digits.

    On PostgreSQL ``customer_name_upper_idx`` (``UPPER(name) text_pattern_ops``, migration 0006)
    serves both the equality and the prefix. When a prefix names more than ``limit`` customers,
    those of exactly that name are taken instead (张伟 before 张伟明 and 张伟华…); a name shared by
    more than ``limit`` customers gives ``limit`` of them (narrow with the phone's last digits)."""
    name = (name or "").strip()
    if not name:
        return []
    people = Customer.objects.filter(erased_at__isnull=True)
    if phone_suffix:
        people = people.filter(phone__endswith=phone_suffix)
    if prefix:
        ids = list(people.filter(name__istartswith=name).values_list("id", flat=True)[: limit + 1])
        if len(ids) <= limit:
            return sorted(ids)
    return sorted(people.filter(name__iexact=name).values_list("id", flat=True)[:limit])
