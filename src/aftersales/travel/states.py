"""The statuses of a cash advance and of a reimbursement, and the moves between them — the only
place they are defined. ``services`` checks every status change against these tables.

Advance: requested → approved or rejected (a dispatcher, the technician's team leader or
finance; never one's own) → paid (finance) → settled (by a posted reimbursement); a requested
advance may be cancelled by its technician.

Reimbursement: draft → posted (finance: the advances settled, the claims reimbursed, amounts
frozen) → closed (finance records the payout or the cash returned; at once when the net is 0); a
draft may be cancelled (its lines freed).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import AdvanceStatus, ReimbursementStatus

A = AdvanceStatus
R = ReimbursementStatus

ADVANCE_MOVES = TransitionTable(
    _("cash advance"),
    {
        A.REQUESTED: frozenset({A.APPROVED, A.REJECTED, A.CANCELLED}),
        A.APPROVED: frozenset({A.PAID}),
        A.PAID: frozenset({A.SETTLED}),
        A.REJECTED: frozenset(),
        A.SETTLED: frozenset(),
        A.CANCELLED: frozenset(),
    },
    labels=dict(AdvanceStatus.choices),
)

REIMBURSEMENT_MOVES = TransitionTable(
    _("travel reimbursement"),
    {
        R.DRAFT: frozenset({R.POSTED, R.CANCELLED}),
        R.POSTED: frozenset({R.CLOSED}),
        R.CLOSED: frozenset(),
        R.CANCELLED: frozenset(),
    },
    labels=dict(ReimbursementStatus.choices),
)

# Advances waiting for someone: a decision, or the payment.
ADVANCE_OPEN = frozenset({A.REQUESTED, A.APPROVED})
# Reimbursements whose lines hold their claims and advances.
REIMBURSEMENT_LIVE = frozenset({R.DRAFT, R.POSTED, R.CLOSED})
