"""Quality: the improvement actions (PDCA) list with its status filter."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.quality import selectors
from aftersales.quality.models import ActionStatus
from aftersales.quality.permissions import can_read

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def action_rows(user: User, params: Mapping[str, str]) -> Rows:
    """As ``quality.views.action_list`` reads them."""
    status = params.get("status", "")
    filters = selectors.ActionFilters(status=status if status in ActionStatus.values else "")
    return queryset_rows(selectors.actions_for(user=user, filters=filters))


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
            Column(_("Root cause"), lambda a, u: a.root_cause, width=36),
            Column(_("Owner"), lambda a, u: str(a.owner) if a.owner_id else "", width=14),
            Column(_("Due date"), lambda a, u: a.due_date, CellType.DATE, width=12),
            Column(_("Effective from"), lambda a, u: a.effective_date, CellType.DATE, width=12),
            Column(_("Created"), lambda a, u: a.created_at, CellType.DATETIME, width=17),
        ),
        may_use=can_read,
        rows=action_rows,
        page="quality:actions",
    )
)
