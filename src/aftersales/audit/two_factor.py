"""The audit rows of two-factor sign-in (accounts/two_factor.py sends, this records)."""

from __future__ import annotations

from typing import Any

from .audit_actions import AccessAudit
from .services import audit_record

ACTIONS = {
    "on": AccessAudit.SECOND_FACTOR_ON,
    "off": AccessAudit.SECOND_FACTOR_OFF,
    "wrong_code": AccessAudit.SECOND_FACTOR_WRONG,
}


def record_second_factor_event(sender: Any, user: Any, what: str, **kwargs: Any) -> None:
    audit_record(action=ACTIONS[what], obj=user, actor=user)
