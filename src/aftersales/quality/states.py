"""An improvement action's statuses and the moves between them — the only place they are defined.

Plan → Do (the change is being made) → Check (the system measured the batches after the change)
→ Act (standardise, or start again) → Closed. Do may go back to Plan, Check back to Do (the
change was not enough), Act back to Plan (a new PDCA cycle). ``services.action_transition`` is
the one function that changes the status.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .audit_actions import QualityAudit
from .models import ActionStatus

S = ActionStatus

ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLAN: frozenset({S.DO}),
    S.DO: frozenset({S.CHECK, S.PLAN}),
    S.CHECK: frozenset({S.ACT, S.DO}),
    S.ACT: frozenset({S.CLOSED, S.PLAN}),
    S.CLOSED: frozenset(),
}

ACTION_STATES = TransitionTable(_("improvement action"), ACTION_TRANSITIONS, labels=dict(ActionStatus.choices))

ARRIVAL_AUDIT: dict[str, QualityAudit] = {
    S.PLAN: QualityAudit.ACTION_PLAN,
    S.DO: QualityAudit.ACTION_DO,
    S.CHECK: QualityAudit.ACTION_CHECK,
    S.ACT: QualityAudit.ACTION_ACT,
    S.CLOSED: QualityAudit.ACTION_CLOSED,
}
