"""Queueing and delivering notifications. Queue inside the business transaction; the delivery
job is enqueued only after commit, takes the notification id and is idempotent."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.core.jobs import enqueue_with_transaction
from aftersales.core.links import absolute_url
from aftersales.customers.models import Customer
from aftersales.customers.services import customer_language_from_account, email_bouncing

from .links import customer_ticket_url, staff_ticket_url
from .models import (
    DeliveryStatus,
    Notification,
    NotificationChannel,
    NotificationStatus,
    NotificationTemplate,
    WeChatContact,
)
from .redaction import holds_secret, redacted
from .senders import PermanentSendError, SendSkipped, sender_for
from .short_links import short_link_values
from .template_events import TemplateEvent, event_for, has_subject
from .template_selectors import active_templates, ticket_values
from .template_text import fill, msgid, prepared
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


# A message with a one-time code or link (sign-up, sign-in, password reset, invitation) is read
# by a person waiting for it: it goes before the queued jobs (a demo load, a night's survey
# batch), where the backend orders by priority (the database backend; RQ has a queue per kind).
SECRET_PRIORITY = 50


def _enqueue_delivery(notification_id: int, *, waited_for: bool = False) -> None:
    from .tasks import deliver_notification

    task = deliver_notification
    if waited_for and task.get_backend().supports_priority:
        task = task.using(priority=SECRET_PRIORITY)
    task.enqueue(notification_id)


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
    params: Mapping[str, str] | None = None,
    group: str = "",
    fallback_for: Notification | None = None,
    skipped: str = "",
) -> Notification:
    """Store a rendered message (the outbox row) and send it in a job queued with the
    transaction (``core.jobs``: in it on the database backend, after commit on others);
    ``skipped`` (the reason) stores it skipped instead, not sent, the reason in ``last_error``.

    ``ticket`` (a ticket, the message is about it) is stored by its key; ``user`` puts an
    in-app notification in that staff member's inbox; ``params`` are the message's values
    (number, link, …) that an SMS provider's or WeChat's pre-approved template is filled with,
    and from which the message is composed again on another channel (an e-mail keeps them too;
    a one-time secret in them is masked once the message is settled, ``redaction``);
    ``group`` is shared by the messages of one send, ``fallback_for`` names the undelivered
    message this one replaces on another channel (``delivery.delivery_failed``).
    """
    notification = Notification.objects.create(
        channel=channel,
        template=template,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        params=dict(params or {}),
        language=language,
        ticket_id=ticket.pk if ticket is not None else None,
        user=user,
        send_group=group,
        fallback_for=fallback_for,
        **({"status": NotificationStatus.SKIPPED, "delivery": DeliveryStatus.NOT_SENT, "last_error": skipped} if skipped else {}),
    )
    if skipped:
        return notification
    from .tasks import deliver_notification

    waited_for = holds_secret(template)
    enqueue_with_transaction(deliver_notification, lambda: _enqueue_delivery(notification.pk, waited_for=waited_for))
    return notification


def _shipped(key: str, subject: Any, body: Any) -> tuple[Any, Any, TemplateEvent | None]:
    """The texts a message is sent with when no edited version is active: an editable event's
    (``template_events.EVENTS``, today's texts), else the caller's."""
    known = event_for(key)
    if known is None:
        return subject, body, None
    for given, shipped in ((subject, known.subject), (body, known.body)):
        if given is not None and msgid(given) != msgid(shipped):
            logger.warning("Message %s: the caller's text differs from the event's shipped text; the event's is sent", key)
    return known.subject, known.body, known


def _edited(
    event: TemplateEvent | None, saved: NotificationTemplate | None, channel: str, values: Mapping[str, Any]
) -> tuple[str, str] | None:
    """The edited template's subject and body filled with ``values`` (in the active language),
    or None: no active version, or it needs a value the sending code did not pass (logged; the
    shipped text is sent rather than none)."""
    if event is None or saved is None:
        return None
    filled = prepared(values)
    try:
        title = fill(saved.subject, filled, event.all_placeholders) if saved.subject and has_subject(channel) else ""
        return title, fill(saved.body, filled, event.all_placeholders)
    except KeyError:
        logger.error(
            "Template %s (%s, %s) v%s needs a value not passed; shipped text sent",
            event.key,
            channel,
            saved.language,
            saved.version,
        )
        return None


def notify_staff(
    *,
    users: Iterable[User],
    template: str,
    subject: Any = None,
    body: Any = None,
    ticket: TicketContact | None = None,
    params: Mapping[str, Any] | None = None,
    link: str = "",
    link_text: Any = "",
    event: str = "",
) -> list[Notification]:
    """Put an in-app notification in each active staff user's inbox (one per user), in the
    user's language.

    ``template`` names the message on the outbox row; ``event`` (default: ``template``) its
    editable text (``template_events.EVENTS``): the administrator's active version in the
    user's language when there is one, else the event's shipped ``subject`` and ``body``
    (lazy translations rendered per user with ``params``). A message that is no editable event
    is sent with the ``subject`` and ``body`` given (plain strings are taken as they are). The
    message ends with its link, absolute under the site URL: ``link`` (a path, e.g. the
    technician's job page) or, about a ticket, the ticket page (``/tickets/<number>/``).
    """
    subject, body, known = _shipped(event or template, subject, body)
    if not link_text and known is not None:
        link_text = known.link_text
    if not link and ticket is not None:
        target, label = staff_ticket_url(ticket), link_text or _("Open the ticket:")
    else:
        target, label = (absolute_url(link) if link else ""), link_text
    recipients = {u.pk: u for u in users if u.is_active and not u.is_customer}.values()
    saved_by_language: dict[str, dict[str, NotificationTemplate]] = {}
    queued = []
    for user in recipients:
        language = user.language or DEFAULT_LANGUAGE
        if known is not None and language not in saved_by_language:
            saved_by_language[language] = active_templates(event=known.key, language=language)
        with translation.override(language):
            saved = saved_by_language.get(language, {}).get(NotificationChannel.IN_APP)
            edited = _edited(known, saved, NotificationChannel.IN_APP, params or {})
            subject_text = (edited[0] or render(subject, params)) if edited else render(subject, params)
            body_part = edited[1] if edited else render(body, params)
            body_text = compose_staff(language=language, body=body_part, link=target, link_text=str(label))
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
    subject: Any = None,
    body: Any = None,
    params: Mapping[str, Any] | None = None,
    link: str = "",
    link_text: Any = "",
    in_app: bool = True,
    saved_templates: Mapping[str, Any] | None = None,
    event: str = "",
    wechat: str | None = None,
    targets: Sequence[tuple[str, str]] | None = None,
    fallback_for: Notification | None = None,
) -> list[Notification]:
    """Tell the ticket's customer, in their language (zh-hans by default): in their portal
    inbox (``in_app``, when they have an account) and, with their consent to be contacted, by
    e-mail, SMS and WeChat (when their WeChat account is bound, ``WeChatContact``).

    ``event`` (default: ``template``) names the editable text (``template_events.EVENTS``):
    per channel the administrator's active version in the customer's language, else the
    event's shipped ``subject`` and ``body`` (lazy translations formatted with ``number``,
    ``name`` and ``params``); a message that is no editable event is sent with the ``subject``
    and ``body`` given. The body never greets (``text.compose_customer`` adds "尊敬的赵敏：" /
    "Dear Zhao Min,") and its English msgid continues after the greeting in lower case.
    ``link`` (absolute, e.g. ``customer_ticket_url(ticket)``) ends the message after
    ``link_text``. ``saved_templates`` and ``wechat`` (the WeChat recipient, "" for none) are
    read beforehand by a caller that must not query here (intake). The SMS and WeChat rows'
    values (``params``) carry the link and, for a link to this site, its short link
    (``short_links``: written without a read, as intake needs).

    ``targets`` (channel, address) replaces the customer's addresses (the fallback of an
    undelivered message, ``fallback_for``: ``delivery.delivery_failed``); the rows of one call
    share a ``send_group``.
    """
    subject, body, known = _shipped(event or template, subject, body)
    customer = ticket.customer
    language = customer.language or DEFAULT_LANGUAGE
    name = ticket.contact_name or customer.name
    values = {"number": ticket.number, "name": name, **(params or {})}
    with translation.override(language):
        subject_text = render(subject, values)
        body_text = render(body, values)
        label = str(link_text or (known.link_text if known is not None else ""))
        # An administrator's edited texts (read earlier by a caller that must not query here).
        if known is None:
            saved: Mapping[str, Any] = {}
        elif saved_templates is not None:
            saved = saved_templates
        else:
            saved = active_templates(event=known.key, language=language)
        filled = ticket_values(ticket, values) if saved else {}
        # The values a provider's template (SMS, WeChat) is filled with: its text is approved in
        # advance, only these go with each message (docs/notifications.md "SMS and WeChat providers").
        provider_values = {**(filled or ticket_values(ticket, values)), **({"link": link} if link else {})}

    def texts(channel: str) -> tuple[str, str]:
        """The channel's subject and body: the active edited template's, else the shipped text."""
        with translation.override(language):
            edited = _edited(known, saved.get(channel), channel, filled)
        if edited is None:
            return subject_text, body_text
        return edited[0] or subject_text, edited[1]

    def text(*, email: bool, channel: str) -> str:
        body_for = texts(channel)[1]
        return compose_customer(language=language, name=name, body=body_for, link=link, link_text=label, email=email)

    queued: list[Notification] = []
    group = fallback_for.send_group if fallback_for is not None else uuid.uuid4().hex
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
                group=group,
            )
        )
    if not customer.consent_contact:
        return queued
    if targets is None:
        openid = wechat if wechat is not None else wechat_recipient(customer_id=ticket.customer_id)
        targets = [
            (NotificationChannel.EMAIL, ticket.contact_email or customer.email),
            (NotificationChannel.SMS, ticket.contact_phone or customer.phone),
            (NotificationChannel.WECHAT, openid),
        ]
    targets = [(channel, address) for channel, address in targets if address]
    if link and any(channel != NotificationChannel.EMAIL for channel, _address in targets):
        # An SMS variable cannot hold the link: its short link (docs/notifications.md "Short links").
        provider_values.update(short_link_values(link, language=language))
    for channel, address in targets:
        email = channel == NotificationChannel.EMAIL
        queued.append(
            notification_queue(
                channel=channel,
                template=template,
                recipient=address,
                subject=texts(channel)[0] if email else "",
                body=text(email=email, channel=channel),
                language=language,
                ticket=ticket,
                # Every channel keeps the values, an e-mail too: a bounced e-mail is composed
                # again from them for SMS or WeChat (``delivery._queue_fallback``).
                params=provider_values,
                group=group,
                fallback_for=fallback_for,
                skipped=email_bounce_skip(customer, address) if email else "",
            )
        )
    return queued


def email_bounce_skip(customer: Customer, address: str) -> str:
    """Why a customer e-mail to ``address`` is not sent: it is the customer's own address and it
    is marked bouncing (``customers.services.customer_email_bounced``); "" when it may go."""
    if not email_bouncing(customer, address):
        return ""
    since = timezone.localdate(customer.email_bounced_at).isoformat() if customer.email_bounced_at else ""
    reason = f" ({customer.email_bounce_reason})" if customer.email_bounce_reason else ""
    return f"email_bounced: not sent, the customer's e-mail address is marked bouncing since {since}{reason}"


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


def notify_ticket_received(
    *, ticket: TicketContact, saved_templates: Mapping[str, Any] | None = None, wechat: str | None = None
) -> list[Notification]:
    """Tell the customer their ticket number (SPEC §2.1: the customer is told it at once), with
    the signed link to follow the request in the portal. E-mail, SMS and WeChat (not in-app).

    Intake passes ``saved_templates`` (and may pass ``wechat``) read before the number is taken;
    without ``wechat`` from such a caller no WeChat message goes (nothing is read under its lock)."""
    return notify_ticket_customer(
        saved_templates=saved_templates,
        ticket=ticket,
        template="ticket_received",
        link=customer_ticket_url(ticket),
        in_app=False,
        wechat=wechat if wechat is not None or saved_templates is None else "",
    )


def wechat_recipient(*, customer_id: int | None) -> str:
    """The customer's bound WeChat account (its openid), "" when none is bound."""
    if customer_id is None:
        return ""
    return WeChatContact.objects.filter(customer_id=customer_id).values_list("openid", flat=True).first() or ""


def staff_wechat_recipient(*, user: User) -> str:
    """A staff member's bound WeChat account (for an administrator's test send), "" when none."""
    return WeChatContact.objects.filter(user_id=user.pk).values_list("openid", flat=True).first() or ""


@transaction.atomic
def wechat_contact_bind(*, openid: str, customer: Customer | None = None, user: User | None = None) -> WeChatContact:
    """Bind (or re-bind) a customer's WeChat account (their customer messages go there too, with
    their consent to be contacted) or a staff member's (test sends); called by the WeChat
    backend's integration or in the admin site. An openid bound to someone else is moved."""
    value = (openid or "").strip()
    if not value or len(value) > 64:
        raise ValidationFailed(
            {"openid": [_("Give the WeChat account's openid (at most 64 characters).")]}, code="openid_invalid"
        )
    if (customer is None) == (user is None):
        raise ValidationFailed(
            {"openid": [_("Bind the WeChat account to one customer or one staff member.")]}, code="openid_owner"
        )
    WeChatContact.objects.filter(openid=value).exclude(customer=customer, user=user).delete()
    defaults: dict[str, Any] = {"openid": value, "bound_at": clock.now()}
    if customer is not None:
        contact, _created = WeChatContact.objects.update_or_create(customer=customer, defaults=defaults)
    else:
        contact, _created = WeChatContact.objects.update_or_create(user=user, defaults=defaults)
    return contact


def _settled(notification: Notification, status: str, error: str | None = None) -> Notification:
    """Mark a notification done for good (sent, skipped, failed; ``error`` the reason, kept in
    ``last_error``): a one-time code in its text and values has no further use and is masked
    (``redaction``)."""
    notification.status = status
    notification.body = redacted(notification.template, notification.body)
    if holds_secret(notification.template):
        notification.params = {key: redacted(notification.template, str(v)) for key, v in notification.params.items()}
    fields = ["attempts", "status", "body", "params", "delivery"]
    if error is not None:
        notification.last_error = error
        fields.append("last_error")
    if status == NotificationStatus.SENT:
        notification.sent_at = clock.now()
        # The row is the in-app message; the others wait for a receipt (``receipts``).
        in_app = notification.channel == NotificationChannel.IN_APP
        notification.delivery = DeliveryStatus.DELIVERED if in_app else DeliveryStatus.SENT
        fields += ["sent_at", "provider_ref"]
    elif status == NotificationStatus.FAILED:
        notification.delivery = DeliveryStatus.FAILED
        fields.append("delivery_code")
    else:
        notification.delivery = DeliveryStatus.NOT_SENT
    notification.save(update_fields=fields)
    return notification


def _error_text(notification: Notification, exc: Exception) -> str:
    return redacted(notification.template, f"{type(exc).__name__}: {exc}")[:2000]


def _failed(notification: Notification) -> Notification:
    """A message refused for good: its fallback and the agent's notice (``delivery``), in a
    savepoint of the same transaction. Their own error is logged and leaves the failure
    recorded (the message must not be sent again for it); the failed deliveries page shows it."""
    # A real cycle: ``delivery`` builds on this module's queueing (notify_ticket_customer, notify_staff).
    from .delivery import delivery_failed

    try:
        with transaction.atomic():
            delivery_failed(notification=notification)
    except Exception:
        logger.exception("Notification %s failed; its fallback or notice could not be queued", notification.pk)
    return notification


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Send one notification once. Safe to call again: a sent one is not sent twice.

    Raises on a sender error (so the job runner retries) until ``MAX_ATTEMPTS`` is reached,
    after which the notification is marked failed with the error kept. A sender that skips the
    message (``SendSkipped``: e.g. no SMS template for its kind) or is refused for good
    (``PermanentSendError``: a bad number or template) settles it at once, reason kept.
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != NotificationStatus.PENDING:
            return notification
        notification.attempts += 1
        try:
            sender_for(notification.channel).send(notification)
        except SendSkipped as exc:
            return _settled(notification, NotificationStatus.SKIPPED, redacted(notification.template, str(exc))[:2000])
        except PermanentSendError as exc:
            notification.delivery_code = str(getattr(exc, "code", "") or "")[:64]
            return _failed(_settled(notification, NotificationStatus.FAILED, _error_text(notification, exc)))
        except Exception as exc:  # noqa: BLE001 - any other sender failure is recorded and retried
            if notification.attempts >= MAX_ATTEMPTS:
                notification.delivery_code = "unreachable"
                return _failed(_settled(notification, NotificationStatus.FAILED, _error_text(notification, exc)))
            notification.last_error = _error_text(notification, exc)
            notification.save(update_fields=["attempts", "last_error"])
            raise_after = exc
        else:
            # Delivered: the row stays for the audit trail, its one-time code does not.
            return _settled(notification, NotificationStatus.SENT)
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
        changed += int(customer_language_from_account(user=user, language=language))
    return bool(changed)
