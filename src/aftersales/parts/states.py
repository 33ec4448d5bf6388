"""The parts documents' states and the moves between them — the only place they are defined.

Every status change of a requisition, a parts return, a faulty part or a transfer goes through
its table's ``move``: it refuses a move the table does not have (``DomainError`` with a stable
code), writes the status with the step's other fields, and records the audit row. The faulty
parts of a return arrive with it (``move_all``; the return's audit row records the receipt).

A step's guard is derived from the table too (``require``): a step may start in the statuses
from which every outcome it can have is a legal move. Submitting a requisition leads to
"awaiting approval" or, when no rule asks for approval, straight to "approved", so it starts
from a draft only; deciding leads to "approved" or "rejected", so it starts from "awaiting
approval" only. The requisition actions of the pages (``parts.actions``) read the same guards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.actions import AuditAction
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError

from .audit_actions import PartsAudit
from .models import FaultyStatus, PartReturnStatus, RequisitionStatus, TransferStatus

# Today's refusal of a document for a move, naming its state; None: the generic refusal.
Refusal = Callable[[Any, frozenset[str], tuple[str, ...]], DomainError | None]


class DocumentStates:
    """The transition table of one kind of document, and the one door its status changes go through."""

    def __init__(
        self,
        name: str,
        statuses: type[models.TextChoices],
        transitions: Mapping[str, frozenset[str]],
        *,
        audit: Mapping[str, AuditAction],
        refusal: Refusal,
        touch: str = "",
    ) -> None:
        if set(transitions) != set(statuses.values):
            raise ValueError(f"the {name} table must list every status exactly once")
        self.name = name
        self.statuses = statuses
        self.transitions: dict[str, frozenset[str]] = {str(k): frozenset(str(t) for t in v) for k, v in transitions.items()}
        self.audit = dict(audit)
        self.refusal = refusal
        self.touch = touch  # a timestamp column every status change sets ("updated_at")

    def can_move(self, current: str, target: str) -> bool:
        return str(target) in self.transitions.get(str(current), frozenset())

    def sources(self, *targets: str) -> frozenset[str]:
        """The statuses from which every one of ``targets`` is a legal move (a step's guard)."""
        return frozenset(s for s, allowed in self.transitions.items() if targets and all(str(t) in allowed for t in targets))

    def refuse(self, obj: Any, *targets: str) -> DomainError:
        allowed = self.sources(*targets)
        found = self.refusal(obj, allowed, tuple(str(t) for t in targets))
        return found if found is not None else self._not_allowed(obj.status, targets[0])

    def _not_allowed(self, current: str, target: str) -> DomainError:
        return DomainError(
            _("This document cannot go from “%(current)s” to “%(target)s”.")
            % {"current": self.statuses(current).label, "target": self.statuses(target).label},
            code=f"{self.name}_transition_not_allowed",
            field="status",
        )

    def require(self, obj: Any, *targets: str) -> None:
        """Raise unless ``obj`` (locked) may take a step whose outcomes are ``targets``."""
        if obj.status not in self.sources(*targets):
            raise self.refuse(obj, *targets)

    def move(
        self,
        obj: Any,
        *,
        to: str,
        actor: User | None,
        fields: Mapping[str, Any] | None = None,
        changes: dict[str, Any] | None = None,
    ) -> None:
        """Move the LOCKED ``obj`` to ``to`` with ``fields``; audit ``changes`` (by default the
        status before and after)."""
        self.require(obj, to)
        if to not in self.audit:
            raise LookupError(f"a {self.name} moves to {to!r} only with the document it belongs to")
        before = obj.status
        updates: dict[str, Any] = {"status": to}
        if self.touch:
            updates[self.touch] = clock.now()
        updates.update(fields or {})
        for name, value in updates.items():
            setattr(obj, name, value)
        obj.save(update_fields=list(updates))
        audit_record(
            action=self.audit[to], obj=obj, actor=actor, changes=changes if changes is not None else {"status": [before, to]}
        )

    def move_all(self, queryset: models.QuerySet[Any], *, source: str, to: str) -> int:
        """Move every row of ``queryset`` that is in ``source`` to ``to`` (no audit row of their
        own: the document they belong to records the step). Returns how many moved."""
        if not self.can_move(source, to):
            raise self._not_allowed(source, to)
        return queryset.filter(status=source).update(status=to)


# --- Requisitions (领料单) -------------------------------------------------------------------------

R = RequisitionStatus

REQUISITION_TRANSITIONS: dict[str, frozenset[str]] = {
    # Submitted: a rule asks for a decision (awaiting approval) or none does (approved, reserved).
    R.DRAFT: frozenset({R.SUBMITTED, R.APPROVED, R.CANCELLED}),
    R.SUBMITTED: frozenset({R.APPROVED, R.REJECTED, R.CANCELLED}),
    R.APPROVED: frozenset({R.ISSUED, R.CANCELLED}),
    R.REJECTED: frozenset(),
    R.ISSUED: frozenset(),
    R.CANCELLED: frozenset(),
}

# The outcomes of each requisition step; its guard is ``REQUISITION.sources(*outcomes)``.
SUBMIT = (R.SUBMITTED, R.APPROVED)
DECIDE = (R.APPROVED, R.REJECTED)
ISSUE = (R.ISSUED,)
CANCEL = (R.CANCELLED,)


def _requisition_refusal(obj: Any, allowed: frozenset[str], targets: tuple[str, ...]) -> DomainError | None:
    if not allowed:
        return None
    return DomainError(
        _("This cannot be done while the requisition is “%(status)s”.") % {"status": obj.get_status_display()},
        code=f"requisition_not_{'_or_'.join(sorted(allowed))}",
        field="status",
    )


REQUISITION = DocumentStates(
    "requisition",
    RequisitionStatus,
    REQUISITION_TRANSITIONS,
    audit={s: PartsAudit(f"parts.requisition_{s}") for s in (R.SUBMITTED, R.APPROVED, R.REJECTED, R.ISSUED, R.CANCELLED)},
    refusal=_requisition_refusal,
    touch="updated_at",
)


# --- Returns (退料单), faulty parts, transfers (调拨单) ----------------------------------------------

RETURN_TRANSITIONS: dict[str, frozenset[str]] = {
    PartReturnStatus.SENT: frozenset({PartReturnStatus.RECEIVED}),
    PartReturnStatus.RECEIVED: frozenset(),
}

FAULTY_TRANSITIONS: dict[str, frozenset[str]] = {
    # Received with its return (``move_all``), then appraised (鉴定).
    FaultyStatus.SENT: frozenset({FaultyStatus.RECEIVED}),
    FaultyStatus.RECEIVED: frozenset({FaultyStatus.APPRAISED}),
    FaultyStatus.APPRAISED: frozenset(),
}

TRANSFER_TRANSITIONS: dict[str, frozenset[str]] = {
    # A transfer that is not in transit is received in the transaction that creates it.
    TransferStatus.IN_TRANSIT: frozenset({TransferStatus.RECEIVED}),
    TransferStatus.RECEIVED: frozenset(),
}


def _return_refusal(obj: Any, allowed: frozenset[str], targets: tuple[str, ...]) -> DomainError | None:
    if obj.status != PartReturnStatus.RECEIVED:
        return None
    return DomainError(_("This return has already been received."), code="return_already_received", field="status")


def _faulty_refusal(obj: Any, allowed: frozenset[str], targets: tuple[str, ...]) -> DomainError | None:
    if FaultyStatus.APPRAISED not in targets:
        return None
    return DomainError(
        _("Only a received faulty part awaiting appraisal can be appraised."), code="faulty_not_received", field="status"
    )


def _transfer_refusal(obj: Any, allowed: frozenset[str], targets: tuple[str, ...]) -> DomainError | None:
    if obj.status != TransferStatus.RECEIVED:
        return None
    return DomainError(_("This transfer has already been received."), code="transfer_already_received", field="status")


PART_RETURN = DocumentStates(
    "return",
    PartReturnStatus,
    RETURN_TRANSITIONS,
    audit={PartReturnStatus.RECEIVED: PartsAudit.RETURN_RECEIVED},
    refusal=_return_refusal,
)

FAULTY = DocumentStates(
    "faulty",
    FaultyStatus,
    FAULTY_TRANSITIONS,
    audit={FaultyStatus.APPRAISED: PartsAudit.FAULTY_APPRAISED},
    refusal=_faulty_refusal,
)

TRANSFER = DocumentStates(
    "transfer",
    TransferStatus,
    TRANSFER_TRANSITIONS,
    audit={TransferStatus.RECEIVED: PartsAudit.TRANSFER_RECEIVED},
    refusal=_transfer_refusal,
)

ALL_TABLES = (REQUISITION, PART_RETURN, FAULTY, TRANSFER)
