"""Quality: the improvement actions (PDCA) list with its status and scope (factory, supplier) filters,
with each action's scope and measured effect (before / after per 1,000 units, the verdict)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.quality import selectors
from aftersales.quality.models import ImprovementAction
from aftersales.quality.permissions import can_read

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def action_rows(user: User, params: Mapping[str, str]) -> Rows:
    """As ``quality.views.action_list`` reads them."""
    return queryset_rows(selectors.actions_for(user=user, filters=selectors.action_filters(params)))


def _effect_rate(a: ImprovementAction, side: str) -> float | None:
    e = a.effect or {}
    units = e.get(f"{side}_units")
    return round(1000.0 * (e.get(f"{side}_faulty") or 0) / units, 4) if units else None


ACTIONS = register(
    ExportKind(
        key="quality_actions",
        title=_("Improvement actions"),
        columns=(
            Column(_("Number"), lambda a, u: a.number, width=12),
            Column(_("Title"), lambda a, u: a.title, width=36),
            Column(_("Status"), lambda a, u: a.get_status_display(), width=10),
            Column(_("Raised from"), lambda a, u: a.get_origin_display(), width=14),
            Column(_("Model"), lambda a, u: a.product_model.name if a.product_model_id else "", width=16),
            Column(_("Batch / lot"), lambda a, u: a.batch, width=14),
            Column(_("Component"), lambda a, u: a.component, width=16),
            Column(_("Factory"), lambda a, u: a.factory, width=14),
            Column(_("Component supplier"), lambda a, u: a.supplier, width=20),
            Column(_("Root cause"), lambda a, u: a.root_cause, width=36),
            Column(_("Owner"), lambda a, u: str(a.owner) if a.owner_id else "", width=14),
            Column(_("Due date"), lambda a, u: a.due_date, CellType.DATE, width=12),
            Column(_("Effective from"), lambda a, u: a.effective_date, CellType.DATE, width=12),
            Column(_("Measured effect"), lambda a, u: a.get_effect_verdict_display() if a.effect_verdict else "", width=16),
            Column(_("Before: faulty per 1,000"), lambda a, u: _effect_rate(a, "before"), CellType.NUMBER, width=12),
            Column(_("After: faulty per 1,000"), lambda a, u: _effect_rate(a, "after"), CellType.NUMBER, width=12),
            Column(_("Created"), lambda a, u: a.created_at, CellType.DATETIME, width=17),
        ),
        may_use=can_read,
        rows=action_rows,
        page="quality:actions",
    )
)
