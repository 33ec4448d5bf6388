"""A customer signs in to the company's app (or WeChat mini-program) through the API: the SMS
code of the portal (``accounts.login_code``: the same codes, limits and no-enumeration answer)
is exchanged for a **sign-in token**, an ``ApiKey`` of kind ``sign_in`` owned by the customer's
portal user, with the app's scopes (``APP_SCOPES``), named after the device and valid
``API_SIGNIN_TOKEN_DAYS`` (90). A new customer signs up the same way (the portal's
``customers.portal_accounts.portal_signup`` makes the account) and gets their first token; a
number whose customer record has a history asks the portal's second proof
(``customers.phone_reuse``: ``history_answer``, or ``history_decline`` for an account without the
earlier records) — the same code, repeated with the answer, stays the proof.

Staff never get a token here: the sign-in code goes only to a customer's account
(``login_code_account``), and the account is checked again before a token is made. Each token
made and revoked is an audit row on the key (``api.key_created`` with ``kind`` ``sign_in``,
``api.key_revoked``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.login_code import login_code_sign_in, signup_proof_by_code
from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.core.errors import NotFound, PermissionDenied, ValidationFailed
from aftersales.customers.models import PhoneCheckOutcome
from aftersales.customers.phone_reuse import ANSWER_FIELD, phone_check_answer, phone_check_decline
from aftersales.customers.phones import normalize_phone
from aftersales.customers.portal_accounts import DISPLAY_NAME_MAX_LENGTH, portal_signup

from .models import ApiKey, KeyKind, Scope
from .selectors import api_sign_in_tokens_of
from .services import CreatedKey, api_key_create, api_key_revoke

# What the company's app does for the customer (docs/api-app.md, "Which credentials").
APP_SCOPES: tuple[str, ...] = (
    Scope.TICKETS_READ,
    Scope.TICKETS_WRITE,
    Scope.CATALOG_READ,
    Scope.SURVEYS_READ,
    Scope.SURVEYS_WRITE,
    Scope.APPRAISALS_READ,
    Scope.APPRAISALS_WRITE,
    Scope.KNOWLEDGE_READ,
)
DEVICE_NAME_MAX_LENGTH = 100
DEFAULT_DEVICE_NAME = "app"
DEVICE_LIMIT = "device_limit"  # the audit reason of a token revoked for a newer device
MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def token_days() -> int:
    """How long a sign-in token lasts (``API_SIGNIN_TOKEN_DAYS``, default 90 days)."""
    return max(1, int(getattr(settings, "API_SIGNIN_TOKEN_DAYS", 90)))


def mobile_phone(raw: str) -> str:
    """``raw`` as E.164 when it is a mobile number (the code goes by SMS); ``ValidationFailed`` on
    ``phone`` otherwise."""
    phone = normalize_phone(raw, field="phone")
    number = phonenumbers.parse(phone, settings.PHONENUMBER_DEFAULT_REGION)
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationFailed({"phone": [_("Enter a mobile phone number: the code is sent by SMS.")]}, code="phone_not_mobile")
    return phone


def device_name(raw: str | None, *, user_agent: str = "") -> str:
    """The name the customer's list of devices shows: the one the app gave, else its User-Agent,
    else ``app`` (one line, at most 100 characters)."""
    for text in (raw, user_agent):
        name = " ".join(str(text or "").split())[:DEVICE_NAME_MAX_LENGTH]
        if name:
            return name
    return DEFAULT_DEVICE_NAME


def tokens_per_customer() -> int:
    """How many devices a customer may have signed in at once (``API_SIGNIN_TOKENS_PER_CUSTOMER``,
    default 10): a sign-in past it signs the oldest out."""
    return max(1, int(getattr(settings, "API_SIGNIN_TOKENS_PER_CUSTOMER", 10)))


def token_keep_days() -> int:
    """How long an expired or revoked sign-in token is kept (``API_SIGNIN_TOKEN_KEEP_DAYS``,
    default 30 days): meanwhile its device hears why it was refused, and the admin lists it."""
    return max(1, int(getattr(settings, "API_SIGNIN_TOKEN_KEEP_DAYS", 30)))


@transaction.atomic
def _issue(*, user: User, name: str, via: str) -> CreatedKey:
    """A new token for ``user``'s device; past the limit of devices the oldest live ones are
    revoked in the same transaction (audit ``reason`` ``device_limit``). The account's row is
    locked first, so two sign-ins at once cannot both stay under the limit."""
    User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk", flat=True).first()
    now = clock.now()
    created = api_key_create(
        name=name,
        owner=user,
        scopes=APP_SCOPES,
        actor=user,
        kind=KeyKind.SIGN_IN,
        expires_at=now + dt.timedelta(days=token_days()),
        audit_changes={"via": via},
    )
    for old in api_sign_in_tokens_of(user=user, now=now)[tokens_per_customer() :]:
        api_key_revoke(key=old, actor=user, reason=DEVICE_LIMIT)
    return created


def sign_in_tokens_purge(*, keep_days: int | None = None) -> int:
    """Delete the sign-in tokens expired or revoked more than ``keep_days`` ago (their audit rows
    stay); afterwards such a token is an unknown key (401 ``invalid_api_key``). Integration keys
    are never deleted here. In batches, so a large backlog holds no long transaction."""
    days = keep_days if keep_days is not None else token_keep_days()
    cutoff = clock.now() - dt.timedelta(days=days)
    done = Q(revoked_at__lt=cutoff) | Q(expires_at__lt=cutoff)
    total = 0
    while True:
        ids = list(ApiKey.objects.filter(done, kind=KeyKind.SIGN_IN).order_by("id").values_list("id", flat=True)[:1000])
        if not ids:
            return total
        deleted, _rows = ApiKey.objects.filter(id__in=ids, kind=KeyKind.SIGN_IN).delete()
        total += deleted


def app_sign_in(*, phone: str, code: str, name: str, client_ip: str) -> CreatedKey:
    """A sign-in token for the customer account the right sign-in ``code`` of ``phone`` was sent
    to. A wrong, used or expired code is refused on ``code`` (the attempt counts), as is an
    account that is not a customer's."""
    user = login_code_sign_in(phone=phone, code=code, client_ip=client_ip)
    if not user.is_customer or user.is_superuser:  # login_code_account never gives staff; twice sure
        raise ValidationFailed({"code": [_("The code is wrong or has expired. Check the SMS or ask for a new code.")]})
    return _issue(user=user, name=name, via="sign_in")


@dataclass(frozen=True)
class AppSignUp:
    created: CreatedKey
    linked: bool  # the customer was known before (their phone): the account is linked to them


def _check_details(*, phone: str, name: str, password: str, privacy_accepted: bool) -> str:
    """Refuse what the sign-up would refuse before the code is spent on it (the name, the
    password by Django's validators, the privacy notice); every bad field at once."""
    errors: dict[str, list[Any]] = {}
    clean = " ".join((name or "").split())
    if not clean:
        errors["name"] = [_("Enter your name.")]
    elif len(clean) > DISPLAY_NAME_MAX_LENGTH:
        errors["name"] = [_("At most %(limit)d characters.") % {"limit": DISPLAY_NAME_MAX_LENGTH}]
    try:
        validate_password(password, User(username=phone.lstrip("+"), display_name=clean, phone=phone, role=Role.CUSTOMER))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if not privacy_accepted:
        errors["privacy_accepted"] = [
            _("Agree to the privacy notice (/portal/privacy-notice/): without it we cannot open an account.")
        ]
    if errors:
        raise ValidationFailed(errors, code="signup_invalid")
    return clean


def app_sign_up(
    *,
    phone: str,
    code: str,
    name: str,
    password: str,
    privacy_accepted: bool,
    marketing: bool,
    language: str,
    device: str,
    client_ip: str,
    history_answer: str | None = None,
    history_decline: bool = False,
) -> AppSignUp:
    """The portal account of the owner of ``phone``, proven by the right sign-up ``code``, and
    its first sign-in token: the portal's sign-up (a known customer gets the account linked, else
    a new customer is registered; the consents and the audit rows as on the portal). Refused:
    the details before the code is checked (``ValidationFailed``), a wrong code on ``code``, and
    a phone whose customer has an account (``PortalAccountExists``: sign in instead).

    A record of the phone with a history first asks the second proof (``customers.phone_reuse``):
    without an answer ``ValidationFailed`` ``history_check_required`` (the question, on
    ``history_answer``; the code stays good for the repeated call); a wrong answer
    ``history_check_wrong`` (the tries left); the last wrong answer, or ``history_decline``, opens
    the account with a new customer (``linked`` false) and flags the record for staff."""
    clean_name = _check_details(phone=phone, name=name, password=password, privacy_accepted=privacy_accepted)
    proof = signup_proof_by_code(phone=phone, code=code, client_ip=client_ip)
    if history_decline:
        phone_check_decline(proof_id=proof.pk, phone=phone, channel="app")
    elif history_answer is not None and history_answer.strip():
        answer = phone_check_answer(proof_id=proof.pk, phone=phone, answer=history_answer, channel="app")
        if answer.wrong and answer.outcome == PhoneCheckOutcome.OPEN:  # the try is counted (committed)
            raise ValidationFailed({ANSWER_FIELD: [answer.message()]}, code="history_check_wrong")
    with transaction.atomic():
        result = portal_signup(
            proof_id=proof.pk,
            phone=phone,
            name=clean_name,
            password=password,
            marketing=marketing,
            language=language,
            channel="app",
        )
        created = _issue(user=result.user, name=device, via="sign_up")
    return AppSignUp(created=created, linked=result.linked)


def _sign_in_token_only() -> PermissionDenied:
    return PermissionDenied(
        _("Only a token from the app's sign-in is revoked here; integration keys are revoked by an administrator."),
        code="sign_in_token_only",
    )


def require_customer(user: User) -> None:
    if not user.is_customer or user.is_superuser:
        raise PermissionDenied(_("Only a customer's own key or session may use this."), code="customer_only")


def app_sign_out(*, key: ApiKey | None, actor: User) -> ApiKey:
    """Revoke the sign-in token the call was made with (the app signs out on this device)."""
    if key is None or key.kind != KeyKind.SIGN_IN:
        raise _sign_in_token_only()
    return api_key_revoke(key=key, actor=actor)


def app_token_revoke(*, user: User, token_id: int) -> ApiKey:
    """Revoke one of ``user``'s sign-in tokens (a device they no longer use, or lost); revoking
    a revoked one changes nothing. ``NotFound`` for anybody else's token or an integration key."""
    require_customer(user)
    key = ApiKey.objects.filter(pk=token_id, owner=user, kind=KeyKind.SIGN_IN).first()
    if key is None:
        raise NotFound(_("You have no signed-in device with this id."), code="token_not_found")
    return api_key_revoke(key=key, actor=user)
