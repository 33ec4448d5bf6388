"""Delivery receipts applied to the outbox, and what an undelivered message sets off
(docs/notifications.md, "Delivery receipts").

* ``receipt_record`` applies one receipt (``receipts.Receipt``: a provider's push or a poll) to
  its message: delivered or failed with the provider's code, words and time. Idempotent: the
  first receipt that settles a message wins, a repeated or later one changes nothing; a receipt
  for a message this site did not send (an unknown id, another number) is ignored with a log line.
* ``delivery_failed``: a message that matters (``IMPORTANT_KINDS``) did not reach the customer
  (reported undelivered, or refused at sending): sent again **once** on the next channel the
  customer has (WeChat → SMS → e-mail, another number or address of the same channel first; a
  bounced e-mail: another address, then SMS, then WeChat, a channel only where the same message
  of the ticket did not already go out on it), unless the same send already went there, never to
  an e-mail address marked bouncing; the ticket's assignee is told in their inbox
  ("SMS to 138****0000 not delivered: number out of service"), and the ticket's timeline through
  ``effects.NOTIFICATION_UNDELIVERED``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.i18n import Deferred, deferred
from aftersales.customers.services import email_bouncing

from .audit_actions import DeliveryAudit
from .effects import NOTIFICATION_UNDELIVERED
from .models import DeliveryStatus, Notification, NotificationChannel, NotificationStatus
from .providers import receipt_polls
from .receipts import Receipt, masked_recipient, reason_for, reason_text
from .senders import PermanentSendError, sms_provider
from .services import TicketContact, notification_queue, notify_staff, notify_ticket_customer, wechat_recipient
from .template_events import event_for

logger = logging.getLogger("aftersales.notifications")

# The messages worth a second channel and a call: the customer must act on them or be at home.
IMPORTANT_KINDS = frozenset(
    {
        "ticket_information_requested",
        "ticket_plan_offered",
        "survey",
        "fieldservice.appointment",
        "fieldservice.reassigned",
        "fieldservice.rescheduled",
        "fieldservice.cancelled",
        "fieldservice.quote",
    }
)
FALLBACK_ORDER = (NotificationChannel.WECHAT, NotificationChannel.SMS, NotificationChannel.EMAIL)
# E-mail is last in the order above: a bounced e-mail goes back to the phone, SMS first.
EMAIL_FALLBACK_ORDER = (NotificationChannel.EMAIL, NotificationChannel.SMS, NotificationChannel.WECHAT)
# A message "went out" on a channel while it is queued or sent and not reported undelivered.
_OUT = (NotificationStatus.PENDING, NotificationStatus.SENT)
SETTLED = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.FAILED})
_UNDELIVERED = _("%(channel)s to %(recipient)s not delivered: %(reason)s.")
_UNDELIVERED_SENT_AGAIN = _(
    "%(channel)s to %(recipient)s not delivered: %(reason)s. Sent again by %(fallback_channel)s to %(fallback_recipient)s."
)
_NOT_DIGITS = re.compile(r"\D")


def _address_key(channel: str, address: str) -> str:
    """An address compared across spellings: a phone's digits, an e-mail in lower case."""
    if channel == NotificationChannel.SMS:
        return _NOT_DIGITS.sub("", address)[-11:]
    return address.strip().lower() if channel == NotificationChannel.EMAIL else address.strip()


def _address_matches(receipt: Receipt, row: Notification) -> bool:
    """The receipt names the number, openid or e-mail address the message went to. A provider may
    mask digits (``1381111****``): every digit it shows must match, counted from the end."""
    given = receipt.address.strip().lstrip("+")
    if not given:
        return True
    if receipt.channel == NotificationChannel.WECHAT:
        return given == row.recipient
    if receipt.channel == NotificationChannel.EMAIL:  # a bounce (mailin.bounces) names the address
        return _address_key(receipt.channel, receipt.address) == _address_key(row.channel, row.recipient)
    stored = _NOT_DIGITS.sub("", row.recipient)
    shown = [(a, b) for a, b in zip(reversed(given), reversed(stored), strict=False) if a.isdigit()]
    return len(shown) >= 4 and all(a == b for a, b in shown)


def _message_of(receipt: Receipt) -> int | None:
    """The outbox row a receipt is about: by our id when the provider echoes it, else by the
    provider's message id (Tencent's sid, WeChat's msgid)."""
    rows = Notification.objects.filter(channel=receipt.channel)
    if receipt.notification_id is not None:
        found = rows.filter(pk=receipt.notification_id).values_list("pk", "provider_ref").first()
        if found is None or (receipt.provider_ref and found[1] and found[1] != receipt.provider_ref):
            return None
        return int(found[0])
    if not receipt.provider_ref:
        return None
    return rows.filter(provider_ref=receipt.provider_ref).order_by("-pk").values_list("pk", flat=True).first()


@transaction.atomic
def receipt_record(*, receipt: Receipt) -> Notification | None:
    """Apply one receipt to its message (see the module's docstring); the message, or None when
    the receipt is ignored."""
    row_id = _message_of(receipt)
    row = Notification.objects.select_for_update().filter(pk=row_id).first() if row_id is not None else None
    if row is None:
        logger.info(
            "Delivery receipt from %s for a message this site did not send (id %s, ref %s): ignored",
            receipt.provider,
            receipt.notification_id,
            receipt.provider_ref,
        )
        return None
    if not _address_matches(receipt, row):
        logger.warning("Delivery receipt from %s for notification %s names another recipient: ignored", receipt.provider, row.pk)
        return None
    if row.delivery in SETTLED:
        return row  # the first receipt is final: a repeated push or a late second report changes nothing
    row.delivery = DeliveryStatus.DELIVERED if receipt.delivered else DeliveryStatus.FAILED
    row.delivery_code = receipt.code[:64]
    row.delivery_detail = receipt.detail[:255]
    row.delivered_at = receipt.at or clock.now()
    fields = ["delivery", "delivery_code", "delivery_detail", "delivered_at"]
    if receipt.provider_ref and not row.provider_ref:
        row.provider_ref = receipt.provider_ref[:64]
        fields.append("provider_ref")
    row.save(update_fields=fields)
    if not receipt.delivered:
        delivery_failed(notification=row)
    return row


def _matters(notification: Notification) -> bool:
    """A message to a ticket's customer (not an inbox copy) of a kind worth a second channel."""
    return bool(
        notification.ticket_id
        and notification.user_id is None
        and notification.channel in FALLBACK_ORDER
        and notification.template in IMPORTANT_KINDS
    )


def delivery_failed(*, notification: Notification) -> Notification | None:
    """A message did not reach its customer (the row is marked failed, in this transaction).
    For a message that matters: its fallback (once), the audit row, the assignee's notice and
    the hook of the timeline. Returns the fallback queued, if any."""
    if not _matters(notification):
        return None
    ticket: Any = notification.ticket  # the ticket model sits above this app: read through the relation
    fallback = _fallback(notification, ticket)
    audit_record(
        action=DeliveryAudit.FAILED,
        obj=notification,
        changes={
            "channel": notification.channel,
            "code": notification.delivery_code,
            "fallback": [fallback.channel, masked_recipient(fallback.channel, fallback.recipient)] if fallback else None,
        },
    )
    _tell_agent(notification, ticket, fallback)
    NOTIFICATION_UNDELIVERED.send(notification=notification, fallback=fallback, text=undelivered_text(notification, fallback))
    return fallback


def _order_after(channel: str) -> tuple[NotificationChannel, ...]:
    """The channels tried after ``channel`` failed, the same channel first: onwards in
    ``FALLBACK_ORDER``; a bounced e-mail back to SMS, then WeChat (``EMAIL_FALLBACK_ORDER``)."""
    if channel == NotificationChannel.EMAIL:
        return EMAIL_FALLBACK_ORDER
    return FALLBACK_ORDER[FALLBACK_ORDER.index(NotificationChannel(channel)) :]


def _went_out(failed: Notification, ticket: Any) -> set[str]:
    """The other channels the same message of the ticket (its template) already went out on, in
    any send: a bounced e-mail is not repeated where the customer already has it."""
    rows = Notification.objects.filter(ticket_id=ticket.pk, template=failed.template, user__isnull=True, status__in=_OUT).exclude(
        channel__in=[failed.channel, NotificationChannel.IN_APP]
    )
    return set(rows.exclude(delivery=DeliveryStatus.FAILED).values_list("channel", flat=True))


def _candidates(failed: Notification, ticket: Any) -> Iterator[tuple[str, str]]:
    """The customer's other addresses, in the fallback order from the failed channel on (the same
    channel's other number or address first); never an e-mail address marked bouncing."""
    customer = ticket.customer
    addresses = {
        NotificationChannel.WECHAT: [wechat_recipient(customer_id=customer.pk)],
        NotificationChannel.SMS: [ticket.contact_phone, customer.phone],
        NotificationChannel.EMAIL: [ticket.contact_email, customer.email],
    }
    failed_key = _address_key(failed.channel, failed.recipient)
    done = _went_out(failed, ticket) if failed.channel == NotificationChannel.EMAIL else set()
    for channel in _order_after(failed.channel):
        if channel in done:
            continue
        for address in dict.fromkeys(a for a in addresses[channel] if a):
            if channel == failed.channel and _address_key(channel, address) == failed_key:
                continue
            if channel == NotificationChannel.EMAIL and email_bouncing(customer, address):
                continue
            yield channel, address


def _fallback(failed: Notification, ticket: Any) -> Notification | None:
    """The message again on the next channel the customer has, once per send: not for a fallback
    itself, not where the same send already went, only with the customer's consent. A second
    fallback of one send is refused by the database (``notification_one_fallback_per_send``)."""
    if failed.fallback_for_id is not None or not ticket.customer.consent_contact:
        return None
    group = [failed]
    if failed.send_group:
        group = list(Notification.objects.filter(ticket_id=ticket.pk, send_group=failed.send_group).order_by("pk"))
    if any(row.fallback_for_id is not None for row in group):
        return None
    reached = {(row.channel, _address_key(row.channel, row.recipient)) for row in group}
    for channel, address in _candidates(failed, ticket):
        if (channel, _address_key(channel, address)) in reached:
            continue
        try:
            with transaction.atomic():
                return _queue_fallback(failed, group, ticket, channel, address)
        except IntegrityError:
            return None  # another receipt of the same send queued its fallback first
    return None


def _queue_fallback(
    failed: Notification, group: list[Notification], ticket: Any, channel: str, address: str
) -> Notification | None:
    if channel == failed.channel:  # another number or address: the same message
        return notification_queue(
            channel=channel,
            template=failed.template,
            recipient=address,
            subject=failed.subject,
            body=failed.body,
            language=failed.language,
            ticket=ticket,
            params=failed.params,
            group=failed.send_group,
            fallback_for=failed,
        )
    # Another channel: the message composed again for it from the values it was sent with (every
    # row of the send keeps them; an e-mail stored before it kept them has only its text).
    source = next((row for row in [failed, *group] if row.params), None)
    if source is None and failed.channel == NotificationChannel.EMAIL:
        source = _earlier_values(failed, ticket)
    if source is None or event_for(failed.template) is None:
        return None
    params = {str(key): value for key, value in source.params.items()}
    queued = notify_ticket_customer(
        ticket=ticket,
        template=failed.template,
        params=params,
        link=str(params.get("link") or ""),
        in_app=False,
        targets=[(channel, address)],
        fallback_for=failed,
    )
    return queued[0] if queued else None


def _earlier_values(failed: Notification, ticket: Any) -> Notification | None:
    """A bounced e-mail without values (stored before e-mails kept them) whose send had no SMS or
    WeChat row: the values of the same message of the ticket sent by SMS or WeChat before, the
    newest."""
    rows = Notification.objects.filter(
        ticket_id=ticket.pk,
        template=failed.template,
        user__isnull=True,
        channel__in=[NotificationChannel.SMS, NotificationChannel.WECHAT],
    ).order_by("-pk")[:5]
    return next((row for row in rows if row.params), None)


def _labels(notification: Notification, fallback: Notification | None) -> dict[str, Any]:
    event = event_for(notification.template)
    values: dict[str, Any] = {
        "channel": NotificationChannel(notification.channel).label,
        "recipient": masked_recipient(notification.channel, notification.recipient),
        "reason": reason_for(notification.delivery_code),
        "message": event.label if event is not None else notification.template,
    }
    if fallback is not None:
        values["fallback_channel"] = NotificationChannel(fallback.channel).label
        values["fallback_recipient"] = masked_recipient(fallback.channel, fallback.recipient)
    return values


def _tell_agent(notification: Notification, ticket: TicketContact, fallback: Notification | None) -> None:
    """The ticket's assignee (else whoever registered it) in their inbox, in their language."""
    people = [getattr(ticket, "assignee", None), getattr(ticket, "created_by", None)]
    user = next((person for person in people if isinstance(person, User)), None)
    if user is None:
        return
    notify_staff(
        users=[user],
        template="notification_undelivered",
        event="notification_undelivered.fallback" if fallback is not None else "notification_undelivered",
        ticket=ticket,
        params={"number": ticket.number, **_labels(notification, fallback)},
    )


def undelivered_text(notification: Notification, fallback: Notification | None) -> Deferred:
    """The timeline's sentence (``core.i18n.deferred``: each reader's language)."""
    values: dict[str, Any] = {
        "channel": NotificationChannel(notification.channel).label,
        "recipient": masked_recipient(notification.channel, notification.recipient),
        "reason": reason_text(notification.delivery_code),
    }
    if fallback is None:
        return deferred(_UNDELIVERED, **values)
    return deferred(
        _UNDELIVERED_SENT_AGAIN,
        **values,
        fallback_channel=NotificationChannel(fallback.channel).label,
        fallback_recipient=masked_recipient(fallback.channel, fallback.recipient),
    )


# --- Polling, where the provider cannot push --------------------------------------------------

POLL_WINDOW = dt.timedelta(hours=48)  # carriers give up on a switched-off phone within two days
POLL_AFTER = dt.timedelta(minutes=2)  # a receipt usually comes within seconds; leave the push its chance
ALIYUN_PER_RUN = 500
TENCENT_CALLS_PER_RUN = 10


def polling_enabled() -> bool:
    """``SMS_RECEIPT_POLL``: fetch receipts from the SMS provider (its push cannot reach this site)."""
    value = getattr(settings, "SMS_RECEIPT_POLL", False)
    return value is True or str(value).strip().lower() in {"1", "true", "yes", "on"}


def receipts_poll(*, now: dt.datetime | None = None) -> int:
    """Fetch the receipts of the SMS sent in the last two days that have none yet, and apply them
    (``receipt_record``: idempotent, so a push that also arrives changes nothing). Returns how
    many receipts matched a message. A provider that cannot answer now ends the run (the next one
    goes on)."""
    if not polling_enabled():
        return 0
    now = now or clock.now()
    provider = sms_provider()
    receipts: list[Receipt] = []
    try:
        if provider == "aliyun":
            rows = (
                Notification.objects.filter(
                    channel=NotificationChannel.SMS,
                    delivery=DeliveryStatus.SENT,
                    sent_at__gte=now - POLL_WINDOW,
                    sent_at__lte=now - POLL_AFTER,
                )
                .exclude(provider_ref="")
                .order_by("sent_at", "pk")[:ALIYUN_PER_RUN]
            )
            for row in rows:
                found = receipt_polls.aliyun_receipt(row)
                if found is not None:
                    receipts.append(found)
        elif provider == "tencent":
            for _call in range(TENCENT_CALLS_PER_RUN):
                pulled = receipt_polls.tencent_pull()
                receipts.extend(pulled)
                if len(pulled) < receipt_polls.TENCENT_PULL_LIMIT:
                    break
    except PermanentSendError as exc:
        logger.error("Delivery receipts could not be fetched from %s: %s", provider, exc)
    except Exception as exc:  # noqa: BLE001 - transient: the next run asks again
        logger.warning("Delivery receipts could not be fetched from %s now: %s", provider, exc)
    return sum(1 for receipt in receipts if receipt_record(receipt=receipt) is not None)
