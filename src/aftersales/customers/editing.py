"""The staff's changes to a customer (the customer pages, ``POST``/``PATCH /api/v1/customers``):
registering one, editing the customer's own fields and their addresses. One door each, in one
transaction, audited; each takes the version the editor read (``expected_version``) and refuses
a stale one naming who changed the customer last (``services.lock_customer``).

Who may do what: ``customers.permissions``. The tier, the consents and the external code go
through their own services (``customer_set_tier`` — the open tickets' SLA targets follow —,
``customer_set_consents`` — a ``ConsentRecord`` of the statement —, ``customer_set_external_code``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.accounts.regions import region_for
from aftersales.audit.services import audit_record
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed

from .audit_actions import CustomerAudit
from .effects import CUSTOMER_CONTACT_CHANGED
from .models import Address, ConsentSource, Customer, CustomerKind, CustomerTier
from .permissions import can_edit_customers, can_set_tier
from .phones import normalize_phone
from .services import (
    NAME_MAX_LENGTH,
    bump,
    clean_address,
    customer_add_address,
    customer_create,
    customer_set_consents,
    customer_set_external_code,
    customer_set_tier,
    external_code_taken_error,
    language_code,
    lock_customer,
    normalize_email,
    normalize_external_code,
    notes_text,
    portal_account_language_follows,
)

Errors = dict[str, list[object]]


def _require_editor(actor: User) -> None:
    if not can_edit_customers(actor):
        raise PermissionDenied(_("Your role cannot change customers."), code="customer_edit_forbidden")


def _require_tier_setter(actor: User) -> None:
    if not can_set_tier(actor):
        raise PermissionDenied(
            _("Only supervisors and administrators change a customer's tier."), code="customer_tier_forbidden", field="tier"
        )


def phone_taken_error(field: str = "phone") -> ValidationFailed:
    return ValidationFailed({field: [_("Another customer already has this phone number.")]}, code="phone_taken")


def _phone_taken(phone: str, *, other_than: int | None = None) -> bool:
    """Another customer's own phone (the intake finds a caller by it: two customers with one
    number would make it pick one of them)."""
    qs = Customer.objects.filter(phone=phone)
    if other_than is not None:
        qs = qs.exclude(pk=other_than)
    return qs.exists()


def _clean_name(raw: str, errors: Errors) -> str:
    name = (raw or "").strip()
    if not name:
        errors["name"] = [_("Enter the customer's name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [_("At most %(limit)d characters.") % {"limit": NAME_MAX_LENGTH}]
    return name


def _collect(errors: Errors, check: Callable[[str], str], raw: str) -> str:
    """``check(raw)``, its refusal added to ``errors`` (and "" returned)."""
    try:
        return str(check(raw))
    except ValidationFailed as exc:
        errors.update(exc.errors)
        return ""


def _clean_phone(raw: str) -> str:
    text = (raw or "").strip()
    return normalize_phone(text) if text else ""


@transaction.atomic
def customer_register(
    *,
    actor: User,
    name: str,
    phone: str = "",
    email: str = "",
    kind: str = CustomerKind.PERSON,
    tier: str = CustomerTier.NORMAL,
    external_code: str = "",
    language: str = "",
    notes: str = "",
    consent_contact: bool = True,
    consent_marketing: bool = False,
    province: str = "",
    city: str = "",
    district: str = "",
    detail: str = "",
    postal_code: str = "",
) -> Customer:
    """Register a customer from the customer list (or ``POST /api/v1/customers``): the checks of
    ``customer_create``, and a phone another customer has is refused; an address (province,
    city, street) is optional and becomes the default one. The customer's region: the one serving
    the address, else the actor's region."""
    _require_editor(actor)
    if tier != CustomerTier.NORMAL:
        _require_tier_setter(actor)
    errors: Errors = {}
    if kind not in CustomerKind.values:
        errors["kind"] = [_("Choose a valid kind.")]
    if tier not in CustomerTier.values:
        errors["tier"] = [_("Choose a valid tier.")]
    normalized = _collect(errors, _clean_phone, phone)
    if normalized and _phone_taken(normalized):
        errors.update(phone_taken_error().errors)
    address = None
    if any((province or "").strip() or (x or "").strip() for x in (city, district, detail, postal_code)):
        try:
            address = clean_address(province=province, city=city, district=district, detail=detail, postal_code=postal_code)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    try:
        customer = customer_create(
            name=name,
            phone=phone,
            email=email,
            kind=kind if kind in CustomerKind.values else CustomerKind.PERSON,
            tier=tier if tier in CustomerTier.values else CustomerTier.NORMAL,
            region=(region_for(province=address["province"], city=address["city"]) if address else None) or actor.region,
            external_code=external_code,
            consent_contact=consent_contact,
            consent_marketing=consent_marketing,
            language=language,
            notes=notes,
            actor=actor,
        )
    except ValidationFailed as exc:
        raise ValidationFailed({**exc.errors, **errors}, code=exc.code) from None
    if errors:
        raise ValidationFailed(errors, code="customer_invalid")  # rolls the customer back
    if address is not None:
        customer_add_address(customer=customer, actor=actor, **address)
    return Customer.objects.get(pk=customer.pk)


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    actor: User,
    expected_version: int | None = None,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    kind: str | None = None,
    language: str | None = None,
    notes: str | None = None,
    external_code: str | None = None,
    tier: str | None = None,
    consent_contact: bool | None = None,
    consent_marketing: bool | None = None,
) -> Customer:
    """Change what is given (``None``: left as it is; "" clears the phone, the email, the notes
    or the code — a customer keeps a phone or an email). Refused, each message on its field: an
    empty or too long name, a phone that is not one or is another customer's, an invalid email,
    another customer's external code, a tier by a role that may not set it. Nothing changed:
    nothing written, the version unchanged."""
    _require_editor(actor)
    locked = lock_customer(customer, expected_version=expected_version)
    if tier is not None and tier != locked.tier:
        _require_tier_setter(actor)
    errors: Errors = {}
    fields: dict[str, str] = {}
    if name is not None:
        fields["name"] = _clean_name(name, errors)
    if phone is not None:
        fields["phone"] = _collect(errors, _clean_phone, phone)
        if fields["phone"] and fields["phone"] != locked.phone and _phone_taken(fields["phone"], other_than=locked.pk):
            errors.update(phone_taken_error().errors)
    if email is not None:
        fields["email"] = _collect(errors, normalize_email, email)
    if kind is not None:
        fields["kind"] = kind
        if kind not in CustomerKind.values:
            errors["kind"] = [_("Choose a valid kind.")]
    if language is not None:
        fields["language"] = _collect(errors, language_code, language)
    if notes is not None:
        fields["notes"] = _collect(errors, notes_text, notes)
    code = None
    if external_code is not None:
        code = _collect(errors, normalize_external_code, external_code)
        if code and code != locked.external_code and Customer.objects.filter(external_code=code).exclude(pk=locked.pk).exists():
            errors.update(external_code_taken_error().errors)
    if tier is not None and tier not in CustomerTier.values:
        errors["tier"] = [_("Choose a valid tier.")]
    if not errors and not fields.get("phone", locked.phone) and not fields.get("email", locked.email):
        errors["phone"] = [_("Enter a phone number or an email address.")]
    if errors:
        raise ValidationFailed(errors, code="customer_invalid")
    changed = {k: v for k, v in fields.items() if getattr(locked, k) != v}
    if changed:
        if "language" in changed:  # the portal account's language too, audited with the editor
            portal_account_language_follows(customer_id=locked.pk, language=changed["language"], actor=actor)
        bump(locked.pk, **changed)
        audit_record(
            action=CustomerAudit.UPDATED,
            obj=locked,
            actor=actor,
            # The notes are free text (kept out of the log: the erasure redacts identifiers only).
            changes={k: "changed" if k == "notes" else [getattr(locked, k), v] for k, v in changed.items()},
        )
        for key, value in changed.items():
            setattr(locked, key, value)
        CUSTOMER_CONTACT_CHANGED.send(customer_id=locked.pk, fields=list(changed))
    if code is not None and code != locked.external_code:
        customer_set_external_code(customer=locked, code=code, actor=actor)  # a racing claim: the same refusal
    if consent_contact is not None or consent_marketing is not None:
        customer_set_consents(
            customer=locked,
            contact=locked.consent_contact if consent_contact is None else consent_contact,
            marketing=locked.consent_marketing if consent_marketing is None else consent_marketing,
            source=ConsentSource.STAFF,
            actor=actor,
        )
    if tier is not None and tier != locked.tier:
        customer_set_tier(customer=locked, tier=tier, actor=actor)
    return Customer.objects.select_related("region").get(pk=locked.pk)


def _address_of(customer: Customer, address_id: int) -> Address:
    address = Address.objects.filter(pk=address_id, customer=customer).first()
    if address is None:
        raise NotFound(_("This address no longer exists."), code="address_not_found")
    return address


@transaction.atomic
def customer_update_address(
    *,
    address: Address,
    actor: User,
    province: str,
    city: str,
    detail: str,
    district: str = "",
    postal_code: str = "",
    is_default: bool = False,
    expected_version: int | None = None,
) -> Address:
    """Change an address; ``is_default`` makes it the customer's one default address (the
    default stays the default until another is made so)."""
    _require_editor(actor)
    values = clean_address(province=province, city=city, district=district, detail=detail, postal_code=postal_code)
    locked = lock_customer(address.customer, expected_version=expected_version)
    current = _address_of(locked, address.pk)
    changes: dict[str, object] = {k: [getattr(current, k), v] for k, v in values.items() if getattr(current, k) != v}
    if is_default and not current.is_default:
        Address.objects.filter(customer=locked, is_default=True).update(is_default=False)
        values["is_default"] = True  # type: ignore[assignment]
        changes["is_default"] = [False, True]
    if not changes:
        return current
    Address.objects.filter(pk=current.pk).update(**values)
    bump(locked.pk)
    audit_record(action=CustomerAudit.ADDRESS_CHANGED, obj=locked, actor=actor, changes={"address_id": current.pk, **changes})
    CUSTOMER_CONTACT_CHANGED.send(customer_id=locked.pk, fields=["addresses"])
    current.refresh_from_db()
    return current


@transaction.atomic
def customer_remove_address(*, address: Address, actor: User, expected_version: int | None = None) -> None:
    """Remove an address; when it was the default, the newest address left becomes the default."""
    _require_editor(actor)
    locked = lock_customer(address.customer, expected_version=expected_version)
    current = _address_of(locked, address.pk)
    text = str(current)
    current.delete()
    if current.is_default:
        newest = Address.objects.filter(customer=locked).order_by("-id").first()
        if newest is not None:
            Address.objects.filter(pk=newest.pk).update(is_default=True)
    bump(locked.pk)
    audit_record(action=CustomerAudit.ADDRESS_REMOVED, obj=locked, actor=actor, changes={"address": text})
    CUSTOMER_CONTACT_CHANGED.send(customer_id=locked.pk, fields=["addresses"])
