"""A crisis's statuses and the moves between them: the one table (``core.transitions``).

Detected → Confirmed → Responding → Contained → Recovered → Reviewed. A crisis opened from a
confirmed alert starts at "confirmed" (its detection time is the alert's). Each status stamps
its own time column; the review's figures are measured from those stamps.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import CrisisStatus as S

CRISIS_TRANSITIONS = TransitionTable(
    _("crisis"),
    {
        S.DETECTED: frozenset({S.CONFIRMED}),
        S.CONFIRMED: frozenset({S.RESPONDING, S.CONTAINED}),
        S.RESPONDING: frozenset({S.CONTAINED}),
        S.CONTAINED: frozenset({S.RESPONDING, S.RECOVERED}),
        S.RECOVERED: frozenset({S.REVIEWED}),
        S.REVIEWED: frozenset(),
    },
    labels={s.value: s.label for s in S},
)

# The time column each status stamps (the first time it is reached).
STAMPS: dict[str, str] = {
    S.CONFIRMED: "confirmed_at",
    S.RESPONDING: "responding_at",
    S.CONTAINED: "contained_at",
    S.RECOVERED: "recovered_at",
    S.REVIEWED: "reviewed_at",
}

OPEN_STATUSES = frozenset({S.DETECTED, S.CONFIRMED, S.RESPONDING, S.CONTAINED})
