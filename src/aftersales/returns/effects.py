"""What a return's changes tell the systems outside (docs/webhooks.md): ``return.status_changed``.
``webhooks`` sits below this app, so the services call this directly (no hook), inside the
change's transaction after its records; with no subscriber nothing is read or built."""

from __future__ import annotations

from typing import Any

from aftersales.webhooks.models import EventType
from aftersales.webhooks.services import webhook_emit_for_ticket

from .models import ReturnAuthorization


def rma_data(rma: ReturnAuthorization) -> dict[str, Any]:
    """The RMA's identifiers, status, the shipments' carriers and tracking numbers, the
    inspection's outcome and the times: no address, no reason or other typed text."""
    return {
        "number": rma.number,
        "kind": rma.kind,
        "status": rma.status,
        "serial_number": rma.unit.serial_number,
        "handover_method": rma.handover_method or None,
        "carrier": rma.carrier or None,
        "tracking_number": rma.tracking_number or None,
        "received_at": rma.received_at,
        "condition": rma.condition or None,
        "disposition": rma.disposition or None,
        "replacement_carrier": rma.shipping_carrier or None,
        "replacement_tracking_number": rma.shipping_tracking or None,
        "shipped_at": rma.shipped_at,
        "delivered_at": rma.delivered_at,
        "completed_at": rma.completed_at,
        "cancelled_at": rma.cancelled_at,
        "created_at": rma.created_at,
        "updated_at": rma.updated_at,
    }


def rma_status_changed(*, rma: ReturnAuthorization, before: str | None) -> None:
    """Authorised (``before`` None) and every move after (``services.common._move``)."""
    webhook_emit_for_ticket(
        event=EventType.RETURN_STATUS_CHANGED,
        ticket_id=rma.ticket_id,
        build=lambda: {"rma": rma_data(rma), "from_status": before, "to_status": rma.status},
    )
