"""The audit rows of changes made in ``accounts``, the app below this one (``core.hooks``)."""

from __future__ import annotations

from aftersales.accounts.models import User

from .audit_actions import AccountAudit
from .services import audit_record


def staff_offboarded(
    *,
    user: User,
    actor: User,
    successor: User | None,
    reason: str,
    moved: dict[str, int],
    attention: dict[str, int],
) -> None:
    """``accounts.effects.STAFF_OFFBOARDED``: one row ``account.offboarded``, in the handover's
    transaction."""
    audit_record(
        action=AccountAudit.OFFBOARDED,
        obj=user,
        actor=actor,
        changes={
            "is_active": [True, False],
            "reason": reason,
            "successor": successor.username if successor is not None else None,
            "successor_id": successor.pk if successor is not None else None,
            "moved": moved,
            "attention": attention,
            "sessions_ended": True,
        },
    )
