"""The audit rows of account security (accounts/signals.py sends, this records): two-step
sign-in set up / turned off / a wrong code, and "sign out everywhere"."""

from __future__ import annotations

from typing import Any

from .audit_actions import AccessAudit
from .services import audit_record

ACTIONS = {
    "second_factor_on": AccessAudit.SECOND_FACTOR_ON,
    "second_factor_off": AccessAudit.SECOND_FACTOR_OFF,
    "second_factor_wrong": AccessAudit.SECOND_FACTOR_WRONG,
    "signed_out_everywhere": AccessAudit.SIGNED_OUT_EVERYWHERE,
}


def record_security_event(sender: Any, user: Any, what: str, actor: Any = None, **kwargs: Any) -> None:
    audit_record(action=ACTIONS[what], obj=user, actor=actor or user)
