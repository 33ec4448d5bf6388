"""Spare parts: the stock list and the requisitions, with their pages' filters and scope."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.parts import permissions as perms
from aftersales.parts import selectors
from aftersales.parts.forms import StockFilterForm
from aftersales.parts.states import RequisitionStatus

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def stock_rows(user: User, params: Mapping[str, str]) -> Rows:
    """As ``parts.views.stock_list`` reads them."""
    form = StockFilterForm(params or None, warehouses=selectors.warehouses_for_user(user=user))
    warehouse_id, query, low_only = None, "", False
    if form.is_valid():
        warehouse = form.cleaned_data["warehouse"]
        warehouse_id, query, low_only = (warehouse.pk if warehouse else None), form.cleaned_data["q"], form.cleaned_data["low"]
    qs = selectors.stock_for_user(user=user, warehouse_id=warehouse_id, query=query, low_only=low_only)
    return queryset_rows(qs)


def requisition_rows(user: User, params: Mapping[str, str]) -> Rows:
    """As ``parts.views.requisition_list`` reads them: a status, "all", or the inbox."""
    status = params.get("status", "")
    if status == "all":
        qs = selectors.requisitions_for_user(user=user)
    elif status in RequisitionStatus.values:
        qs = selectors.requisitions_for_user(user=user, status=status)
    else:
        qs = selectors.requisition_inbox(user=user)
    return queryset_rows(qs)


STOCK = register(
    ExportKind(
        key="parts_stock",
        title=_("Parts stock"),
        columns=(
            Column(_("Warehouse"), lambda s, u: s.warehouse.display_name, width=18),
            Column(_("Part number"), lambda s, u: s.part.number, width=16),
            Column(_("Part"), lambda s, u: s.part.name, width=24),
            Column(_("On hand"), lambda s, u: s.on_hand, CellType.NUMBER, width=10),
            Column(_("Reserved"), lambda s, u: s.reserved, CellType.NUMBER, width=10),
            Column(_("Available"), lambda s, u: s.available, CellType.NUMBER, width=10),
            Column(_("Minimum level"), lambda s, u: s.min_level, CellType.NUMBER, width=10),
            Column(_("Emergency reserve"), lambda s, u: s.emergency_reserve, CellType.NUMBER, width=10),
            Column(_("Unit cost"), lambda s, u: s.part.unit_cost, CellType.MONEY, width=12),
        ),
        may_use=perms.is_stock_staff,
        rows=stock_rows,
        page="parts:stock",
    )
)

REQUISITIONS = register(
    ExportKind(
        key="parts_requisitions",
        title=_("Parts requisitions"),
        columns=(
            Column(_("Number"), lambda r, u: r.number, width=12),
            Column(_("Work order"), lambda r, u: r.work_order.number if r.work_order_id else "", width=18),
            Column(_("From warehouse"), lambda r, u: r.warehouse.display_name, width=18),
            Column(_("Requested by"), lambda r, u: str(r.requested_by) if r.requested_by_id else "", width=14),
            Column(_("Lines"), lambda r, u: r.line_count, CellType.NUMBER, width=8),
            Column(_("Total cost"), lambda r, u: r.total_cost, CellType.MONEY, width=12),
            Column(_("Status"), lambda r, u: r.get_status_display(), width=12),
            Column(_("Urgent"), lambda r, u: _("Yes") if r.urgent else "", width=8),
            Column(_("Created"), lambda r, u: r.created_at, CellType.DATETIME, width=17),
        ),
        may_use=lambda user: perms.is_stock_staff(user) or perms.is_technician(user),
        rows=requisition_rows,
        page="parts:requisitions",
    )
)
