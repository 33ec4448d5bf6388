"""Every write of a return or exchange (RMA): one service per step, each in one transaction that
locks the ticket, then the RMA (then stock rows, in key order, through ``parts.stock``), checks
the RMA's version, moves the status through the one table (``states.TABLE``), writes the typed
audit row, a public timeline entry the customer reads on their portal, and the customer's
message (outbox). The measure of the plan is done when its RMA completes (a return: goods
received and inspected; an exchange: the replacement delivered), as a work order completes its
measure — so the ticket goes on to be resolved, surveyed and closed.

``common`` holds the shared steps (numbering, locking, the status move with its records, the
unit's status, completion, photos); ``authorisation`` authorises and cancels; ``goods_back``
the handover, receipt and inspection; ``replacement`` the replacement's shipment and delivery.
"""

from __future__ import annotations

from .authorisation import rma_authorise, rma_cancel
from .common import KIND_OF_MEASURE, MAX_PHOTOS, UNIT_STATUS_OF, R, lock_rma
from .goods_back import rma_accept_inspection, rma_handover, rma_inspect, rma_receive
from .replacement import rma_confirm_delivery, rma_ship_replacement

__all__ = [
    "KIND_OF_MEASURE",
    "MAX_PHOTOS",
    "UNIT_STATUS_OF",
    "R",
    "lock_rma",
    "rma_accept_inspection",
    "rma_authorise",
    "rma_cancel",
    "rma_confirm_delivery",
    "rma_handover",
    "rma_inspect",
    "rma_receive",
    "rma_ship_replacement",
]
