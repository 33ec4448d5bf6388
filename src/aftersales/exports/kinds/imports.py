"""Imports: the list of imports the user may see (the kinds they may import), newest first."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.imports.permissions import importable_kinds
from aftersales.imports.selectors import imports_visible_to

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def import_rows(user: User, params: Mapping[str, str]) -> Rows:
    return queryset_rows(imports_visible_to(user))


IMPORTS = register(
    ExportKind(
        key="imports",
        title=_("Imports"),
        columns=(
            Column(_("File"), lambda j, u: j.original_name, width=30),
            Column(_("Kind"), lambda j, u: j.get_kind_display(), width=14),
            Column(_("Status"), lambda j, u: j.get_status_display(), width=12),
            Column(_("Rows"), lambda j, u: j.total_rows, CellType.NUMBER, width=10),
            Column(_("New"), lambda j, u: j.new_rows, CellType.NUMBER, width=10),
            Column(_("Changed"), lambda j, u: j.changed_rows, CellType.NUMBER, width=10),
            Column(_("Unchanged"), lambda j, u: j.unchanged_rows, CellType.NUMBER, width=10),
            Column(_("Rows with errors"), lambda j, u: j.error_rows, CellType.NUMBER, width=10),
            Column(_("Uploaded"), lambda j, u: j.created_at, CellType.DATETIME, width=17),
            Column(_("Uploaded by"), lambda j, u: str(j.created_by) if j.created_by_id else "", width=14),
        ),
        may_use=lambda user: bool(importable_kinds(user)),
        rows=import_rows,
        page="imports:list",
    )
)
