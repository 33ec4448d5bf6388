"""What a work order's changes tell the systems outside (docs/webhooks.md): the webhook events of
field service. ``webhooks`` sits below this app, so the services call these functions directly
(no hook): one line each, inside the change's transaction, after its records. Each asks for the
subscriptions first; with none (the usual case) nothing is read or built. The apps above field
service learn of its changes through the hooks declared here (``core.hooks``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aftersales.core.hooks import hook
from aftersales.webhooks.models import EventType
from aftersales.webhooks.services import webhook_emit_for_ticket

from .models import WorkOrder, WorkOrderStatus

# A chargeable job done (the technician checked out) or accepted by the customer (the charge
# computed again): its receivable created or brought to the charge (docs/billing.md), in the work
# order's transaction. kwargs: work_order_id.
WORK_ORDER_CHARGED = hook("work_order_charged", "aftersales.billing.receivers.work_order_charged")


def work_order_data(work_order: WorkOrder) -> dict[str, Any]:
    """The work order's identifiers, status and times: no address, contact or technician's name."""
    return {
        "number": work_order.number,
        "kind": work_order.kind,
        "status": work_order.status,
        "region": work_order.region.code if work_order.region is not None else None,
        "appointment_start": work_order.appointment_start,
        "appointment_end": work_order.appointment_end,
        "checked_in_at": work_order.checked_in_at,
        "checked_out_at": work_order.checked_out_at,
        "completed_at": work_order.completed_at,
        "updated_at": work_order.updated_at,
    }


def work_order_moved(*, work_order: WorkOrder, before: str) -> None:
    """Every status change (``services.common.move``): the work done → ``workorder.completed``."""
    if work_order.status == WorkOrderStatus.DONE and before != WorkOrderStatus.DONE:
        webhook_emit_for_ticket(
            event=EventType.WORKORDER_COMPLETED,
            ticket_id=work_order.ticket_id,
            build=lambda: {"work_order": work_order_data(work_order)},
        )
    if work_order.chargeable and work_order.status in {WorkOrderStatus.DONE, WorkOrderStatus.CUSTOMER_ACCEPTED}:
        WORK_ORDER_CHARGED.send(work_order_id=work_order.pk)


def appointment_set(*, work_order: WorkOrder, change: str, previous: tuple[dt.datetime | None, dt.datetime | None]) -> None:
    """The appointment window agreed with the customer: ``appointment.scheduled`` at the first
    dispatch (``change`` "scheduled"), ``appointment.changed`` when it moves ("rescheduled") or
    another technician takes it ("reassigned"); ``previous``: the window before."""
    event = EventType.APPOINTMENT_SCHEDULED if change == "scheduled" else EventType.APPOINTMENT_CHANGED
    webhook_emit_for_ticket(
        event=event,
        ticket_id=work_order.ticket_id,
        build=lambda: {
            "work_order": work_order_data(work_order),
            "change": change,
            "appointment": {"start": work_order.appointment_start, "end": work_order.appointment_end},
            "previous_appointment": (
                {"start": previous[0], "end": previous[1]} if change != "scheduled" and previous[0] is not None else None
            ),
        },
    )
