"""Every write of the travel app: one function per business action, one transaction, audited.

``advances`` — a cash advance requested, decided, paid out, cancelled; ``reimbursements`` — a
reimbursement drafted, posted (the offset), closed, cancelled; ``reminders`` — the technician and
finance reminded of advances overdue for settlement; ``trips`` — the trip log (出差日志)
opened, logged, submitted, approved (the labour reconciled) or returned, cancelled; ``common`` — numbers, amounts and the one
door of every status change (``move``).
"""

from .advances import advance_approve, advance_cancel, advance_pay, advance_reject, advance_request
from .common import advance_maximum, money, next_number, outstanding_maximum
from .reimbursements import (
    eligible_advances,
    eligible_claims,
    reimbursement_cancel,
    reimbursement_close,
    reimbursement_draft,
    reimbursement_post,
)
from .reminders import advances_remind_overdue
from .trips import trip_approve, trip_cancel, trip_entry_add, trip_entry_remove, trip_open, trip_return, trip_submit

__all__ = [
    "advance_approve",
    "advance_cancel",
    "advance_maximum",
    "advance_pay",
    "advance_reject",
    "advance_request",
    "advances_remind_overdue",
    "eligible_advances",
    "eligible_claims",
    "money",
    "next_number",
    "outstanding_maximum",
    "reimbursement_cancel",
    "reimbursement_close",
    "reimbursement_draft",
    "reimbursement_post",
    "trip_approve",
    "trip_cancel",
    "trip_entry_add",
    "trip_entry_remove",
    "trip_open",
    "trip_return",
    "trip_submit",
]
