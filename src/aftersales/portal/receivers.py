"""The portal's receivers of lower apps' hooks (``core.hooks``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from aftersales.accounts.login_code import PHONE_CODE_TEMPLATE
from aftersales.accounts.models import PhoneCodePurpose, User
from aftersales.core import clock
from aftersales.core.links import absolute_url
from aftersales.customers.models import Customer
from aftersales.customers.portal_accounts import PORTAL_INVITE_TEMPLATE
from aftersales.notifications.models import NotificationChannel
from aftersales.notifications.services import notification_queue
from aftersales.notifications.short_links import short_link_values
from aftersales.notifications.text import DEFAULT_LANGUAGE, compose_customer


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


def phone_code_issued(*, purpose: str, phone: str, code: str, language: str, minutes: int) -> None:
    """``accounts.effects.PHONE_CODE_ISSUED``: the sign-up or sign-in code by SMS, through the
    outbox, in the language of the page (or of the account). The provider's template gets
    ``code`` and ``minutes``; the code is masked in both once the message is settled."""
    language = language or DEFAULT_LANGUAGE
    with translation.override(language):
        if purpose == PhoneCodePurpose.SIGN_UP:
            text = gettext(
                "Your sign-up code is %(code)s, valid for %(minutes)d minutes. Never tell it to anyone, including our staff."
            )
        else:
            text = gettext(
                "Your sign-in code is %(code)s, valid for %(minutes)d minutes. Never tell it to anyone, including our staff."
            )
    notification_queue(
        channel=NotificationChannel.SMS,
        template=PHONE_CODE_TEMPLATE,
        recipient=phone,
        subject="",
        body=text % {"code": code, "minutes": minutes},
        language=language,
        params={"code": code, "minutes": str(minutes), "purpose": purpose},
    )


def portal_invite_issued(*, customer: Customer, token: str, language: str, days: int) -> None:
    """``customers.effects.PORTAL_INVITE_ISSUED``: the invitation by SMS and, when the
    customer has an address, by e-mail, in their language, with the absolute signed link (and
    its short link for the SMS provider's template, expiring with the invitation). The link is
    masked in the outbox once the message is settled (``notifications.redaction``)."""
    language = language or DEFAULT_LANGUAGE
    link = absolute_url(reverse("portal:invite_accept", kwargs={"token": token}))
    expires = clock.now() + dt.timedelta(days=days)
    with translation.override(language):
        subject = gettext("Your account on our service portal")
        body = gettext(
            "you are invited to our service portal, where you follow your requests and answer our proposals. "
            "Set your password to open your account; the link is valid for %(days)d days and works once"
        ) % {"days": days}
        label = gettext("Set your password here:")

        def text(*, email: bool) -> str:
            return compose_customer(language=language, name=customer.name, body=body, link=link, link_text=label, email=email)

        sms_text, email_text = text(email=False), text(email=True)
    short = short_link_values(link, language=language, expires_at=expires)
    short.pop("short_code", None)  # a bare code is not told from other values when the row is redacted
    values = {"name": customer.name, "days": str(days), "link": link, **short}
    notification_queue(
        channel=NotificationChannel.SMS,
        template=PORTAL_INVITE_TEMPLATE,
        recipient=customer.phone,
        subject="",
        body=sms_text,
        language=language,
        params=values,
    )
    if customer.email:
        notification_queue(
            channel=NotificationChannel.EMAIL,
            template=PORTAL_INVITE_TEMPLATE,
            recipient=customer.email,
            subject=subject,
            body=email_text,
            language=language,
        )
