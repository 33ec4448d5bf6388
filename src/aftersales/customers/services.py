"""Writes for customers: one door each, audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, User
from aftersales.accounts.regions import region_for
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed

from .audit_actions import CustomerAudit
from .effects import CUSTOMER_TERMS_CHANGED
from .models import EXTERNAL_CODE_MAX_LENGTH, Address, ConsentRecord, ConsentSource, Customer, CustomerKind, CustomerTier
from .phones import normalize_phone

EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 128
ADDRESS_MAX_LENGTHS = {"province": 32, "city": 32, "district": 32, "detail": 200}


def normalize_email(raw: str, *, field: str = "email") -> str:
    email = (raw or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed({field: [_("Enter a valid email address.")]}, code="email_invalid") from None
    if len(email) > EMAIL_MAX_LENGTH:
        # Django's validator allows 320 characters; the columns hold 254 (RFC 5321's path limit).
        raise ValidationFailed({field: [_("Enter a valid email address.")]}, code="email_invalid")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def normalize_external_code(raw: str, *, field: str = "external_code") -> str:
    """The external code as stored: trimmed, inner whitespace kept; "" for none."""
    code = (raw or "").strip()
    if len(code) > EXTERNAL_CODE_MAX_LENGTH:
        raise ValidationFailed(
            {field: [_("At most %(limit)d characters.") % {"limit": EXTERNAL_CODE_MAX_LENGTH}]}, code="external_code_invalid"
        )
    return code


def external_code_taken_error(field: str = "external_code") -> ValidationFailed:
    return ValidationFailed({field: [_("Another customer already has this external code.")]}, code="external_code_taken")


@transaction.atomic
def customer_create(
    *,
    name: str,
    phone: str = "",
    email: str = "",
    kind: str = CustomerKind.PERSON,
    tier: str = CustomerTier.NORMAL,
    region: Region | None = None,
    province: str = "",
    city: str = "",
    external_code: str = "",
    consent_contact: bool = True,
    consent_marketing: bool = False,
    actor: User | None = None,
    actor_label: str = "",
) -> Customer:
    """Create a customer with a normalised phone and email; at least one way to reach them.

    Without ``region`` the customer is in the region serving ``province``/``city`` (the region
    table, ``accounts.regions``), if any."""
    errors: dict[str, list[object]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter the customer's name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("At most %(limit)d characters.") % {"limit": NAME_MAX_LENGTH}]
    normalized_phone = normalized_email = ""
    if not phone and not email:
        errors["phone"] = [_("Enter a phone number or an email address.")]
    if phone:
        try:
            normalized_phone = normalize_phone(phone)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if email:
        try:
            normalized_email = normalize_email(email)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    code = ""
    try:
        code = normalize_external_code(external_code)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if code and Customer.objects.filter(external_code=code).exists():
        errors.update(external_code_taken_error().errors)
    if errors:
        raise ValidationFailed(errors, code="customer_invalid")
    now = clock.now()
    customer = Customer.objects.create(
        kind=kind,
        name=name,
        external_code=code,
        phone=normalized_phone,
        email=normalized_email,
        tier=tier,
        region=region or region_for(province=province, city=city),
        consent_contact=consent_contact,
        consent_marketing=consent_marketing,
        consent_recorded_at=now,
    )
    ConsentRecord.objects.create(
        customer=customer,
        contact=consent_contact,
        marketing=consent_marketing,
        source=ConsentSource.INTAKE,
        actor=actor,
        recorded_at=now,
    )
    audit_record(action=CustomerAudit.CREATED, obj=customer, actor=actor, actor_label=actor_label)
    return customer


@transaction.atomic
def customer_set_consents(
    *, customer: Customer, contact: bool, marketing: bool, source: str, actor: User | None = None
) -> Customer:
    """Record the customer's consents as they give or withdraw them now (PIPL: kept as a
    history, ``ConsentRecord``). Giving the same answers again records nothing."""
    if source not in ConsentSource.values:
        raise ValidationFailed({"source": [_("Say how the consent was given.")]}, code="consent_source_invalid")
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if (locked.consent_contact, locked.consent_marketing) == (contact, marketing):
        return locked
    before = {"consent_contact": locked.consent_contact, "consent_marketing": locked.consent_marketing}
    now = clock.now()
    Customer.objects.filter(pk=locked.pk).update(consent_contact=contact, consent_marketing=marketing, consent_recorded_at=now)
    locked.consent_contact, locked.consent_marketing, locked.consent_recorded_at = contact, marketing, now
    ConsentRecord.objects.create(
        customer=locked, contact=contact, marketing=marketing, source=source, actor=actor, recorded_at=now
    )
    audit_record(
        action=CustomerAudit.CONSENTS_CHANGED,
        obj=locked,
        actor=actor,
        changes={
            "consent_contact": [before["consent_contact"], contact],
            "consent_marketing": [before["consent_marketing"], marketing],
            "source": source,
        },
    )
    return locked


@transaction.atomic
def customer_set_external_code(*, customer: Customer, code: str, actor: User | None = None) -> Customer:
    """Set (or clear, with "") the customer's code in the company's own systems; another
    customer's code is refused naming the field ``external_code``."""
    code = normalize_external_code(code)
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.external_code == code:
        return locked
    if code and Customer.objects.filter(external_code=code).exclude(pk=locked.pk).exists():
        raise external_code_taken_error()
    before = locked.external_code
    try:
        with transaction.atomic():  # a concurrent claim of the same code hits the unique index
            Customer.objects.filter(pk=locked.pk).update(external_code=code)
    except IntegrityError:
        raise external_code_taken_error() from None
    locked.external_code = customer.external_code = code
    audit_record(action=CustomerAudit.EXTERNAL_CODE_CHANGED, obj=locked, actor=actor, changes={"external_code": [before, code]})
    return locked


@transaction.atomic
def customer_set_tier(*, customer: Customer, tier: str, actor: User | None = None) -> Customer:
    """Change the customer's tier (key 重要 / long-term 长期 / normal). Their open tickets' SLA
    clocks take the targets of the policy for the new tier."""
    if tier not in CustomerTier.values:
        raise ValidationFailed({"tier": [_("Choose a valid tier.")]}, code="customer_tier_invalid")
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.tier == tier:
        return locked
    before = locked.tier
    Customer.objects.filter(pk=locked.pk).update(tier=tier)
    locked.tier = tier
    audit_record(action=CustomerAudit.TIER_CHANGED, obj=locked, actor=actor, changes={"tier": [before, tier]})
    CUSTOMER_TERMS_CHANGED.send(customer_id=locked.pk)
    customer.tier = tier
    return locked


@transaction.atomic
def customer_add_address(
    *, customer: Customer, province: str, city: str, district: str = "", detail: str, actor: User | None = None
) -> Address:
    """Add an address and make it the customer's only default one. A customer without a region
    takes the region serving the address (a region set before is kept)."""
    errors: dict[str, list[object]] = {}
    if not (province or "").strip():
        errors["province"] = [_("Enter the province.")]
    if not (city or "").strip():
        errors["city"] = [_("Enter the city.")]
    if not (detail or "").strip():
        errors["detail"] = [_("Enter the street address.")]
    values = {"province": province, "city": city, "district": district, "detail": detail}
    for name, limit in ADDRESS_MAX_LENGTHS.items():
        if len((values[name] or "").strip()) > limit:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
    if errors:
        raise ValidationFailed(errors, code="address_invalid")
    # Lock the customer so two concurrent additions cannot both leave a default address.
    locked = Customer.objects.select_for_update().filter(pk=customer.pk).first()
    Address.objects.filter(customer=customer, is_default=True).update(is_default=False)
    region = region_for(province=province, city=city) if locked is not None and locked.region_id is None else None
    if region is not None:
        Customer.objects.filter(pk=customer.pk).update(region=region)
        customer.region = region
    address = Address.objects.create(
        customer=customer, province=province.strip(), city=city.strip(), district=(district or "").strip(), detail=detail.strip()
    )
    changes: dict[str, object] = {"address": str(address)}
    if region is not None:
        changes["region"] = [None, region.code]
    audit_record(action=CustomerAudit.ADDRESS_ADDED, obj=customer, actor=actor, changes=changes)
    return address
