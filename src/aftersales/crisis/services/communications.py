"""The communication log and the customer notice through the notifications outbox."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.notifications.services import notify_ticket_customer
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket
from aftersales.tickets.process.common import timeline

from ..audit_actions import CrisisAudit
from ..models import Audience, Communication, Crisis
from ..permissions import check_manage
from .shared import bump, clean_text, lock_crisis


@transaction.atomic
def crisis_record_communication(*, crisis: Crisis, actor: User, audience: str, body: str, subject: str = "") -> Communication:
    """A line of the communication log: what was said to whom (internal, media, regulator…)."""
    check_manage(actor)
    if audience not in Audience.values:
        raise ValidationFailed({"audience": [_("Choose a valid audience.")]}, code="audience_invalid")
    locked = lock_crisis(crisis.pk, None)
    now = clock.now()
    entry = Communication.objects.create(
        crisis=locked,
        audience=audience,
        subject=clean_text(subject, field="subject", required=False, limit=200),
        body=clean_text(body, field="body"),
        recorded_by=actor,
        created_at=now,
    )
    bump(locked, now)
    audit_record(action=CrisisAudit.COMMUNICATION_RECORDED, obj=locked, actor=actor, changes={"audience": audience})
    return entry


@transaction.atomic
def crisis_notify_customers(*, crisis: Crisis, actor: User, body: str) -> Communication:
    """The customer notice: every affected customer (one message set per customer, about their
    latest linked ticket), through the notifications outbox in their language and channels."""
    check_manage(actor)
    text = clean_text(body, field="body", limit=1000)
    locked = lock_crisis(crisis.pk, None)
    now = clock.now()
    latest: dict[int, Ticket] = {}
    for ticket in locked.tickets.select_related("customer", "customer__user").order_by("created_at", "pk"):
        latest[ticket.customer_id] = ticket
    queued = 0
    for ticket in latest.values():
        queued += len(
            notify_ticket_customer(
                ticket=ticket,
                template="crisis.customer_notice",  # editable: notifications.template_events
                params={"message": text},
            )
        )
        timeline(
            ticket=ticket,
            actor=actor,
            kind=EventKind.NOTE,
            public=True,
            body=text,
            data={"action": "crisis_notice", "crisis": locked.pk},
        )
    entry = Communication.objects.create(
        crisis=locked,
        audience=Audience.CUSTOMERS,
        subject="",
        body=text,
        recipients=len(latest),
        messages=queued,
        recorded_by=actor,
        created_at=now,
    )
    changes: dict[str, Any] = {}
    if locked.first_notice_at is None and latest:
        changes["first_notice_at"] = now
    bump(locked, now, **changes)
    audit_record(
        action=CrisisAudit.CUSTOMERS_NOTIFIED, obj=locked, actor=actor, changes={"customers": len(latest), "messages": queued}
    )
    return entry
