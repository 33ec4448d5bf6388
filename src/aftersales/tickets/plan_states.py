"""The moves of a ticket's plans, their measures and their approval requests (like ``states.py``
for the ticket itself). The services in ``process/planning.py`` and ``process/execution.py``
change these statuses only through ``plan_set_status`` / ``measure_check_move`` /
``APPROVAL_MOVES.check``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import ApprovalStatus, MeasureStatus, PlanStatus

P = PlanStatus
M = MeasureStatus
A = ApprovalStatus

# A draft goes to the approvers or straight to the customer; approvers approve (→ the customer)
# or refuse; the customer agrees or declines. A new proposal supersedes a draft or an agreed
# plan (a refused or declined one keeps its status in the history).
PLAN_MOVES = TransitionTable(
    _("plan"),
    {
        P.DRAFT: frozenset({P.AWAITING_APPROVAL, P.AWAITING_CUSTOMER, P.SUPERSEDED}),
        P.AWAITING_APPROVAL: frozenset({P.AWAITING_CUSTOMER, P.REFUSED}),
        P.AWAITING_CUSTOMER: frozenset({P.AGREED, P.DECLINED}),
        P.AGREED: frozenset({P.SUPERSEDED}),
        P.REFUSED: frozenset(),
        P.DECLINED: frozenset(),
        P.SUPERSEDED: frozenset(),
    },
    labels=dict(PlanStatus.choices),
)

# Measures are worked on, finished or cancelled; a finished one is carried out again in
# secondary processing (or corrected back); a cancelled one can be taken up again.
MEASURE_MOVES = TransitionTable(
    _("measure"),
    {
        M.PENDING: frozenset({M.IN_PROGRESS, M.DONE, M.CANCELLED}),
        M.IN_PROGRESS: frozenset({M.PENDING, M.DONE, M.CANCELLED}),
        M.DONE: frozenset({M.IN_PROGRESS, M.PENDING}),
        M.CANCELLED: frozenset({M.PENDING, M.IN_PROGRESS}),
    },
    labels=dict(MeasureStatus.choices),
)

# An approval request is decided once (a new proposal refuses a pending one).
APPROVAL_MOVES = TransitionTable(
    _("approval request"),
    {
        A.PENDING: frozenset({A.APPROVED, A.REFUSED}),
        A.APPROVED: frozenset(),
        A.REFUSED: frozenset(),
    },
    labels=dict(ApprovalStatus.choices),
)


def measure_check_move(current: str, target: str) -> None:
    """A progress note without a new status is no move; otherwise the table decides."""
    if current != target:
        MEASURE_MOVES.check(current, target)
