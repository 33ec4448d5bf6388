"""Queueing and delivering notifications. Queue inside the business transaction; the delivery
job is enqueued only after commit, takes the notification id and is idempotent."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.jobs import enqueue_with_transaction
from aftersales.core.links import absolute_url
from aftersales.customers.models import Customer

from .links import customer_ticket_url, staff_ticket_url
from .models import Notification, NotificationChannel, NotificationStatus
from .senders import sender_for
from .template_events import event_for, has_subject
from .template_selectors import active_templates, ticket_values
from .template_text import fill
from .text import DEFAULT_LANGUAGE, compose_customer, compose_staff, render

MAX_ATTEMPTS = 5
logger = logging.getLogger(__name__)


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
    def customer_id(self) -> int: ...
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
    *,
    users: Iterable[User],
    template: str,
    subject: Any,
    body: Any,
    ticket: TicketContact | None = None,
    params: Mapping[str, Any] | None = None,
    link: str = "",
    link_text: Any = "",
) -> list[Notification]:
    """Put an in-app notification in each active staff user's inbox (one per user), in the
    user's language.

    ``subject`` and ``body`` given as lazy translations are rendered per user with ``params``;
    plain strings are taken as they are. The message ends with its link, absolute under the
    site URL: ``link`` (a path, e.g. the technician's job page) or, about a ticket, the ticket
    page (``/tickets/<number>/``).
    """
    if not link and ticket is not None:
        target, label = staff_ticket_url(ticket), link_text or _("Open the ticket:")
    else:
        target, label = (absolute_url(link) if link else ""), link_text
    queued = []
    for user in {u.pk: u for u in users if u.is_active and not u.is_customer}.values():
        language = user.language or DEFAULT_LANGUAGE
        with translation.override(language):
            subject_text = render(subject, params)
            body_text = compose_staff(language=language, body=render(body, params), link=target, link_text=str(label))
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


def notify_ticket_customer(
    *,
    ticket: TicketContact,
    template: str,
    subject: Any,
    body: Any,
    params: Mapping[str, Any] | None = None,
    link: str = "",
    link_text: Any = "",
    in_app: bool = True,
    saved_templates: Mapping[str, Any] | None = None,
) -> list[Notification]:
    """Tell the ticket's customer, in their language (zh-hans by default): in their portal
    inbox (``in_app``, when they have an account) and, with their consent to be contacted, by
    e-mail and SMS.

    ``subject`` and ``body`` are lazy translations formatted with ``number``, ``name`` and
    ``params``; the body never greets (``text.compose_customer`` adds "尊敬的赵敏：" / "Dear Zhao
    Min,") and its English msgid continues after the greeting in lower case. ``link`` (absolute,
    e.g. ``customer_ticket_url(ticket)``) ends the message after ``link_text``.
    """
    customer = ticket.customer
    language = customer.language or DEFAULT_LANGUAGE
    name = ticket.contact_name or customer.name
    values = {"number": ticket.number, "name": name, **(params or {})}
    with translation.override(language):
        subject_text = render(subject, values)
        body_text = render(body, values)
        label = str(link_text)
        # An administrator's edited texts (read earlier by a caller that must not query here).
        saved = saved_templates if saved_templates is not None else active_templates(event=template, language=language)
        filled = ticket_values(ticket, values) if saved else {}

    def texts(channel: str) -> tuple[str, str]:
        """The channel's subject and body: the active edited template's, else the shipped text."""
        edited, event = saved.get(channel), event_for(template)
        if edited is None or event is None:
            return subject_text, body_text
        try:
            title = (
                fill(edited.subject, filled, event.all_placeholders) if edited.subject and has_subject(channel) else subject_text
            )
            return title, fill(edited.body, filled, event.all_placeholders)
        except KeyError:  # a value the sending code did not pass: the shipped text rather than none
            logger.error(
                "Template %s (%s, %s) v%s needs a value not passed; shipped text sent",
                template,
                channel,
                language,
                edited.version,
            )
            return subject_text, body_text

    def text(*, email: bool, channel: str) -> str:
        body_for = texts(channel)[1]
        return compose_customer(language=language, name=name, body=body_for, link=link, link_text=label, email=email)

    queued: list[Notification] = []
    if in_app and customer.user_id is not None:
        queued.append(
            notification_queue(
                channel=NotificationChannel.IN_APP,
                template=template,
                recipient=str(customer.user_id),
                subject=texts(NotificationChannel.IN_APP)[0],
                body=text(email=False, channel=NotificationChannel.IN_APP),
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
                subject=texts(NotificationChannel.EMAIL)[0],
                body=text(email=True, channel=NotificationChannel.EMAIL),
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
                body=text(email=False, channel=NotificationChannel.SMS),
                language=language,
                ticket=ticket,
            )
        )
    return queued


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, every) unread in-app notification of ``user`` as read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=clock.now())


def ticket_received_templates(*, language: str) -> dict[str, Any]:
    """The edited "ticket received" texts in ``language`` (intake reads them before it takes the
    day's number, so that nothing but the number's statements run under the counter's lock)."""
    return active_templates(event="ticket_received", language=language or DEFAULT_LANGUAGE)


def notify_ticket_received(*, ticket: TicketContact, saved_templates: Mapping[str, Any] | None = None) -> list[Notification]:
    """Tell the customer their ticket number (SPEC §2.1: the customer is told it at once), with
    the signed link to follow the request in the portal. E-mail and SMS only."""
    return notify_ticket_customer(
        saved_templates=saved_templates,
        ticket=ticket,
        template="ticket_received",
        subject=_("Your request %(number)s has been registered"),
        body=_(
            "we have registered your request under number %(number)s. "
            "Quote this number whenever you contact us. We will reply within 24 hours."
        ),
        link=customer_ticket_url(ticket),
        link_text=_("Follow your request here:"),
        in_app=False,
    )


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


def recipient_set_language(*, user: User, language: str) -> bool:
    """Messages follow the language the person chose in the interface (the language switch):
    a staff member's by ``User.language``, a customer's by their customer record's. Returns
    whether anything changed; an unknown language changes nothing."""
    from django.conf import settings

    if language not in {code for code, _name in settings.LANGUAGES} or not user.is_authenticated:
        return False
    changed = User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
    user.language = language
    if user.is_customer:
        changed += Customer.objects.filter(user=user).exclude(language=language).update(language=language)
    return bool(changed)
