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
    was_active: bool = True,
) -> None:
    """``accounts.effects.STAFF_OFFBOARDED``: one row ``account.offboarded``, in the handover's
    transaction."""
    audit_record(
        action=AccountAudit.OFFBOARDED,
        obj=user,
        actor=actor,
        changes={
            "is_active": [was_active, False],
            "reason": reason,
            "successor": successor.username if successor is not None else None,
            "successor_id": successor.pk if successor is not None else None,
            "moved": moved,
            "attention": attention,
            "sessions_ended": True,
        },
    )


def administrator_created(*, user: User, promoted: bool, before: dict[str, object]) -> None:
    """``accounts.effects.ADMINISTRATOR_CREATED``: one row, the command line as its actor."""
    after = {"role": user.role, "data_scope": user.data_scope, "is_superuser": user.is_superuser}
    audit_record(
        action=AccountAudit.ADMINISTRATOR_PROMOTED if promoted else AccountAudit.ADMINISTRATOR_CREATED,
        obj=user,
        actor=None,
        actor_label="manage.py create_administrator",
        changes={name: [before.get(name), value] for name, value in after.items()} if promoted else after,
    )
