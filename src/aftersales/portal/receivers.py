"""The portal's receivers of lower apps' hooks (``core.hooks``)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext

from aftersales.accounts.models import User
from aftersales.notifications.models import NotificationChannel
from aftersales.notifications.services import notification_queue


def sms_reset_code_issued(*, user: User, phone: str, code: str, language: str, minutes: int) -> None:
    """``accounts.effects.SMS_RESET_CODE_ISSUED``: the code by SMS, through the outbox (retried
    like every notification), in the customer's language. The provider's template gets ``code``
    and ``minutes`` as values; the code is masked in both once the message is settled
    (``notifications.redaction``)."""
    with translation.override(language or "zh-hans"):
        body = gettext(
            "Your password reset code is %(code)s, valid for %(minutes)d minutes. Never tell it to anyone, including our staff."
        ) % {"code": code, "minutes": minutes}
    notification_queue(
        channel=NotificationChannel.SMS,
        template="password_reset_sms",
        recipient=phone,
        subject="",
        body=body,
        language=language or "zh-hans",
        params={"code": code, "minutes": str(minutes)},
    )
