"""Writes for customers: one door each, audited. Every change raises ``Customer.version``
(``bump``), the optimistic lock of the staff's edit pages and of the API's ``If-Match``; the
staff's edits (the customer's fields, addresses, registering a customer) are in ``editing``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, User
from aftersales.accounts.regions import region_for
from aftersales.audit.models import AuditEvent
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.i18n import actor_text

from .audit_actions import CustomerAudit
from .effects import CUSTOMER_CONTACT_CHANGED, CUSTOMER_TERMS_CHANGED
from .models import EXTERNAL_CODE_MAX_LENGTH, Address, ConsentRecord, ConsentSource, Customer, CustomerKind, CustomerTier
from .permissions import can_edit_customers
from .phones import normalize_phone

EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 128
NOTES_MAX_LENGTH = 4000
ADDRESS_MAX_LENGTHS = {"province": 32, "city": 32, "district": 32, "detail": 200, "postal_code": 12}


def bump(customer_id: int, **fields: object) -> int:
    """Write ``fields`` on the (locked) customer and raise its version: the one write of every
    change, so a page or client that read the version before is refused (``editing``). A new
    ``language`` is their portal account's too (``portal_account_language_follows``: a service
    that knows who changes it calls that first, so its audit row names them). A new ``email``
    takes off the mark of a bouncing address (``customer_email_bounced``), audited."""
    bounced = None
    if "email" in fields and "email_bounced_at" not in fields:
        bounced = Customer.objects.filter(pk=customer_id, email_bounced_at__isnull=False).only("pk", "name").first()
        if bounced is not None:
            fields = {**fields, "email_bounced_at": None, "email_bounce_reason": ""}
    Customer.objects.filter(pk=customer_id).update(version=F("version") + 1, updated_at=clock.now(), **fields)
    if bounced is not None:
        audit_record(action=CustomerAudit.EMAIL_BOUNCE_CLEARED, obj=bounced, changes={"cause": "email_changed"})
    if "language" in fields:
        portal_account_language_follows(customer_id=customer_id, language=str(fields["language"]))
    return int(Customer.objects.filter(pk=customer_id).values_list("version", flat=True).get())


def portal_account_language_follows(*, customer_id: int, language: str, actor: User | None = None) -> bool:
    """The customer's language is kept in one place: their portal account's ``User.language``
    (the pages after sign-in, the account's messages) takes the record's ``Customer.language``.
    Audited on the customer (``portal_account_language``); returns whether it changed."""
    customer = Customer.objects.filter(pk=customer_id, user__isnull=False).select_related("user").first()
    if customer is None or customer.user is None or customer.user.language == language:
        return False
    before = customer.user.language
    User.objects.filter(pk=customer.user.pk).update(language=language)
    audit_record(
        action=CustomerAudit.UPDATED,
        obj=customer,
        actor=actor,
        changes={"portal_account_language": [before, language], "user_id": customer.user.pk},
    )
    return True


@transaction.atomic
def customer_language_from_account(*, user: User, language: str) -> bool:
    """The customer chose a language for their own account (the language switch, a choice at
    sign-in): their record's ``Customer.language`` takes it, with the version raised, audited
    with the customer as the actor. An unknown language or a user without a record changes
    nothing; returns whether the record changed."""
    if not user.pk or language not in dict(settings.LANGUAGES):
        return False
    locked = Customer.objects.select_for_update().filter(user_id=user.pk).first()
    if locked is None or locked.language == language:
        return False
    before = locked.language
    portal_account_language_follows(customer_id=locked.pk, language=language, actor=user)
    bump(locked.pk, language=language)
    audit_record(
        action=CustomerAudit.UPDATED,
        obj=locked,
        actor=user,
        changes={"language": [before, language], "source": "portal_account"},
    )
    return True


def language_code(raw: str, *, field: str = "language") -> str:
    """One of ``settings.LANGUAGES`` (``zh-hans``, ``en``); "" for the default (Chinese)."""
    code = (raw or "").strip().lower()
    if not code:
        return "zh-hans"
    if code not in dict(settings.LANGUAGES):
        raise ValidationFailed({field: [_("Choose a language of the list.")]}, code="language_invalid")
    return code


def notes_text(raw: str, *, field: str = "notes") -> str:
    text = (raw or "").strip()
    if len(text) > NOTES_MAX_LENGTH:
        raise ValidationFailed({field: [_("At most %(limit)d characters.") % {"limit": NOTES_MAX_LENGTH}]}, code="notes_too_long")
    return text


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
    language: str = "",
    notes: str = "",
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
    for check, value in ((language_code, language), (notes_text, notes)):
        try:
            check(value)
        except ValidationFailed as exc:
            errors.update(exc.errors)
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
        language=language_code(language),
        notes=notes_text(notes),
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
    locked.version = bump(locked.pk, consent_contact=contact, consent_marketing=marketing, consent_recorded_at=now)
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
            locked.version = bump(locked.pk, external_code=code)
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
    locked.version = bump(locked.pk, tier=tier)
    locked.tier = tier
    audit_record(action=CustomerAudit.TIER_CHANGED, obj=locked, actor=actor, changes={"tier": [before, tier]})
    CUSTOMER_TERMS_CHANGED.send(customer_id=locked.pk)
    customer.tier = tier
    return locked


def clean_address(*, province: str, city: str, district: str = "", detail: str, postal_code: str = "") -> dict[str, str]:
    """An address's fields trimmed, or ``ValidationFailed`` naming each field that is missing or
    too long (province, city and street address are required)."""
    values = {
        "province": (province or "").strip(),
        "city": (city or "").strip(),
        "district": (district or "").strip(),
        "detail": (detail or "").strip(),
        "postal_code": (postal_code or "").strip(),
    }
    errors: dict[str, list[object]] = {}
    if not values["province"]:
        errors["province"] = [_("Enter the province.")]
    if not values["city"]:
        errors["city"] = [_("Enter the city.")]
    if not values["detail"]:
        errors["detail"] = [_("Enter the street address.")]
    for name, limit in ADDRESS_MAX_LENGTHS.items():
        if len(values[name]) > limit:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
    if errors:
        raise ValidationFailed(errors, code="address_invalid")
    return values


def lock_customer(customer: Customer, *, expected_version: int | None = None) -> Customer:
    """The customer's row, locked; ``Conflict`` when ``expected_version`` (the version the page
    or the client read) is not the current one — naming who changed the customer last and when —
    and a refusal for a customer whose personal data was erased."""
    locked = Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if locked is None:
        raise NotFound(_("No such customer."), code="customer_not_found")
    if expected_version is not None and locked.version != expected_version:
        raise stale_customer_conflict(locked)
    if locked.erased_at is not None:
        raise DomainError(_("This customer's personal data was erased: there is nothing left to change."), code="customer_erased")
    return locked


# The audit actions that change a customer (a view of the data changes nothing).
CHANGE_ACTIONS = [str(a) for a in CustomerAudit if a != CustomerAudit.PERSONAL_DATA_VIEWED]


def stale_customer_conflict(customer: Customer) -> Conflict:
    """ "Changed by 王芳 at 2026-12-07 14:05; reload": the last change in the audit log."""
    last = (
        AuditEvent.objects.filter(object_type=Customer._meta.label_lower, object_id=str(customer.pk), action__in=CHANGE_ACTIONS)
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None:
        return Conflict(
            _("This customer was changed by someone else meanwhile; reload the page and try again."),
            code="stale_version",
            field="version",
        )
    when = timezone.localtime(last.created_at, timezone.get_default_timezone())
    return Conflict(
        _("This customer was changed by %(name)s at %(time)s; reload the page and try again.")
        % {"name": actor_text(last.actor_label), "time": when.strftime("%Y-%m-%d %H:%M")},
        code="stale_version",
        field="version",
    )


@transaction.atomic
def customer_add_address(
    *,
    customer: Customer,
    province: str,
    city: str,
    district: str = "",
    detail: str,
    postal_code: str = "",
    is_default: bool = True,
    actor: User | None = None,
    expected_version: int | None = None,
) -> Address:
    """Add an address; by default it becomes the customer's only default one (the first address
    is the default whatever ``is_default`` says). A customer without a region takes the region
    serving the address (a region set before is kept)."""
    values = clean_address(province=province, city=city, district=district, detail=detail, postal_code=postal_code)
    # Lock the customer so two concurrent additions cannot both leave a default address.
    locked = lock_customer(customer, expected_version=expected_version)
    has_default = Address.objects.filter(customer=locked, is_default=True).exists()
    make_default = is_default or not has_default
    if make_default and has_default:
        Address.objects.filter(customer=locked, is_default=True).update(is_default=False)
    region = region_for(province=values["province"], city=values["city"]) if locked.region_id is None else None
    customer.version = bump(locked.pk, **({"region": region} if region is not None else {}))
    if region is not None:
        customer.region = region
    address = Address.objects.create(customer=locked, is_default=make_default, **values)
    changes: dict[str, object] = {"address": str(address)}
    if region is not None:
        changes["region"] = [None, region.code]
    audit_record(action=CustomerAudit.ADDRESS_ADDED, obj=locked, actor=actor, changes=changes)
    CUSTOMER_CONTACT_CHANGED.send(customer_id=locked.pk, fields=["addresses"])
    return address


# --- A bouncing e-mail address (docs/customers.md, "E-mail bounced") -----------------------------

BOUNCE_REASON_MAX_LENGTH = 255
# The staff customer page's form action of "Mark as working" (``customer_email_mark_working``).
MARK_WORKING_ACTION = "email_working"


@transaction.atomic
def customer_email_bounced(*, customer_id: int, address: str, reason: str, at: dt.datetime | None = None) -> bool:
    """A message to the customer's **own** e-mail address bounced for good (the e-mail intake read
    the bounce): the address is marked bouncing (``email_bounced_at``, the receiving server's
    ``reason``), audited with the system as the actor; customer notifications skip the address
    until it changes (``bump``) or staff mark it working. The version and ``updated_at`` stay as
    they are: a bounce is news about the address, no edit of the customer's data, so an agent
    saving the customer's form opened before it is not refused as stale (``lock_customer``).
    Nothing changes for another address (a ticket's contact address), an erased customer, or an
    address already marked (the first bounce's date stays). Returns whether the address was marked."""
    key = (address or "").strip().lower()
    locked = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if locked is None or locked.erased_at is not None or not key or locked.email.strip().lower() != key:
        return False
    if locked.email_bounced_at is not None:
        return False
    when = at or clock.now()
    text = " ".join((reason or "").split())[:BOUNCE_REASON_MAX_LENGTH]
    Customer.objects.filter(pk=locked.pk).update(email_bounced_at=when, email_bounce_reason=text)
    locked.email_bounced_at, locked.email_bounce_reason = when, text
    audit_record(
        action=CustomerAudit.EMAIL_BOUNCED,
        obj=locked,
        changes={"email_bounced_at": [None, when.isoformat()], "email_bounce_reason": text},
    )
    return True


@transaction.atomic
def customer_email_mark_working(*, customer: Customer, actor: User, expected_version: int | None = None) -> Customer:
    """Staff checked the address with the customer ("Mark as working"): the bouncing mark is taken
    off, audited with who did it, and customer e-mails go to it again. The roles that change
    customers (``permissions.can_edit_customers``); an address not marked changes nothing."""
    if not can_edit_customers(actor):
        raise PermissionDenied(_("Your role cannot change customers."), code="customer_edit_forbidden")
    locked = lock_customer(customer, expected_version=expected_version)
    if locked.email_bounced_at is None:
        return locked
    before = locked.email_bounced_at
    locked.version = bump(locked.pk, email_bounced_at=None, email_bounce_reason="")
    locked.email_bounced_at, locked.email_bounce_reason = None, ""
    audit_record(
        action=CustomerAudit.EMAIL_BOUNCE_CLEARED,
        obj=locked,
        actor=actor,
        changes={"cause": "marked_working", "email_bounced_at": [before.isoformat(), None]},
    )
    return locked


def email_bouncing(customer: Customer, address: str) -> bool:
    """Whether ``address`` is the customer's own e-mail address and it is marked bouncing."""
    key = (address or "").strip().lower()
    return bool(key) and customer.email_bounced_at is not None and customer.email.strip().lower() == key
