"""The statuses of a settlement statement and the moves between them — the only place they are
defined. ``services`` checks every status change against this table.

draft → confirmed by the outlet, or disputed (with a reason); disputed → draft (reopened to be
corrected); confirmed → approved (supervisor or finance; or back to draft when the approver finds
a fault) → paid (finance, with the payment's reference and date); a draft or disputed statement
may be cancelled (its work orders are then free for another statement).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import SettlementStatus

S = SettlementStatus

SETTLEMENT_MOVES = TransitionTable(
    _("settlement statement"),
    {
        S.DRAFT: frozenset({S.CONFIRMED, S.DISPUTED, S.CANCELLED}),
        S.DISPUTED: frozenset({S.DRAFT, S.CANCELLED}),
        S.CONFIRMED: frozenset({S.APPROVED, S.DRAFT}),
        S.APPROVED: frozenset({S.PAID}),
        S.PAID: frozenset(),
        S.CANCELLED: frozenset(),
    },
    labels=dict(SettlementStatus.choices),
)

# Statements whose lines may still change (recalculate, adjust).
EDITABLE = frozenset({S.DRAFT})
LIVE = frozenset(set(S) - {S.CANCELLED})
