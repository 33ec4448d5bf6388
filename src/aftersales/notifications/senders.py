"""Pluggable senders per channel. Email goes through Django's mail backend; SMS through the
provider chosen by ``SMS_PROVIDER`` (Aliyun or Tencent Cloud, ``providers/``); WeChat through
the Official Account's template messages once ``WECHAT_APP_ID`` is set. Without a provider, a
sender that writes the message to the log, as Django's console email backend does.
``NOTIFICATION_SENDERS`` names another class for a channel (tests, a provider of one's own).

A sender raises to say how it went: ``SendSkipped`` (nothing to send this way, e.g. no approved
template for the kind: the row is skipped with the reason), ``PermanentSendError`` (refused for
good: failed now, not retried), any other exception (``TransientSendError`` for throttling and
network errors): retried with backoff until ``services.MAX_ATTEMPTS``."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from .models import Notification
from .redaction import redacted

logger = logging.getLogger("aftersales.notifications")


class Sender(Protocol):
    def send(self, notification: Notification) -> None: ...


class SendSkipped(Exception):
    """Nothing is sent this way, by design (no template for the kind): the notification is
    marked skipped with this reason, not retried."""


class PermanentSendError(Exception):
    """The provider refused the message for good (bad number, template or credentials): the
    notification fails now with the provider's message, without retries. ``code``: the
    provider's error code (or this site's: ``receipts.REASONS``), kept as the delivery's code."""

    def __init__(self, message: str = "", code: str = "") -> None:
        super().__init__(message)
        self.code = code


class TransientSendError(Exception):
    """Throttled, or the provider could not be reached: retried like any sender error."""


def email_headers(notification: Notification) -> dict[str, str]:
    """Extra headers from the hook named in ``NOTIFICATION_EMAIL_HEADERS`` (email intake sets
    Message-ID and Reply-To there, so that replies find their ticket); none without it."""
    path = getattr(settings, "NOTIFICATION_EMAIL_HEADERS", "")
    return dict(import_string(path)(notification)) if path else {}


def email_html(notification: Notification) -> str:
    """The e-mail's HTML part: the same text, its links clickable, in the message's language."""
    context = {"language": notification.language, "subject": notification.subject, "body": notification.body}
    return render_to_string("notifications/email/message.html", context)


class EmailSender:
    """Plain text (the stored body) with an HTML alternative of the same text and links."""

    def send(self, notification: Notification) -> None:
        headers = email_headers(notification)
        reply_to = headers.pop("Reply-To", "")
        message = EmailMultiAlternatives(
            notification.subject,
            notification.body,
            None,
            [notification.recipient],
            reply_to=[reply_to] if reply_to else None,
            headers=headers,
        )
        message.attach_alternative(email_html(notification), "text/html")
        message.send(fail_silently=False)


class LogOnlySender:
    """LOG-ONLY: no message leaves the system; it is written to the log instead.

    The sender of SMS and WeChat until a provider is configured (``SMS_PROVIDER``,
    ``WECHAT_APP_ID``: docs/notifications.md "SMS and WeChat providers") or a class of one's
    own is named in ``NOTIFICATION_SENDERS`` (``send(notification)``, raising on failure).
    """

    def send(self, notification: Notification) -> None:
        # A one-time code never reaches a log, except on a developer's machine (``AFTERSALES_ENV``
        # local, the default of ``make run``): there it is the only way to finish a portal sign-up
        # or an SMS sign-in without a provider (``NOTIFICATION_LOG_SECRETS``; never in production).
        body = notification.body if log_secrets() else redacted(notification.template, notification.body)
        logger.warning(
            "[log-only %s sender: no provider configured, nothing was sent] notification %s to %s: %s",
            notification.channel,
            notification.pk,
            notification.recipient,
            body,
        )


def log_secrets() -> bool:
    """Whether the log-only sender writes one-time codes: only where ``NOTIFICATION_LOG_SECRETS``
    is on, which the settings allow only outside production."""
    return bool(getattr(settings, "NOTIFICATION_LOG_SECRETS", False)) and not getattr(settings, "PRODUCTION", True)


class InAppSender:
    """In-app notifications are read from the table itself; sending just marks them delivered."""

    def send(self, notification: Notification) -> None:
        return None


LOG_ONLY = "aftersales.notifications.senders.LogOnlySender"
DEFAULT_SENDERS = {
    "email": "aftersales.notifications.senders.EmailSender",
    "sms": LOG_ONLY,
    "wechat": LOG_ONLY,
    "in_app": "aftersales.notifications.senders.InAppSender",
}
SMS_PROVIDERS = {
    "aliyun": "aftersales.notifications.providers.aliyun.AliyunSmsSender",
    "tencent": "aftersales.notifications.providers.tencent.TencentSmsSender",
}
WECHAT_SENDER = "aftersales.notifications.providers.wechat.WeChatTemplateSender"


def sms_provider() -> str:
    """The configured SMS provider's name (``SMS_PROVIDER``: aliyun, tencent), "" for none."""
    return str(getattr(settings, "SMS_PROVIDER", "") or "").strip().lower()


def configured_senders() -> dict[str, str]:
    """Each channel's sender class (dotted path): the provider configured in settings, else the
    log-only one; ``NOTIFICATION_SENDERS`` overrides any channel."""
    senders = dict(DEFAULT_SENDERS)
    senders["sms"] = SMS_PROVIDERS.get(sms_provider(), LOG_ONLY)
    if str(getattr(settings, "WECHAT_APP_ID", "") or "").strip():
        senders["wechat"] = WECHAT_SENDER
    return {**senders, **getattr(settings, "NOTIFICATION_SENDERS", {})}


def sender_for(channel: str) -> Sender:
    path = configured_senders()[channel]
    sender: Sender = import_string(path)()
    return sender
