"""A revisit's statuses and the moves between them — the only place they are defined.

to call → done (the customer was reached) | not reached, call again | escalated (the third
unreached call, or a wrong number: a supervisor takes over) | cancelled (the customer withdrew
consent to be contacted). An escalated revisit is done when somebody reaches the customer after
all. ``services.calls._move`` is the one function that changes the status.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .audit_actions import RevisitAudit
from .models import RevisitStatus

S = RevisitStatus

REVISIT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DUE: frozenset({S.RETRY, S.ESCALATED, S.DONE, S.CANCELLED}),
    S.RETRY: frozenset({S.ESCALATED, S.DONE, S.CANCELLED}),
    S.ESCALATED: frozenset({S.DONE, S.CANCELLED}),
    S.DONE: frozenset(),
    S.CANCELLED: frozenset(),
}

REVISIT_STATES = TransitionTable(_("revisit"), REVISIT_TRANSITIONS, labels=dict(RevisitStatus.choices))

# The audit action of arriving in each status.
ARRIVAL_AUDIT: dict[str, RevisitAudit] = {
    S.RETRY: RevisitAudit.NOT_REACHED,
    S.ESCALATED: RevisitAudit.ESCALATED,
    S.DONE: RevisitAudit.DONE,
    S.CANCELLED: RevisitAudit.CANCELLED,
}
