"""The usual departments of a manufacturer that an installation starts with (migration
``0002_default_departments``), so internal responsibility can be named at once; administrators
rename, add or deactivate them in /admin/."""

from __future__ import annotations

from typing import Any

from .models import ResponsibleParty, party_name_key

DEFAULT_DEPARTMENTS = (
    ("dep-production", "生产部", "Production"),
    ("dep-quality", "质量部", "Quality"),
    ("dep-rd", "研发部", "R&D"),
    ("dep-purchasing", "采购部", "Purchasing"),
    ("dep-service", "售后服务部", "After-sales service"),
    ("dep-warehouse", "仓储物流部", "Warehouse and logistics"),
)


def add_default_departments(party_model: Any = ResponsibleParty) -> int:
    """Register the departments not there yet (by code or name); returns how many were added.
    ``party_model``: the register's model (a migration passes its historical one)."""
    added = 0
    for code, name, name_en in DEFAULT_DEPARTMENTS:
        key = party_name_key(name)
        if party_model.objects.filter(code=code).exists() or party_model.objects.filter(kind="department", name_key=key).exists():
            continue
        party_model.objects.create(kind="department", code=code, name=name, name_en=name_en, name_key=key, active=True)
        added += 1
    return added
