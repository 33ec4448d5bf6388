"""What billing does when a lower app's change sets it off (``core.hooks``)."""

from __future__ import annotations

from .services import receivable_sync


def work_order_charged(*, work_order_id: int) -> None:
    """``fieldservice.effects.WORK_ORDER_CHARGED`` (the technician checked out, or the customer
    accepted and the charge was computed again): the job's receivable created or brought to its
    charge, in the work order's transaction."""
    receivable_sync(work_order_id=work_order_id)
