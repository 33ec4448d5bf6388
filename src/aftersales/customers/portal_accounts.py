"""Portal accounts for customers (docs/portal.md, "Getting an account"): the account a customer
makes with their phone, and the invitation a member of staff sends them.

* **Sign-up** (``portal_signup``): the phone was proven by a sign-up code
  (``accounts.login_code``: the proof is spent here, once). A customer with that phone and no
  account gets the new account linked to their record — the code proves the phone; but a record
  with a history, or one whose number may have been given to somebody else since, is linked only
  after the second proof (``customers.phone_reuse``: one detail of the record); who cannot give
  it gets a new customer and the record is flagged for staff. One with an account is refused
  (``PortalAccountExists``: "sign in"); otherwise a customer is created (a person, registered
  through the web channel, in the language of the page).
* **Invitation** (``portal_invite``): agents, supervisors and administrators invite a customer
  with a phone, no account and consent to service contact; an SMS (and an e-mail when they have
  an address) carries a signed link, valid ``PORTAL_INVITE_MAX_AGE_DAYS`` (7), where they set a
  password (``portal_invite_accept``). The link dies when it is used: it names the customer and
  their phone, and works only while the customer has no account and still has that phone.

Both record the customer's consent to the privacy notice (a ``ConsentRecord`` given on the portal
by the account's owner: service contact yes, offers and news as they chose) and an audit row:
``customer.portal_account_created`` (a new customer and account), ``customer.portal_account_linked``
(an account for a customer we knew), ``customer.portal_invited``. ``customers`` sits above
``accounts``: the account (a ``User`` with the role customer) is made here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.login_code import signup_proof_spend
from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import actor_code
from aftersales.core.throttle import throttle_hit

from .audit_actions import CustomerAudit
from .effects import PORTAL_INVITE_ISSUED
from .models import ConsentRecord, ConsentSource, Customer, CustomerKind, PhoneCheckOutcome
from .phone_reuse import phone_check_decision, phone_check_required, phone_reuse_flag_raise, second_proof_customers
from .services import bump, customer_create, language_code, lock_customer

# The outbox template of the invitation (SMS and e-mail; ``notifications.redaction`` masks its link).
PORTAL_INVITE_TEMPLATE = "portal_invitation"

# The privacy notice the sign-up pages show (portal/templates/portal/privacy_notice.html): the
# version the customer agreed to is kept in the audit row.
PRIVACY_NOTICE_VERSION = "2026-12-07"
INVITE_SALT = "aftersales.customers.portal_invite"
INVITE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR})
DISPLAY_NAME_MAX_LENGTH = 64
WEB_CHANNEL = actor_code("channel", "web")


def invite_max_age_days() -> int:
    return max(1, int(getattr(settings, "PORTAL_INVITE_MAX_AGE_DAYS", 7)))


def invites_per_day() -> int:
    return int(getattr(settings, "PORTAL_INVITES_PER_DAY", 3))


class PortalAccountExists(DomainError):
    code = "portal_account_exists"
    status = 409


class InvitationInvalid(DomainError):
    """The link is malformed, expired, used, or its customer changed (erased, another phone)."""

    code = "invitation_invalid"
    status = 410


@dataclass(frozen=True)
class SignUp:
    user: User
    customer: Customer
    linked: bool  # the customer was known before (their phone); False: created now


# --- The account ---------------------------------------------------------------------------------


def _username_for(phone: str) -> str:
    """The user name the customer may sign in with: their mobile number as they type it
    (``13812345678`` for a Chinese number, E.164 for another country's); a random one when a
    user already has that name (the customer signs in by SMS code, or with the number of their
    account that the welcome message names)."""
    try:
        number = phonenumbers.parse(phone, settings.PHONENUMBER_DEFAULT_REGION)
        cn = number.country_code == phonenumbers.country_code_for_region(settings.PHONENUMBER_DEFAULT_REGION)
        wanted = str(number.national_number) if cn else phone
    except phonenumbers.NumberParseException:
        wanted = phone
    name = wanted
    while User.objects.filter(username__iexact=name).exists():
        name = f"c{secrets.token_hex(4)}"
    return name


def _new_account(*, name: str, phone: str, email: str, password: str, language: str) -> User:
    """A customer's account with ``password`` (Django's validators; ``ValidationFailed`` on
    ``password``)."""
    user = User(
        username=_username_for(phone),
        display_name=name[:DISPLAY_NAME_MAX_LENGTH],
        role=Role.CUSTOMER,
        data_scope=DataScope.OWN,
        phone=phone,
        email=email,
        language=language,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed({"password": list(exc.messages)}, code="password_invalid") from None
    user.set_password(password)
    user.save()
    return user


def _link(*, customer: Customer, user: User, via: str, new_customer: bool, marketing: bool) -> None:
    """Link ``user`` to the (locked) customer and record their consent to the privacy notice."""
    before = {"consent_contact": customer.consent_contact, "consent_marketing": customer.consent_marketing}
    now = clock.now()
    customer.version = bump(customer.pk, user=user, consent_contact=True, consent_marketing=marketing, consent_recorded_at=now)
    customer.user, customer.consent_contact, customer.consent_marketing = user, True, marketing
    if new_customer:
        # ``customer_create`` recorded the consents of this page as given "when the customer was
        # registered": they were given here, on the portal, by the account's owner.
        ConsentRecord.objects.filter(customer=customer).update(source=ConsentSource.PORTAL, actor=user)
    else:
        ConsentRecord.objects.create(
            customer=customer, contact=True, marketing=marketing, source=ConsentSource.PORTAL, actor=user, recorded_at=now
        )
    changes: dict[str, Any] = {"via": via, "user": user.username, "privacy_notice": PRIVACY_NOTICE_VERSION}
    if not new_customer:
        changes["consent_contact"] = [before["consent_contact"], True]
        changes["consent_marketing"] = [before["consent_marketing"], marketing]
    action = CustomerAudit.PORTAL_ACCOUNT_CREATED if new_customer else CustomerAudit.PORTAL_ACCOUNT_LINKED
    audit_record(action=action, obj=customer, actor=user, changes=changes)


def _clean_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise ValidationFailed({"name": [_("Enter your name.")]}, code="name_required")
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        raise ValidationFailed(
            {"name": [_("At most %(limit)d characters.") % {"limit": DISPLAY_NAME_MAX_LENGTH}]}, code="name_too_long"
        )
    return name


# --- Sign-up -------------------------------------------------------------------------------------

NEW, LINK, EXISTS, CHECK = "new", "link", "exists", "check"


def portal_signup_state(*, phone: str, proof_id: int | None = None) -> str:
    """What a sign-up with the proven ``phone`` (the verified code ``proof_id``) does: ``EXISTS``
    (a customer with that phone has an account: sign in), ``CHECK`` (a record owes the second
    proof first, ``customers.phone_reuse``), ``LINK`` (a customer has it and no account; the
    second proof passed or none was owed) or ``NEW`` (nobody has it, or the second proof failed
    or was declined). Ask only for a phone whose owner proved it: the answer tells whether an
    account exists."""
    known = Customer.objects.filter(phone=phone, erased_at__isnull=True)
    if known.filter(user__isnull=False).exists():
        return EXISTS
    if not known.exists():
        return NEW
    if second_proof_customers(phone=phone):
        outcome = phone_check_decision(proof_id=proof_id, phone=phone)[0]
        if outcome == PhoneCheckOutcome.OPEN:
            return CHECK
        return LINK if outcome == PhoneCheckOutcome.PASSED else NEW
    return LINK


def _exists_error() -> PortalAccountExists:
    return PortalAccountExists(_("You already have an account. Sign in with it."), code="portal_account_exists")


def _customer_for(*, proof_id: int | None, phone: str, known: list[Customer]) -> tuple[Customer | None, list[Customer], str]:
    """Which of the (locked) records ``known`` of ``phone`` the sign-up links: the oldest when
    none owes the second proof, the one it confirmed, or none (a new customer) — with the records
    to flag and the outcome. ``ValidationFailed`` (``history_check_required``) while it is owed
    and not answered."""
    owed = second_proof_customers(phone=phone, customers=known)
    if not owed:
        return (known[0] if known else None), [], ""
    outcome, confirmed = phone_check_decision(proof_id=proof_id, phone=phone)
    if outcome == PhoneCheckOutcome.OPEN:
        raise phone_check_required()
    if outcome == PhoneCheckOutcome.PASSED:
        # The record it confirmed, while it still has the number and no account.
        return next((c for c in known if c.pk == confirmed), None), [], outcome
    return None, owed, outcome


@transaction.atomic
def portal_signup(
    *,
    proof_id: int | None,
    phone: str,
    name: str,
    password: str,
    marketing: bool,
    language: str,
    channel: str = "web",
) -> SignUp:
    """The account of the owner of ``phone`` (E.164), proven by the verified sign-up code
    ``proof_id`` (spent here). Linked to the oldest customer with that phone when they have no
    account (``linked``) — to the record the second proof confirmed when a record owes one
    (``customers.phone_reuse``; ``ValidationFailed`` ``history_check_required`` before it is
    answered); refused (``PortalAccountExists``) when one of them has one; else with a new
    customer (a person, through the web channel, in ``language``), and the records the new holder
    did not confirm are flagged. The consents of the page are recorded and the account audited,
    all in one transaction (``channel``: ``web`` or ``app``, the flags' audit rows)."""
    errors: dict[str, list[Any]] = {}
    try:
        name = _clean_name(name)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        language = language_code(language)
    except ValidationFailed:
        language = language_code("")
    if errors:
        raise ValidationFailed(errors, code="signup_invalid")
    signup_proof_spend(code_id=proof_id, phone=phone)  # locks the phone's codes: one sign-up at a time
    known = list(Customer.objects.select_for_update().filter(phone=phone, erased_at__isnull=True).order_by("pk"))
    if any(c.user_id is not None for c in known):
        raise _exists_error()
    linked, unconfirmed, outcome = _customer_for(proof_id=proof_id, phone=phone, known=known)
    if linked is not None:
        customer, new_customer = linked, False
    else:
        customer, new_customer = (
            customer_create(
                name=name,
                phone=phone,
                kind=CustomerKind.PERSON,
                consent_contact=True,
                consent_marketing=marketing,
                language=language,
                actor_label=WEB_CHANNEL,
            ),
            True,
        )
        if unconfirmed:
            phone_reuse_flag_raise(customers=unconfirmed, new_customer=customer, outcome=outcome, channel=channel)
    user = _new_account(name=name, phone=phone, email=customer.email, password=password, language=customer.language)
    _link(customer=customer, user=user, via="sign_up", new_customer=new_customer, marketing=marketing)
    return SignUp(user=user, customer=customer, linked=not new_customer)


# --- Invitation ----------------------------------------------------------------------------------


def can_invite_to_portal(user: User | None) -> bool:
    """Agents, supervisors, administrators and superusers (active staff)."""
    if user is None or not user.is_authenticated or not user.is_active or user.is_customer:
        return False
    return bool(user.is_superuser or user.role in INVITE_ROLES)


def portal_invite_blocker(customer: Customer) -> Any:
    """Why ``customer`` cannot be invited (a message), or None."""
    if customer.erased_at is not None:
        return _("This customer's personal data was erased.")
    if customer.user_id is not None:
        return _("This customer already has a portal account.")
    if not customer.phone:
        return _("The customer has no phone number: add one first.")
    if not customer.consent_contact:
        return _("The customer does not consent to service contact: no invitation can be sent.")
    return None


def portal_invite_token(customer: Customer) -> str:
    """The signed token of the invitation's link: the customer and their phone, timestamped."""
    return signing.dumps({"c": customer.pk, "p": customer.phone}, salt=INVITE_SALT, compress=True)


def _invalid() -> InvitationInvalid:
    return InvitationInvalid(
        _("This invitation link is no longer valid: it was used already, it expired or it is incomplete."),
        code="invitation_invalid",
    )


def _invited(token: str, *, lock: bool) -> Customer:
    try:
        payload = signing.loads(token, salt=INVITE_SALT, max_age=invite_max_age_days() * 86400)
        customer_id, phone = int(payload["c"]), str(payload["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise _invalid() from None
    rows = Customer.objects.select_for_update() if lock else Customer.objects.all()
    customer = rows.filter(pk=customer_id).first()
    if customer is None or customer.erased_at is not None or customer.user_id is not None or customer.phone != phone:
        raise _invalid()
    return customer


def portal_invite_customer(*, token: str) -> Customer:
    """The customer a valid, unused invitation names; ``InvitationInvalid`` for anything else."""
    return _invited(token, lock=False)


@transaction.atomic
def portal_invite(*, customer: Customer, actor: User) -> Customer:
    """Send ``customer`` an invitation to the portal by SMS (and e-mail when they have an
    address), audited. Refused: a role that may not (``PermissionDenied``), an erased customer,
    one with an account, without a phone or without consent to service contact, and more than
    ``PORTAL_INVITES_PER_DAY`` (3) invitations of one customer a day."""
    if not can_invite_to_portal(actor):
        raise PermissionDenied(_("Your role cannot invite customers to the portal."), code="portal_invite_forbidden")
    locked = lock_customer(customer)
    blocker = portal_invite_blocker(locked)
    if blocker is not None:
        raise DomainError(blocker, code="portal_invite_refused")
    if not throttle_hit(key=f"portalinvite:customer:{locked.pk}", limit=invites_per_day(), window_seconds=86400).allowed:
        raise DomainError(
            _("This customer was invited several times today already. Try again tomorrow."), code="portal_invite_throttled"
        )
    days = invite_max_age_days()
    audit_record(
        action=CustomerAudit.PORTAL_INVITED,
        obj=locked,
        actor=actor,
        changes={"sms": True, "email": bool(locked.email), "valid_days": days},
    )
    PORTAL_INVITE_ISSUED.send(customer=locked, token=portal_invite_token(locked), language=locked.language, days=days)
    return locked


@transaction.atomic
def portal_invite_accept(*, token: str, password: str, marketing: bool) -> User:
    """The account of the invited customer, with ``password``, linked to their record; the link
    is dead afterwards. ``InvitationInvalid`` for a bad, expired or used link; ``ValidationFailed``
    on ``password``."""
    customer = _invited(token, lock=True)
    user = _new_account(
        name=customer.name, phone=customer.phone, email=customer.email, password=password, language=customer.language
    )
    _link(customer=customer, user=user, via="invitation", new_customer=False, marketing=marketing)
    return user
