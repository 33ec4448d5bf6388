"""Messages the process sends: rows in the notification outbox, written in the business
transaction and delivered after commit (``notification_queue`` defers the delivery job)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import translation

from aftersales.accounts.models import User
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.services import notification_queue

from ..models import Ticket


def notify_customer(*, ticket: Ticket, template: str, subject: Any, body: Any, params: dict[str, Any]) -> list[Notification]:
    """Tell the ticket's customer, in their language, by email, SMS and the portal inbox."""
    customer = ticket.customer
    language = customer.language or "zh-hans"
    values = {"number": ticket.number, "name": ticket.contact_name or customer.name, **params}
    with translation.override(language):
        subject_text = str(subject) % values
        body_text = str(body) % values
    queued: list[Notification] = []
    if customer.user_id is not None:
        queued.append(
            notification_queue(
                channel=NotificationChannel.IN_APP,
                template=template,
                recipient=str(customer.user_id),
                subject=subject_text,
                body=body_text,
                language=language,
                ticket=ticket,
                user=customer.user,
            )
        )
    if not customer.consent_contact:
        return queued
    email = ticket.contact_email or customer.email
    if email:
        queued.append(
            notification_queue(
                channel=NotificationChannel.EMAIL,
                template=template,
                recipient=email,
                subject=subject_text,
                body=body_text,
                language=language,
                ticket=ticket,
            )
        )
    phone = ticket.contact_phone or customer.phone
    if phone:
        queued.append(
            notification_queue(
                channel=NotificationChannel.SMS,
                template=template,
                recipient=phone,
                subject="",
                body=body_text,
                language=language,
                ticket=ticket,
            )
        )
    return queued


def notify_staff_users(
    *, users: Iterable[User], ticket: Ticket, template: str, subject: Any, body: Any, params: dict[str, Any]
) -> list[Notification]:
    """Put an in-app notification in each active staff user's inbox, in their language."""
    queued: list[Notification] = []
    for user in {u.pk: u for u in users if u.is_active and not u.is_customer}.values():
        language = user.language or "zh-hans"
        values = {"number": ticket.number, **params}
        with translation.override(language):
            subject_text = str(subject) % values
            body_text = str(body) % values
        queued.append(
            notification_queue(
                channel=NotificationChannel.IN_APP,
                template=template,
                recipient=str(user.pk),
                subject=subject_text,
                body=body_text,
                language=language,
                ticket=ticket,
                user=user,
            )
        )
    return queued
