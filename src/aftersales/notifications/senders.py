"""Pluggable senders per channel. Email goes through Django's mail backend; SMS and WeChat
through the class named in settings (``NOTIFICATION_SENDERS``), by default one that writes the
message to the log, as Django's console email backend does, until a provider is configured."""

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

    The default for SMS and WeChat until a provider's sender is configured in
    ``NOTIFICATION_SENDERS`` (a class with ``send(notification)`` that raises on failure).
    """

    def send(self, notification: Notification) -> None:
        logger.warning(
            "[log-only %s sender: no provider configured, nothing was sent] notification %s to %s: %s",
            notification.channel,
            notification.pk,
            notification.recipient,
            redacted(notification.template, notification.body),  # a one-time code never reaches a log
        )


class InAppSender:
    """In-app notifications are read from the table itself; sending just marks them delivered."""

    def send(self, notification: Notification) -> None:
        return None


DEFAULT_SENDERS = {
    "email": "aftersales.notifications.senders.EmailSender",
    "sms": "aftersales.notifications.senders.LogOnlySender",
    "wechat": "aftersales.notifications.senders.LogOnlySender",
    "in_app": "aftersales.notifications.senders.InAppSender",
}


def sender_for(channel: str) -> Sender:
    path = {**DEFAULT_SENDERS, **getattr(settings, "NOTIFICATION_SENDERS", {})}[channel]
    sender: Sender = import_string(path)()
    return sender
