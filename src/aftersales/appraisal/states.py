"""The appraisal's statuses and the moves between them — the only place they are defined.

requested → assigned → in progress → reported (the draft, edited until signed) → signed (read-only)
→ accepted by the customer / re-appraisal requested (a new appraisal linked to this one);
cancelled from any status before signing. ``services.common.move`` is the one door.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import AppraisalStatus

A = AppraisalStatus

# Back to "requested" (unassigned, the appraisers' queue) only when the appraiser leaves the
# company and nobody succeeds them (the staff handover, ``services.appraisal_hand_over``).
TRANSITIONS: dict[str, frozenset[str]] = {
    A.REQUESTED: frozenset({A.ASSIGNED, A.CANCELLED}),
    A.ASSIGNED: frozenset({A.IN_PROGRESS, A.CANCELLED, A.REQUESTED}),
    A.IN_PROGRESS: frozenset({A.REPORTED, A.CANCELLED, A.REQUESTED}),
    A.REPORTED: frozenset({A.SIGNED, A.CANCELLED, A.REQUESTED}),
    A.SIGNED: frozenset({A.ACCEPTED, A.REAPPRAISAL}),
    A.ACCEPTED: frozenset(),
    A.REAPPRAISAL: frozenset(),
    A.CANCELLED: frozenset(),
}

TABLE = TransitionTable(_("appraisal"), TRANSITIONS, labels={s.value: s.label for s in AppraisalStatus})

# An assignment may change hands before the appraiser starts; the report is a draft until signed.
REASSIGNABLE = frozenset({A.REQUESTED, A.ASSIGNED})
REPORTABLE = frozenset({A.ASSIGNED, A.IN_PROGRESS, A.REPORTED})
SIGNED_STATUSES = frozenset({A.SIGNED, A.ACCEPTED, A.REAPPRAISAL})
FINAL_STATUSES = frozenset({A.ACCEPTED, A.REAPPRAISAL, A.CANCELLED})
# Assigned to an appraiser and not signed yet: what a leaving appraiser hands over.
HANDED_OVER = frozenset({A.ASSIGNED, A.IN_PROGRESS, A.REPORTED})


def can_move(current: str, target: str) -> bool:
    return TABLE.allows(current, target)
