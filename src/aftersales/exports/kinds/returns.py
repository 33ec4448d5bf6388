"""Returns and exchanges (RMA): the warehouse worklist with its view (expected, received, done)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.returns import selectors
from aftersales.returns.views import VIEWS

from ..registry import CellType, Column, ExportKind, Rows, list_rows, register

# The worklist page shows the first 200; an export holds them all (returns are few).
MAX_RETURNS = 100_000


def rma_rows(user: User, params: Mapping[str, str]) -> Rows:
    view = params.get("view", "expected")
    if view not in VIEWS:
        view = "expected"
    return list_rows(selectors.warehouse_worklist(user=user, view=view, limit=MAX_RETURNS))


RETURNS = register(
    ExportKind(
        key="returns",
        title=_("Returns and exchanges"),
        columns=(
            Column(_("RMA number"), lambda r, u: r.number, width=16),
            Column(_("Kind"), lambda r, u: r.get_kind_display(), width=10),
            Column(_("Status"), lambda r, u: r.get_status_display(), width=14),
            Column(_("Ticket"), lambda r, u: r.ticket.number, width=18),
            Column(_("Customer"), lambda r, u: r.customer.name, width=16),
            Column(_("Model"), lambda r, u: r.unit.model.name, width=16),
            Column(_("Serial number"), lambda r, u: r.unit.serial_number, width=18),
            Column(_("Warehouse"), lambda r, u: r.warehouse.display_name if r.warehouse_id else "", width=16),
            Column(_("Carrier"), lambda r, u: r.carrier, width=12),
            Column(_("Tracking number"), lambda r, u: r.tracking_number, width=18),
            Column(_("Received at"), lambda r, u: r.received_at, CellType.DATETIME, width=17),
            Column(_("Inspected at"), lambda r, u: r.inspected_at, CellType.DATETIME, width=17),
        ),
        may_use=lambda user: not user.is_customer,
        rows=rma_rows,
        page="returns:worklist",
    )
)
