"""Codes by SMS that prove a phone: the portal's sign-up and the customers' sign-in by code.

The rules of the password reset by SMS (``sms_reset``), whose lifetime and attempt limit this
module reads: a six-digit code, only its keyed hash stored (HMAC with the secret key, bound to
the purpose and the phone), valid ``SMS_RESET_CODE_MINUTES`` (10), dead after
``SMS_RESET_MAX_ATTEMPTS`` (5) wrong entries; a new code kills the earlier open ones of the phone.
Limits are counted in the cache like every limit of the project (``core.throttle``):

* a new code for the same phone and purpose only ``PHONE_CODE_RESEND_SECONDS`` (60) after the last;
* per phone ``PHONE_CODE_PER_HOUR`` (5) codes an hour, per client ``PHONE_CODE_PER_IP_HOUR`` (20);
* per client ``PHONE_CODE_CHECK_PER_IP_HOUR`` (30) entries of a code an hour.

Every request counts whether or not a code goes out, so the limits' answers say nothing about a
number. A sign-in code goes out only for a customer's portal account (``login_code_account``):
never for staff, nor for a phone that a member of staff has — staff sign in with their password
and second factor only. The SMS goes through the ``PHONE_CODE_ISSUED`` hook (the notifications'
SMS outbox; its code is masked there once the message is settled).

A sign-up code, once entered right, is the proof of the phone that the sign-up spends
(``signup_proof_spend``): one verified code makes one account, within ``PROOF_MINUTES``.

**SMS pumping** (docs/security.md, "SMS pumping"): a bot that makes us text many (premium)
numbers. Two more guards:

* **A human check** before a sign-up code goes out through the web (``human_checked=False``; the
  portal shows a picture of digits, ``portal.human_check``) when the request is suspicious
  (``human_check_needed``): the client asked for more than ``PHONE_CODE_HUMAN_CHECK_IP_HOUR`` (5)
  sign-up codes this hour, numbers of the same prefix (country code and the first three digits:
  ``+86170``) were asked for more than ``PHONE_CODE_HUMAN_CHECK_PREFIX_HOUR`` (30) times this
  hour by anybody, the number is of another country than ``PHONENUMBER_DEFAULT_REGION``, or the
  country's codes of the day reached half of its cap. ``PHONE_CODE_HUMAN_CHECK``: ``suspicious``
  (default), ``always`` or ``never``. The app's API (``human_checked=None``) has none: it keeps
  the limits above and the cap.
* **A daily cap per country** (``PHONE_CODE_DAILY_CAPS``, JSON ``{"86": 20000, "*": 200}``; ``*``
  for every other country): at most so many codes a day (Asia/Shanghai) go to the numbers of
  one country calling code, web and app, sign-up and sign-in together — counted from the codes
  themselves, so a cache outage does not lift it. Past it every request for that country is
  refused alike (``DAILY_CAP``); the code that reaches it alerts the administrators, once
  (``PHONE_CODE_CAP_REACHED``).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import secrets
import time

import phonenumbers
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.hooks import hook
from aftersales.core.throttle import throttle_hit

from .effects import PHONE_CODE_ISSUED
from .models import PhoneCode, PhoneCodePurpose, Role, User
from .sms_reset import code_minutes, max_attempts

logger = logging.getLogger("aftersales.security")

# The code that reaches a country's daily cap was made (see the module's text): alert the
# administrators, once a day and country. kwargs: country (the calling code, "86"), cap, day.
PHONE_CODE_CAP_REACHED = hook(
    "phone_code_cap_reached",
    "aftersales.portal.signup_alerts.phone_code_cap_reached",  # in-app notice to the administrators
)

# The outbox template of the code's SMS (``notifications.redaction`` masks its code once settled).
PHONE_CODE_TEMPLATE = "portal_phone_code"

# How long a verified sign-up code may still be spent on the account (the name and password page).
PROOF_MINUTES = 30


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def resend_seconds() -> int:
    return _int("PHONE_CODE_RESEND_SECONDS", 60)


class PhoneCodeThrottled(DomainError):
    """Over a limit; ``code`` ``RESEND_WAIT``: a code went to the phone less than a minute ago."""

    code = "throttled"
    status = 429


RESEND_WAIT = "code_resend_wait"
DAILY_CAP = "code_daily_cap"


class HumanCheckRequired(DomainError):
    """The web sign-up must show that a person asks before a code goes out (``human_check_needed``)."""

    code = "human_check_required"
    status = 422


def _hash(*, purpose: str, phone: str, code: str) -> str:
    return salted_hmac("aftersales.accounts.login_code", f"{purpose}:{phone}:{code}", algorithm="sha256").hexdigest()


def _wrong_code() -> ValidationFailed:
    return ValidationFailed({"code": [_("The code is wrong or has expired. Check the SMS or ask for a new code.")]})


def _e164(raw: str) -> str:
    try:
        number = phonenumbers.parse(raw.strip(), settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if phonenumbers.is_valid_number(number) else ""


def staff_has_phone(*, phone: str) -> bool:
    """Whether a member of staff (any role but customer, or a superuser) has ``phone`` (E.164)
    on their account, however it was typed there (``138 1234 5678``, ``+86…``)."""
    if not phone:
        return False
    staff = User.objects.exclude(role=Role.CUSTOMER, is_superuser=False).exclude(phone="")
    candidates = staff.filter(phone__endswith=phone[-4:]).values_list("phone", flat=True)
    return any(raw == phone or _e164(raw) == phone for raw in candidates)


def login_code_account(*, phone: str) -> User | None:
    """The active customer account that signs in by a code sent to ``phone`` (E.164): the
    portal account of the (not erased) customer with that phone. None for anybody else — and
    for a phone a member of staff has, whoever else has it too."""
    if not phone or staff_has_phone(phone=phone):
        return None
    return (
        User.objects.filter(
            role=Role.CUSTOMER,
            is_active=True,
            is_superuser=False,
            customer__phone=phone,
            customer__erased_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )


# --- SMS pumping: the human check and the daily cap per country ----------------------------------

HUMAN_CHECK_POLICIES = ("suspicious", "always", "never")
DEFAULT_DAILY_CAPS: dict[str, int] = {"86": 20000, "*": 200}
HOUR = 3600


def human_check_policy() -> str:
    policy = str(getattr(settings, "PHONE_CODE_HUMAN_CHECK", "suspicious")).strip().lower()
    return policy if policy in HUMAN_CHECK_POLICIES else "suspicious"


def _country_and_prefix(phone: str) -> tuple[str, str]:
    """``+8617012345678`` → ``("86", "+86170")``: the calling code, and the number's range (the
    calling code and the first three digits of the national number, 号段)."""
    try:
        number = phonenumbers.parse(phone, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return "", ""
    country = str(number.country_code)
    return country, f"+{country}{str(number.national_number)[:3]}"


def _home_country() -> str:
    return str(phonenumbers.country_code_for_region(settings.PHONENUMBER_DEFAULT_REGION))


def _seen_key(kind: str, value: str) -> str:
    return f"phonecode:seen:{kind}:{value}:{int(time.time() // HOUR)}"


def _seen(kind: str, value: str) -> int:
    return int(cache.get(_seen_key(kind, value)) or 0)


def _see(kind: str, value: str) -> None:
    key = _seen_key(kind, value)
    if not cache.add(key, 1, timeout=HOUR + 5):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=HOUR + 5)


def daily_caps() -> dict[str, int]:
    """``PHONE_CODE_DAILY_CAPS``: calling code → codes a day (``*``: every other country); a
    JSON text from the environment, or a dict. Unreadable: the defaults, and an error logged."""
    raw = getattr(settings, "PHONE_CODE_DAILY_CAPS", None)
    if raw is None or raw == "":
        return dict(DEFAULT_DAILY_CAPS)
    try:
        caps = json.loads(raw) if isinstance(raw, str) else dict(raw)
        return {str(key).lstrip("+"): int(value) for key, value in caps.items()}
    except (TypeError, ValueError, AttributeError):
        logger.error("PHONE_CODE_DAILY_CAPS is not a JSON object of whole numbers: the defaults apply")
        return dict(DEFAULT_DAILY_CAPS)


def daily_cap(country: str) -> int | None:
    """The codes a day for the numbers of ``country`` (a calling code); None: no cap."""
    caps = daily_caps()
    cap = caps.get(country, caps.get("*"))
    return None if cap is None or cap < 0 else cap


def _day_start() -> dt.datetime:
    return clock.local_now().replace(hour=0, minute=0, second=0, microsecond=0)


def seconds_to_next_day() -> int:
    """Until the daily caps count again from zero (midnight, Asia/Shanghai)."""
    return max(1, int((_day_start() + dt.timedelta(days=1) - clock.local_now()).total_seconds()))


def codes_today(country: str) -> int:
    """The codes made today (Asia/Shanghai) for numbers of ``country``, every purpose."""
    return PhoneCode.objects.filter(created_at__gte=_day_start(), phone__startswith=f"+{country}").count()


def human_check_needed(*, client_ip: str, phone: str = "", pending: int = 1) -> bool:
    """Whether the web sign-up must show that a person asks before a code goes to ``phone``
    (empty: not typed yet — the client alone decides) from ``client_ip``; ``pending``: the
    request about to be counted (1 when the page is shown, 0 once it is counted)."""
    policy = human_check_policy()
    if policy != "suspicious":
        return policy == "always"
    if _seen("ip", client_ip) + pending > _int("PHONE_CODE_HUMAN_CHECK_IP_HOUR", 5):
        return True
    if not phone:
        return False
    country, prefix = _country_and_prefix(phone)
    if country != _home_country():
        return True
    if _seen("prefix", prefix) + pending > _int("PHONE_CODE_HUMAN_CHECK_PREFIX_HOUR", 30):
        return True
    cap = daily_cap(country)
    return cap is not None and codes_today(country) * 2 >= cap


def _cap_refused() -> PhoneCodeThrottled:
    return PhoneCodeThrottled(
        _("We cannot send codes to numbers of this country today. Try again tomorrow, or call our service hotline."),
        code=DAILY_CAP,
    )


def phone_code_request(*, purpose: str, phone: str, client_ip: str, language: str, human_checked: bool | None = None) -> None:
    """Make and send a code for ``phone`` (E.164) if the limits allow: a sign-up code for any
    phone, a sign-in code only for a ``login_code_account``. The answer is the same for every
    phone: ``PhoneCodeThrottled`` when asked again too soon (``RESEND_WAIT``), too often, or past
    the country's daily cap (``DAILY_CAP``), else nothing.

    ``human_checked``: None where the door has no human check (the app's API, the sign-in);
    False or True where it has one (the web sign-up): a sign-up code not checked is refused with
    ``HumanCheckRequired`` when the request is suspicious (``human_check_needed``)."""
    if purpose not in PhoneCodePurpose.values:
        raise ValueError(purpose)
    if purpose == PhoneCodePurpose.SIGN_UP and human_checked is not None:
        _see("ip", client_ip)
        _see("prefix", _country_and_prefix(phone)[1])
        if not human_checked and human_check_needed(client_ip=client_ip, phone=phone, pending=0):
            raise HumanCheckRequired(
                _("Before we send the code, show us that a person is asking: type the digits in the picture.")
            )
    # The cap first (a refused request leaves no "code on its way" wait behind), and before the
    # account is looked up: past it, every number of the country hears the same.
    country = _country_and_prefix(phone)[0]
    cap = daily_cap(country)
    made_today = codes_today(country) if cap is not None else 0
    if cap is not None and made_today >= cap:
        raise _cap_refused()
    wait = resend_seconds()
    moment = time.time()
    wait_key = f"phonecode:wait:{purpose}:{phone}"
    if wait > 0 and not cache.add(wait_key, moment, timeout=wait):
        started = cache.get(wait_key)
        left = max(1, int(wait - (moment - float(started if started is not None else moment)) + 0.999))
        raise PhoneCodeThrottled(
            _("A code was sent a moment ago. You can ask for a new one in %(seconds)d seconds.") % {"seconds": left},
            code=RESEND_WAIT,
        )
    by_phone = throttle_hit(key=f"phonecode:phone:{phone}", limit=_int("PHONE_CODE_PER_HOUR", 5), window_seconds=3600)
    by_client = throttle_hit(key=f"phonecode:ip:{client_ip}", limit=_int("PHONE_CODE_PER_IP_HOUR", 20), window_seconds=3600)
    if not (by_phone.allowed and by_client.allowed):
        raise PhoneCodeThrottled(_("Too many codes were asked for. Try again in an hour."))
    user = None
    if purpose == PhoneCodePurpose.SIGN_IN:
        user = login_code_account(phone=phone)
        if user is None:
            return
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    minutes = code_minutes()
    with transaction.atomic():
        # Codes dead for a day are of no use to anybody (they hold a phone number): gone.
        PhoneCode.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()
        PhoneCode.objects.filter(phone=phone, purpose=purpose, verified_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        PhoneCode.objects.create(
            purpose=purpose,
            phone=phone,
            user=user,
            code_hash=_hash(purpose=purpose, phone=phone, code=code),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
        PHONE_CODE_ISSUED.send(
            purpose=purpose, phone=phone, code=code, language=(user.language if user else "") or language, minutes=minutes
        )
        if cap is not None and made_today + 1 == cap:  # this code reached the cap: once a day
            logger.error("SMS codes: the daily cap of %d codes for +%s is reached", cap, country)
            PHONE_CODE_CAP_REACHED.send(country=country, cap=cap, day=clock.local_today())


def _count_check(client_ip: str) -> None:
    """One entry of a code by the client; ``PhoneCodeThrottled`` over its hourly limit."""
    allowed = throttle_hit(
        key=f"phonecode:check:{client_ip}", limit=_int("PHONE_CODE_CHECK_PER_IP_HOUR", 30), window_seconds=3600
    )
    if not allowed.allowed:
        raise PhoneCodeThrottled(_("Too many attempts. Try again in an hour."))


def phone_code_verify(*, purpose: str, phone: str, code: str, client_ip: str) -> PhoneCode:
    """The live code of ``phone`` for ``purpose``, marked verified if ``code`` is it (a sign-in
    code is spent at once). A wrong code counts an attempt (committed though the call fails) and
    is refused with ``ValidationFailed`` on ``code``; ``PhoneCodeThrottled`` over the client's
    limit."""
    _count_check(client_ip)
    now = timezone.now()
    with transaction.atomic():
        live = (
            PhoneCode.objects.select_for_update()
            .filter(
                purpose=purpose,
                phone=phone,
                verified_at__isnull=True,
                used_at__isnull=True,
                expires_at__gt=now,
                attempts__lt=max_attempts(),
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if live is None:
            raise _wrong_code()
        if hmac.compare_digest(_hash(purpose=purpose, phone=phone, code=code.strip()), live.code_hash):
            live.verified_at = now
            fields = ["verified_at"]
            if purpose == PhoneCodePurpose.SIGN_IN:
                live.used_at = now
                fields.append("used_at")
            live.save(update_fields=fields)
            return live
        live.attempts += 1
        live.save(update_fields=["attempts"])
    raise _wrong_code()  # the attempt is committed above; the call fails


def login_code_sign_in(*, phone: str, code: str, client_ip: str) -> User:
    """The account a right sign-in code of ``phone`` was sent to, if it still signs in by code
    (a customer's active account; never staff). Refused like a wrong code otherwise."""
    row = phone_code_verify(purpose=PhoneCodePurpose.SIGN_IN, phone=phone, code=code, client_ip=client_ip)
    account = login_code_account(phone=phone)
    if account is None or account.pk != row.user_id:
        raise _wrong_code()
    return account


def _proof_expired() -> DomainError:
    return DomainError(
        _("The check of your phone number has expired. Start again: we send you a new code."), code="phone_not_verified"
    )


def signup_proof_valid(*, code_id: int | None, phone: str) -> bool:
    """Whether ``code_id`` is a verified, unspent sign-up code of ``phone`` that may still be spent."""
    if not code_id or not phone:
        return False
    since = timezone.now() - dt.timedelta(minutes=PROOF_MINUTES)
    return PhoneCode.objects.filter(
        pk=code_id, purpose=PhoneCodePurpose.SIGN_UP, phone=phone, verified_at__gt=since, used_at__isnull=True
    ).exists()


def signup_proof_spend(*, code_id: int | None, phone: str) -> PhoneCode:
    """Spend the proof of ``phone`` (call in the transaction that makes the account): the
    sign-up codes of the phone are locked, so two sign-ups of one phone run one after the other,
    and a proof is spent once. ``DomainError`` (``phone_not_verified``) when it is not valid."""
    now = timezone.now()
    rows = list(PhoneCode.objects.select_for_update().filter(phone=phone, purpose=PhoneCodePurpose.SIGN_UP).order_by("pk"))
    proof = next((row for row in rows if row.pk == code_id), None)
    if (
        proof is None
        or proof.verified_at is None
        or proof.used_at is not None
        or proof.verified_at <= now - dt.timedelta(minutes=PROOF_MINUTES)
    ):
        raise _proof_expired()
    proof.used_at = now
    proof.save(update_fields=["used_at"])
    return proof


def signup_proof_by_code(*, phone: str, code: str, client_ip: str) -> PhoneCode:
    """The sign-up proof that ``code`` makes for ``phone``: the proof this same code made
    already (verified within ``PROOF_MINUTES``, not spent — the app repeats ``POST /auth/signup``
    with the answer to the second proof), else the live code, verified now
    (``phone_code_verify``: a wrong code counts an attempt and is refused on ``code``)."""
    since = timezone.now() - dt.timedelta(minutes=PROOF_MINUTES)
    earlier = PhoneCode.objects.filter(
        purpose=PhoneCodePurpose.SIGN_UP, phone=phone, verified_at__gt=since, used_at__isnull=True
    ).order_by("-pk")[:3]
    digest = _hash(purpose=PhoneCodePurpose.SIGN_UP, phone=phone, code=code.strip())
    for row in earlier:
        if hmac.compare_digest(digest, row.code_hash):
            _count_check(client_ip)
            return row
    return phone_code_verify(purpose=PhoneCodePurpose.SIGN_UP, phone=phone, code=code, client_ip=client_ip)
