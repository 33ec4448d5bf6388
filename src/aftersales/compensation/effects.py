"""What a refund's or a compensation's changes tell the systems outside (docs/webhooks.md):
``refund.requested`` and ``compensation.requested`` once, when the request is created
(``services.refunds.refund_request``, ``services.compensations.compensation_request``: the only
places either is created — the staff pages, the API and the demo all call them), then
``refund.status_changed`` and ``compensation.status_changed`` at every move. ``webhooks`` sits
below this app, so the services call this directly (no hook), inside the change's transaction
after its records (``services.common._record`` / ``_move``): a rolled-back request sends nothing,
a committed one exactly one event. With no subscriber nothing is read or built."""

from __future__ import annotations

from typing import Any

from aftersales.remedies.models import RemedyDecision
from aftersales.tickets.models import TicketCategory
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


# Every amount is in renminbi (the API's money fields say so too); the requested events name it
# for the finance systems that book them.
CURRENCY = "CNY"


def _reason(item: Refund | Compensation) -> dict[str, Any]:
    """Why it was requested, as categories only: the ticket's complaint category (its code; null
    when not classified) and whether the requester wrote a reason — the reason itself is the
    staff's words and is not sent."""
    category = item.ticket.category_id
    code = TicketCategory.objects.filter(pk=category).values_list("code", flat=True).first() if category else None
    return {"reason_category": code, "has_reason": bool(item.reason)}


def fulfilment_requested(*, item: Refund | Compensation) -> None:
    """The request itself (status ``requested``), once, before its first move (approval routing).
    A refund adds the 三包 rule of the ticket's remedy decision (``remedy_rule``; null without one)."""
    if isinstance(item, Refund):
        refund = item

        def build_refund() -> dict[str, Any]:
            rule = RemedyDecision.objects.filter(ticket_id=refund.ticket_id).values_list("rule", flat=True).first()
            return {"refund": {**refund_data(refund), "currency": CURRENCY}, **_reason(refund), "remedy_rule": rule}

        webhook_emit_for_ticket(event=EventType.REFUND_REQUESTED, ticket_id=refund.ticket_id, build=build_refund)
    else:
        compensation = item
        webhook_emit_for_ticket(
            event=EventType.COMPENSATION_REQUESTED,
            ticket_id=compensation.ticket_id,
            build=lambda: {
                "compensation": {**compensation_data(compensation), "currency": CURRENCY},
                **_reason(compensation),
            },
        )


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
