"""Crisis alerts (spikes and safety words) the reader's region reaches, newest first."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.crisis import selectors
from aftersales.crisis.models import AlertStatus
from aftersales.crisis.permissions import can_manage

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def alert_rows(user: User, params: Mapping[str, str]) -> Rows:
    qs = selectors.alerts_visible_to(user)
    status = params.get("status", "")
    if status in AlertStatus.values:
        qs = qs.filter(status=status)
    return queryset_rows(qs.order_by("-opened_at", "-pk"))


ALERTS = register(
    ExportKind(
        key="crisis_alerts",
        title=_("Crisis alerts"),
        columns=(
            Column(_("Alert"), lambda a, u: a.pk, CellType.NUMBER, width=8),
            Column(_("Kind"), lambda a, u: a.get_kind_display(), width=12),
            Column(_("Status"), lambda a, u: a.get_status_display(), width=12),
            Column(_("Dimension"), lambda a, u: a.get_dimension_display(), width=12),
            Column(_("What"), lambda a, u: a.key_label or a.key, width=24),
            Column(_("Region"), lambda a, u: str(a.region) if a.region_id else "", width=12),
            Column(_("Model"), lambda a, u: a.product_model.name if a.product_model_id else "", width=16),
            Column(_("Batch"), lambda a, u: a.batch, width=12),
            Column(_("Tickets"), lambda a, u: a.ticket_count, CellType.NUMBER, width=8),
            Column(_("Observed"), lambda a, u: a.observed, CellType.NUMBER, width=8),
            Column(_("Expected"), lambda a, u: a.expected, CellType.NUMBER, width=8),
            Column(_("p-value"), lambda a, u: a.p_value, CellType.NUMBER, width=10),
            Column(_("Opened at"), lambda a, u: a.opened_at, CellType.DATETIME, width=17),
            Column(_("Decided at"), lambda a, u: a.decided_at, CellType.DATETIME, width=17),
            Column(_("Crisis"), lambda a, u: str(a.crisis) if a.crisis_id else "", width=16),
        ),
        may_use=can_manage,
        rows=alert_rows,
        page="crisis:board",
    )
)
