"""The statuses of a receivable and the moves between them — the only place they are defined.
``services`` checks every status change against this table.

open → partly paid → paid, as confirmed payments add up (open → paid at once when one payment
pays it all); open or partly paid → waived (a supervisor or an administrator, with a reason: the
rest is not collected). Paid and waived are final.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import ReceivableStatus

S = ReceivableStatus

RECEIVABLE_MOVES = TransitionTable(
    _("receivable"),
    {
        S.OPEN: frozenset({S.PARTLY_PAID, S.PAID, S.WAIVED}),
        S.PARTLY_PAID: frozenset({S.PAID, S.WAIVED}),
        S.PAID: frozenset(),
        S.WAIVED: frozenset(),
    },
    labels=dict(ReceivableStatus.choices),
)

# Still owed: the finance list shows these first, the aging counts them.
OUTSTANDING = frozenset({S.OPEN, S.PARTLY_PAID})
FINAL = frozenset({S.PAID, S.WAIVED})
