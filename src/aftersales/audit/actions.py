"""Typed audit actions: every action the audit log can record is a member of an enumeration.

Each domain app declares its actions in ``<app>/audit_actions.py`` as a subclass of
``AuditAction`` (a ``StrEnum``: the stored value is the plain string, e.g. ``"ticket.created"``).
``audit_record`` accepts members only, so a misspelt or made-up action fails at once, and the
whole set can be listed (``all_audit_actions``, ``manage.py audit_actions``) for the admin
filter, webhooks and documentation. Actions built from a status (``"parts.requisition_approved"``)
are looked up by value (``RequisitionAudit(f"parts.requisition_{status}")``), which raises
``ValueError`` for a value nobody declared.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.module_loading import autodiscover_modules


class AuditAction(StrEnum):
    """Base of the domains' enumerations of audit actions (no members of its own)."""


def _subclasses(cls: type[AuditAction]) -> list[type[AuditAction]]:
    found: list[type[AuditAction]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def discover() -> None:
    """Import every installed app's ``audit_actions`` module (done once at start-up)."""
    autodiscover_modules("audit_actions")


def audit_action_enums() -> list[type[AuditAction]]:
    """Every domain's enumeration of actions, over all installed apps."""
    discover()
    return _subclasses(AuditAction)


def all_audit_actions() -> dict[str, AuditAction]:
    """Every declared action by its stored value, over all installed apps."""
    return {str(member): member for enum in audit_action_enums() for member in enum}
