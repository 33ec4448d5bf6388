"""A personal data request's states: received, then completed, refused or withdrawn by the
customer — nothing else."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.transitions import TransitionTable

from .models import RequestStatus

S = RequestStatus
REQUEST_STATES = TransitionTable(
    _("personal data request"),
    {
        S.RECEIVED: frozenset({S.COMPLETED, S.REFUSED, S.CANCELLED}),
        S.COMPLETED: frozenset(),
        S.REFUSED: frozenset(),
        S.CANCELLED: frozenset(),
    },
    labels=dict(RequestStatus.choices),
)
