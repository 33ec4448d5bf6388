"""Every write of a refund or a compensation: one function per business action, one transaction.

Each locks the ticket first, then what belongs to it (the unit's purchase record — ``remedies.Purchase`` — then the refund or
compensation; ``tickets.locking``'s order), checks the version a page or an API client read,
checks who may act, moves the status only through ``states.py``, and writes the audit row and
the ticket's timeline entry in the same transaction; the customer's and staff's messages are
outbox rows of the same transaction. A refusal raises before anything is written.

``common`` holds what both share, ``refunds`` and ``compensations`` the business actions.
"""

from .common import (
    can_decide,
    can_fulfil,
    can_request,
    complete_measure_if_done,
    default_daily_rate,
    fulfillers_of,
    money,
    recent_window_days,
    ticket_daily_rate,
)
from .compensations import (
    compensation_cancel,
    compensation_confirm,
    compensation_decide,
    compensation_issue,
    compensation_request,
)
from .refunds import (
    refund_cancel,
    refund_confirm,
    refund_decide,
    refund_paid_so_far,
    refund_pay,
    refund_preview,
    refund_request,
)

__all__ = [
    "can_decide",
    "can_fulfil",
    "can_request",
    "compensation_cancel",
    "compensation_confirm",
    "compensation_decide",
    "compensation_issue",
    "compensation_request",
    "complete_measure_if_done",
    "default_daily_rate",
    "fulfillers_of",
    "money",
    "recent_window_days",
    "refund_cancel",
    "refund_confirm",
    "refund_decide",
    "refund_paid_so_far",
    "refund_pay",
    "refund_preview",
    "refund_request",
    "ticket_daily_rate",
]
