"""Ticket and SLA events come from the audit log, which every change already writes in its
transaction: an ``AuditEvent`` row with a known action becomes a webhook event, recorded in the
same transaction and delivered after commit."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from aftersales.audit.models import AuditEvent

from .models import EventType

logger = logging.getLogger("aftersales.webhooks")

AUDIT_ACTIONS = {
    "ticket.created": EventType.TICKET_CREATED,
    "ticket.status_changed": EventType.TICKET_STATUS_CHANGED,
    "sla.breached": EventType.SLA_BREACHED,
}


@receiver(post_save, sender=AuditEvent, dispatch_uid="webhooks_from_audit")
def emit_from_audit(sender: type[AuditEvent], instance: AuditEvent, created: bool, **kwargs: Any) -> None:
    event = AUDIT_ACTIONS.get(instance.action)
    if not created or event is None or instance.object_type != "tickets.ticket":
        return
    from aftersales.tickets.models import Ticket

    from .services import ticket_payload, webhook_emit, webhook_subscriptions_for

    # Subscriptions first: with none (the usual case) the ticket is not read at all.
    subscriptions = webhook_subscriptions_for(event)
    if not subscriptions:
        return
    ticket = Ticket.objects.select_related("region").filter(pk=instance.object_id).first()
    if ticket is None:
        return
    changes = instance.changes or {}
    extra: dict[str, Any] = {}
    if event == EventType.TICKET_STATUS_CHANGED and isinstance(changes.get("status"), list):
        extra = {"from_status": changes["status"][0], "to_status": changes["status"][1]}
    elif event == EventType.SLA_BREACHED:
        extra = {"metric": changes.get("metric")}
    webhook_emit(event=event, payload=ticket_payload(ticket, **extra), region=ticket.region, subscriptions=subscriptions)
