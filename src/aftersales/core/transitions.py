"""A transition table for any status field: the moves that exist, checked in one place.

Every document with a status (ticket, plan, measure, approval, work order, requisition…)
declares its table next to its statuses; the one function that changes the status calls
``check`` first, so an impossible move is refused with the same stable code everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import DomainError


class TransitionTable:
    def __init__(self, name: Any, moves: Mapping[Any, frozenset[Any]], *, labels: Mapping[Any, Any] | None = None) -> None:
        self.name = name
        self.moves: dict[str, frozenset[str]] = {str(k): frozenset(str(t) for t in v) for k, v in moves.items()}
        self.labels = {str(k): v for k, v in (labels or {}).items()}

    @property
    def statuses(self) -> frozenset[str]:
        return frozenset(self.moves)

    def allows(self, current: Any, target: Any) -> bool:
        """Whether ``current`` → ``target`` is a move of the table (staying put is not a move)."""
        return str(target) in self.moves.get(str(current), frozenset())

    def check(self, current: Any, target: Any, *, field: str = "status") -> None:
        """Raise ``DomainError`` (code ``illegal_transition``) unless the table allows the move."""
        if not self.allows(current, target):
            raise DomainError(
                _("A %(thing)s cannot move from “%(current)s” to “%(target)s”.")
                % {
                    "thing": self.name,
                    "current": self.labels.get(str(current), current),
                    "target": self.labels.get(str(target), target),
                },
                code="illegal_transition",
                field=field,
            )
