"""Appraisals: the appraiser's queue (assigned to me and still open, then the unassigned
requests in my scope), as ``appraisal.views.queue`` shows it."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.appraisal.permissions import is_active_staff
from aftersales.appraisal.selectors import appraiser_queue

from ..registry import CellType, Column, ExportKind, Rows, list_rows, register


def queue_rows(user: User, params: Mapping[str, str]) -> Rows:
    queue = appraiser_queue(user=user)
    return list_rows(
        [(_("Assigned to me"), a) for a in queue["mine"]] + [(_("Unassigned requests"), a) for a in queue["unassigned"]]
    )


QUEUE = register(
    ExportKind(
        key="appraisal_queue",
        title=_("Appraisals"),
        columns=(
            Column(_("Queue"), lambda r, u: str(r[0]), width=16),
            Column(_("Number"), lambda r, u: r[1].number, width=14),
            Column(_("Status"), lambda r, u: r[1].get_status_display(), width=12),
            Column(_("Ticket"), lambda r, u: r[1].ticket.number, width=18),
            Column(_("Where"), lambda r, u: r[1].get_place_display(), width=12),
            Column(_("Product model"), lambda r, u: str(r[1].product_model) if r[1].product_model_id else "", width=18),
            Column(_("Batch / lot"), lambda r, u: r[1].batch, width=14),
            Column(_("Created"), lambda r, u: r[1].created_at, CellType.DATETIME, width=17),
        ),
        may_use=is_active_staff,
        rows=queue_rows,
        page="appraisal:queue",
    )
)
