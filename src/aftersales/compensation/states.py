"""The statuses of refunds and compensations and the moves between them — the only place they
are defined. ``services.move`` checks every status change against its table.

requested → awaiting approval (an approval rule matches the amount) or approved (none does);
awaiting approval → approved / refused; approved → paid (refund: finance paid it with a
reference; compensation: the coupon, points, gift, cash or free service issued); paid → done
(the fulfilment confirmed: the ticket's measure completes); cancelled from any status before paid.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import FulfilmentStatus

F = FulfilmentStatus

_MOVES = {
    F.REQUESTED: frozenset({F.AWAITING_APPROVAL, F.APPROVED, F.CANCELLED}),
    F.AWAITING_APPROVAL: frozenset({F.APPROVED, F.REFUSED, F.CANCELLED}),
    F.APPROVED: frozenset({F.PAID, F.CANCELLED}),
    F.REFUSED: frozenset(),
    F.PAID: frozenset({F.DONE}),
    F.DONE: frozenset(),
    F.CANCELLED: frozenset(),
}

REFUND_MOVES = TransitionTable(_("refund"), _MOVES, labels=dict(FulfilmentStatus.choices))
COMPENSATION_MOVES = TransitionTable(_("compensation"), _MOVES, labels=dict(FulfilmentStatus.choices))

# Not counted against the purchase price nor in the customer's compensation history.
VOID_STATUSES = frozenset({F.REFUSED, F.CANCELLED})
OPEN_STATUSES = frozenset({F.REQUESTED, F.AWAITING_APPROVAL, F.APPROVED, F.PAID})
