"""The revisit queue (回访): the queue page's filters and scope."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.revisits import selectors
from aftersales.revisits.forms import QueueForm
from aftersales.revisits.models import Revisit
from aftersales.revisits.permissions import reads_revisits

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def revisit_rows(user: User, params: Mapping[str, str]) -> Rows:
    """As ``revisits.views.queue`` reads them (an invalid query string: the default queue)."""
    form = QueueForm(params or None)
    filters = selectors.QueueFilters()
    if form.is_valid():
        c = form.cleaned_data
        filters = selectors.QueueFilters(
            status=c["status"] or "open",
            reason=c["reason"],
            overdue=c["overdue"],
            mine=c["who"] == "mine",
            unassigned=c["who"] == "unassigned",
            query=c["q"],
        )
    return queryset_rows(selectors.revisit_queue(user=user, filters=filters))


def _who(r: Revisit, _u: User) -> str:
    return str(r.assignee) if r.assignee_id else ""


REVISITS = register(
    ExportKind(
        key="revisits",
        title=_("Revisit queue"),
        columns=(
            Column(_("Revisit"), lambda r, u: r.code, width=10),
            Column(_("Customer"), lambda r, u: r.customer.name, width=18),
            Column(_("Customer tier"), lambda r, u: r.customer.get_tier_display(), width=12),
            Column(_("Reason"), lambda r, u: r.get_reason_display(), width=14),
            Column(_("Ticket"), lambda r, u: r.ticket.number if r.ticket_id else "", width=18),
            Column(_("Status"), lambda r, u: r.get_status_display(), width=12),
            Column(_("Due date"), lambda r, u: r.due_date, CellType.DATE, width=12),
            Column(_("Unreached calls"), lambda r, u: r.attempts, CellType.NUMBER, width=10),
            Column(_("Outcome"), lambda r, u: r.get_outcome_display() if r.outcome else "", width=14),
            Column(_("Assignee"), _who, width=14),
            Column(_("Completed at"), lambda r, u: r.completed_at, CellType.DATETIME, width=17),
        ),
        may_use=reads_revisits,
        rows=revisit_rows,
        page="revisits:queue",
    )
)
