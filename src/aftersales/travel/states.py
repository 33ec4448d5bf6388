"""The statuses of a cash advance and of a reimbursement, and the moves between them — the only
place they are defined. ``services`` checks every status change against these tables.

Advance: requested → approved or rejected (a dispatcher, the technician's team leader or
finance; never one's own) → paid (finance) → settled (by a posted reimbursement); a requested
advance may be cancelled by its technician.

Trip (出差日志): open (on the trip, the technician logs his days) → submitted (the technician) →
approved (a supervisor, administrator or finance; never one's own: the labour reconciled and its
cost fixed) or returned (with the reason) → submitted again once corrected; an open or returned
trip may be cancelled by its technician.

Reimbursement: draft → posted (finance: the advances settled, the claims reimbursed, amounts
frozen) → closed (finance records the payout or the cash returned; at once when the net is 0); a
draft may be cancelled (its lines freed).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import AdvanceStatus, ReimbursementStatus, TripStatus

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

T = TripStatus
TRIP_MOVES = TransitionTable(
    _("trip"),
    {
        T.OPEN: frozenset({T.SUBMITTED, T.CANCELLED}),
        T.SUBMITTED: frozenset({T.APPROVED, T.RETURNED}),
        T.RETURNED: frozenset({T.SUBMITTED, T.CANCELLED}),
        T.APPROVED: frozenset(),
        T.CANCELLED: frozenset(),
    },
    labels=dict(TripStatus.choices),
)
# Trips whose log the technician may still change.
TRIP_EDITABLE = frozenset({T.OPEN, T.RETURNED})
