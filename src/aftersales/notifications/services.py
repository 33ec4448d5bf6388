"""Queueing and delivering notifications. Queue inside the business transaction; the delivery
job is enqueued only after commit, takes the notification id and is idempotent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.jobs import enqueue_with_transaction
from aftersales.customers.models import Customer

from .models import Notification, NotificationChannel, NotificationStatus
from .senders import sender_for

MAX_ATTEMPTS = 5


class TicketContact(Protocol):
    """The ticket a message is about, by what this app reads of it (``tickets`` sits above
    ``notifications``, so the model is described here, never imported)."""

    @property
    def pk(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def customer(self) -> Customer: ...
    @property
    def contact_name(self) -> str: ...
    @property
    def contact_email(self) -> str: ...
    @property
    def contact_phone(self) -> str: ...


def _enqueue_delivery(notification_id: int) -> None:
    from .tasks import deliver_notification

    deliver_notification.enqueue(notification_id)


def notification_queue(
    *,
    channel: str,
    template: str,
    recipient: str,
    subject: str,
    body: str,
    language: str,
    ticket: TicketContact | None = None,
    user: User | None = None,
) -> Notification:
    """Store a rendered message (the outbox row) and send it in a job queued with the
    transaction (``core.jobs``: in it on the database backend, after commit on others).

    ``ticket`` (a ticket, the message is about it) is stored by its key; ``user`` puts an
    in-app notification in that staff member's inbox.
    """
    notification = Notification.objects.create(
        channel=channel,
        template=template,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        language=language,
        ticket_id=ticket.pk if ticket is not None else None,
        user=user,
    )
    from .tasks import deliver_notification

    enqueue_with_transaction(deliver_notification, lambda: _enqueue_delivery(notification.pk))
    return notification


def notify_staff(
    *, users: Iterable[User], template: str, subject: str, body: str, ticket: TicketContact | None = None
) -> list[Notification]:
    """Put an in-app notification in each active staff user's inbox (one per user)."""
    queued = []
    for user in {u.pk: u for u in users if u.is_active and not u.is_customer}.values():
        queued.append(
            notification_queue(
                channel=NotificationChannel.IN_APP,
                template=template,
                recipient=str(user.pk),
                subject=subject,
                body=body,
                language=user.language or "zh-hans",
                ticket=ticket,
                user=user,
            )
        )
    return queued


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread in-app notification of ``user`` as read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=clock.now())


def notify_ticket_received(*, ticket: TicketContact) -> list[Notification]:
    """Tell the customer their ticket number (SPEC §2.1: the customer is told it at once)."""
    customer = ticket.customer
    if not customer.consent_contact:
        return []
    language = customer.language or "zh-hans"
    with translation.override(language):
        subject = _("Your request %(number)s has been registered") % {"number": ticket.number}
        body = _(
            "Dear %(name)s, we have registered your request under number %(number)s. "
            "Quote this number whenever you contact us. We will reply within 24 hours."
        ) % {"name": ticket.contact_name or customer.name, "number": ticket.number}
    queued = []
    if ticket.contact_email or customer.email:
        queued.append(
            notification_queue(
                channel=NotificationChannel.EMAIL,
                template="ticket_received",
                recipient=ticket.contact_email or customer.email,
                subject=subject,
                body=body,
                language=language,
                ticket=ticket,
            )
        )
    if ticket.contact_phone or customer.phone:
        queued.append(
            notification_queue(
                channel=NotificationChannel.SMS,
                template="ticket_received",
                recipient=ticket.contact_phone or customer.phone,
                subject="",
                body=body,
                language=language,
                ticket=ticket,
            )
        )
    return queued


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Send one notification once. Safe to call again: a sent one is not sent twice.

    Raises on a sender error (so the job runner retries) until ``MAX_ATTEMPTS`` is reached,
    after which the notification is marked failed with the error kept.
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != NotificationStatus.PENDING:
            return notification
        notification.attempts += 1
        try:
            sender_for(notification.channel).send(notification)
        except Exception as exc:  # noqa: BLE001 - any sender failure is recorded and retried
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
            notification.save(update_fields=["attempts", "last_error", "status"])
            if notification.status == NotificationStatus.FAILED:
                return notification
            raise_after = exc
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = clock.now()
            notification.save(update_fields=["attempts", "status", "sent_at"])
            return notification
    raise raise_after
