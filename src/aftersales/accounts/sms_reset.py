"""Password reset by SMS code, for customers with a phone and no e-mail address (issue 21).

1. ``sms_reset_request``: a phone number; if it is the phone of an active customer account
   without an e-mail address, a six-digit code is made, only its keyed hash stored (HMAC with the
   secret key, bound to the account and the phone), valid ``SMS_RESET_CODE_MINUTES`` (10), and
   sent through the ``SMS_RESET_CODE_ISSUED`` hook (the notifications' SMS channel). Earlier
   open codes of that phone die. The answer is the same whether or not the phone belongs to an
   account (no enumeration); each phone may ask ``SMS_RESET_PER_HOUR`` (3) times an hour and each
   client ``SMS_RESET_PER_IP_HOUR`` (10) times, over that nothing is sent.
2. ``sms_reset_confirm``: the phone, the code and a new password. A wrong code counts an attempt
   (committed even though the call fails); after ``SMS_RESET_MAX_ATTEMPTS`` (5) the code is dead
   and a new one must be asked for. Each client may try ``SMS_RESET_CONFIRM_PER_IP_HOUR`` (30)
   times an hour. The right code sets the password (the validators apply), uses the code up,
   signs the account out everywhere and lifts a sign-in lockout.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.throttle import throttle_hit

from .effects import SMS_RESET_CODE_ISSUED
from .models import Role, SmsResetCode, User


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def code_minutes() -> int:
    return _int("SMS_RESET_CODE_MINUTES", 10)


def max_attempts() -> int:
    return _int("SMS_RESET_MAX_ATTEMPTS", 5)


class SmsResetThrottled(DomainError):
    code = "throttled"
    status = 429


def _hash(*, user_id: int, phone: str, code: str) -> str:
    return salted_hmac("aftersales.accounts.sms_reset", f"{user_id}:{phone}:{code}", algorithm="sha256").hexdigest()


def sms_reset_account(*, phone: str) -> User | None:
    """The active customer account whose customer has ``phone`` (E.164) and neither the account
    nor the customer an e-mail address (those reset by e-mail)."""
    return (
        User.objects.filter(role=Role.CUSTOMER, is_active=True, email="", customer__phone=phone, customer__email="")
        .order_by("pk")
        .first()
    )


def sms_reset_request(*, phone: str, client_ip: str, language: str) -> bool:
    """Issue and send a code for ``phone`` (E.164) if it belongs to an account that resets by
    SMS and the limits allow; ``True`` when one was sent (the page never says)."""
    by_phone = throttle_hit(key=f"smsreset:phone:{phone}", limit=_int("SMS_RESET_PER_HOUR", 3), window_seconds=3600)
    by_client = throttle_hit(key=f"smsreset:ip:{client_ip}", limit=_int("SMS_RESET_PER_IP_HOUR", 10), window_seconds=3600)
    if not (by_phone.allowed and by_client.allowed):
        return False
    user = sms_reset_account(phone=phone)
    if user is None:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    minutes = code_minutes()
    with transaction.atomic():
        # Codes dead for a day are of no use to anybody (they hold a phone number): gone.
        SmsResetCode.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()
        SmsResetCode.objects.filter(phone=phone, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        SmsResetCode.objects.create(
            user=user,
            phone=phone,
            code_hash=_hash(user_id=user.pk, phone=phone, code=code),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=minutes),
        )
        SMS_RESET_CODE_ISSUED.send(user=user, phone=phone, code=code, language=user.language or language, minutes=minutes)
    return True


def _wrong_code() -> ValidationFailed:
    return ValidationFailed({"code": [_("The code is wrong or has expired. Check the SMS or ask for a new code.")]})


def sms_reset_confirm(*, phone: str, code: str, password: str, client_ip: str) -> User:
    """Set ``password`` for the account the live code of ``phone`` was sent to, if ``code`` is
    it. Refused (``ValidationFailed`` on ``code`` or ``password``, ``SmsResetThrottled``)."""
    allowed = throttle_hit(
        key=f"smsreset:confirm:{client_ip}", limit=_int("SMS_RESET_CONFIRM_PER_IP_HOUR", 30), window_seconds=3600
    )
    if not allowed.allowed:
        raise SmsResetThrottled(_("Too many attempts. Try again in an hour."))
    now = timezone.now()
    with transaction.atomic():
        live = (
            SmsResetCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True, expires_at__gt=now, attempts__lt=max_attempts())
            .order_by("-created_at", "-pk")
            .first()
        )
        if live is None:
            raise _wrong_code()
        expected = _hash(user_id=live.user_id, phone=phone, code=code.strip())
        if not hmac.compare_digest(expected, live.code_hash):
            live.attempts += 1
            live.save(update_fields=["attempts"])
            wrong = True
        else:
            wrong = False
    if wrong:  # the attempt is committed above; the call fails
        raise _wrong_code()
    with transaction.atomic():
        locked = SmsResetCode.objects.select_for_update().select_related("user").get(pk=live.pk)
        if locked.used_at is not None:
            raise _wrong_code()
        user = locked.user
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed({"password": list(exc.messages)}) from None
        user.set_password(password)
        user.session_epoch += 1  # signed out everywhere
        user.save(update_fields=["password", "session_epoch"])
        locked.used_at = now
        locked.save(update_fields=["used_at"])
    from axes.utils import reset as axes_reset

    axes_reset(username=user.get_username())
    return user
