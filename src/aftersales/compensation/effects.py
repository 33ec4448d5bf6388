"""What a refund's or a compensation's changes tell the systems outside (docs/webhooks.md):
``refund.status_changed`` and ``compensation.status_changed``. ``webhooks`` sits below this app,
so the services call this directly (no hook), inside the change's transaction after its records
(``services.common._move``); with no subscriber nothing is read or built."""

from __future__ import annotations

from typing import Any

from aftersales.webhooks.models import EventType
from aftersales.webhooks.services import webhook_emit_for_ticket

from .models import Compensation, Refund


def _common(item: Refund | Compensation) -> dict[str, Any]:
    return {
        "number": item.number,
        "status": item.status,
        "amount": f"{item.amount:.2f}",
        "requested_at": item.requested_at,
        "decided_at": item.decided_at,
        "fulfilled_at": item.fulfilled_at,
        "done_at": item.done_at,
        "updated_at": item.updated_at,
    }


def refund_data(refund: Refund) -> dict[str, Any]:
    """The refund's figures and payment reference: never the bank account or its holder."""
    return {
        **_common(refund),
        "method": refund.method,
        "price": f"{refund.price:.2f}",
        "depreciation": f"{refund.depreciation:.2f}",
        "fees": f"{refund.fees:.2f}",
        "rma_number": refund.rma_number or None,
        "payment_reference": refund.payment_reference or None,
    }


def compensation_data(item: Compensation) -> dict[str, Any]:
    """The compensation's kind and value: never a coupon's code (the customer's to redeem)."""
    return {**_common(item), "kind": item.kind, "points": item.points, "gift_quantity": item.gift_quantity}


def fulfilment_status_changed(*, item: Refund | Compensation, before: str) -> None:
    """Every move of a refund or a compensation after its request."""
    if isinstance(item, Refund):
        refund = item
        webhook_emit_for_ticket(
            event=EventType.REFUND_STATUS_CHANGED,
            ticket_id=refund.ticket_id,
            build=lambda: {"refund": refund_data(refund), "from_status": before, "to_status": refund.status},
        )
    else:
        compensation = item
        webhook_emit_for_ticket(
            event=EventType.COMPENSATION_STATUS_CHANGED,
            ticket_id=compensation.ticket_id,
            build=lambda: {
                "compensation": compensation_data(compensation),
                "from_status": before,
                "to_status": compensation.status,
            },
        )
