"""Writes for customers: one door each, audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed

from .models import Address, Customer, CustomerKind, CustomerTier
from .phones import normalize_phone


def normalize_email(raw: str, *, field: str = "email") -> str:
    email = (raw or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed({field: [_("Enter a valid email address.")]}, code="email_invalid") from None
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


@transaction.atomic
def customer_create(
    *,
    name: str,
    phone: str = "",
    email: str = "",
    kind: str = CustomerKind.PERSON,
    tier: str = CustomerTier.NORMAL,
    region: Region | None = None,
    consent_contact: bool = True,
    consent_marketing: bool = False,
    actor: User | None = None,
    actor_label: str = "",
) -> Customer:
    """Create a customer with a normalised phone and email; at least one way to reach them."""
    errors: dict[str, list[object]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter the customer's name.")]
    if not phone and not email:
        errors["phone"] = [_("Enter a phone number or an email address.")]
    if errors:
        raise ValidationFailed(errors, code="customer_invalid")
    customer = Customer.objects.create(
        kind=kind,
        name=name[:128],
        phone=normalize_phone(phone) if phone else "",
        email=normalize_email(email),
        tier=tier,
        region=region,
        consent_contact=consent_contact,
        consent_marketing=consent_marketing,
        consent_recorded_at=clock.now(),
    )
    audit_record(action="customer.created", obj=customer, actor=actor, actor_label=actor_label)
    return customer


@transaction.atomic
def customer_add_address(
    *, customer: Customer, province: str, city: str, district: str = "", detail: str, actor: User | None = None
) -> Address:
    errors: dict[str, list[object]] = {}
    if not (province or "").strip():
        errors["province"] = [_("Enter the province.")]
    if not (city or "").strip():
        errors["city"] = [_("Enter the city.")]
    if not (detail or "").strip():
        errors["detail"] = [_("Enter the street address.")]
    if errors:
        raise ValidationFailed(errors, code="address_invalid")
    Address.objects.filter(customer=customer, is_default=True).update(is_default=False)
    address = Address.objects.create(
        customer=customer, province=province.strip(), city=city.strip(), district=(district or "").strip(), detail=detail.strip()
    )
    audit_record(action="customer.address_added", obj=customer, actor=actor, changes={"address": str(address)})
    return address
