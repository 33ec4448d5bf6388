"""The RMA's statuses and the moves between them — the only place they are defined.

authorised → awaiting pickup/drop-off → in transit → received → inspected → (exchange:
replacement shipped → delivered) → completed; cancelled while the goods are not inspected yet
(or after a failed inspection); a failed inspection goes back to the agent, who accepts the
goods with a reason (→ inspected) or cancels.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import RmaStatus

R = RmaStatus

TRANSITIONS = {
    R.AUTHORISED: frozenset({R.AWAITING_PICKUP, R.IN_TRANSIT, R.RECEIVED, R.CANCELLED}),
    R.AWAITING_PICKUP: frozenset({R.AWAITING_PICKUP, R.IN_TRANSIT, R.RECEIVED, R.CANCELLED}),
    R.IN_TRANSIT: frozenset({R.RECEIVED, R.CANCELLED}),
    R.RECEIVED: frozenset({R.INSPECTED, R.INSPECTION_FAILED}),
    R.INSPECTION_FAILED: frozenset({R.INSPECTED, R.CANCELLED}),
    R.INSPECTED: frozenset({R.REPLACEMENT_SHIPPED, R.COMPLETED}),
    R.REPLACEMENT_SHIPPED: frozenset({R.DELIVERED}),
    R.DELIVERED: frozenset({R.COMPLETED}),
    R.COMPLETED: frozenset(),
    R.CANCELLED: frozenset(),
}

TABLE = TransitionTable(_("return authorisation"), TRANSITIONS, labels={s.value: s.label for s in RmaStatus})

FINAL_STATUSES = frozenset({R.COMPLETED, R.CANCELLED})
# Where the warehouse waits for the goods.
EXPECTED_STATUSES = frozenset({R.AUTHORISED, R.AWAITING_PICKUP, R.IN_TRANSIT})


def sources(target: str) -> frozenset[str]:
    """The statuses from which ``target`` is a move (a step's guard, for the pages' forms)."""
    return frozenset(s for s, allowed in TABLE.moves.items() if str(target) in allowed)
