"""Who may import what: administrators every kind; quality managers the serial units, the
shipment volumes and the production batches (the fault rates' inputs), not customers' personal
data nor the catalogue."""

from __future__ import annotations

from aftersales.accounts.models import Role, User

from .models import ImportKind

QUALITY_KINDS = (ImportKind.UNITS, ImportKind.SHIPMENTS, ImportKind.BATCHES)


def importable_kinds(user: User) -> list[str]:
    if not user.is_authenticated or getattr(user, "is_customer", False):
        return []
    if user.role == Role.ADMINISTRATOR or user.is_superuser:
        return list(ImportKind.values)
    if user.role == Role.QUALITY_MANAGER:
        return [str(k) for k in QUALITY_KINDS]
    return []


def may_import(user: User, kind: str) -> bool:
    return kind in importable_kinds(user)
