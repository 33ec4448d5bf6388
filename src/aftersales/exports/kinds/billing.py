"""Receivables (the customers' charges of finished work orders) as the finance list shows them:
its filters (status, aging bucket, a work order's or ticket's number, technician), outstanding
first, read through the billing app's selector — the reader's data scope, a technician his own."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.accounts.models import User
from aftersales.billing import selectors
from aftersales.billing.models import Receivable
from aftersales.billing.permissions import is_overseer

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def receivable_rows(user: User, params: Mapping[str, str]) -> Rows:
    qs = selectors.receivable_list(
        user=user,
        status=params.get("status", "").strip()[:16] or selectors.OUTSTANDING_FILTER,
        bucket=params.get("bucket", "").strip()[:16],
        search=params.get("q", "").strip()[:32],
        technician=params.get("technician", "").strip()[:150],
    )
    return queryset_rows(qs)


def _age(r: Receivable, u: User) -> object:
    return selectors.bucket_of(r).label if r.status in {"open", "partly_paid"} else ""


def _invoice(r: Receivable, u: User) -> str:
    invoice = selectors.invoice_of(r)
    return invoice.number if invoice is not None else ""


RECEIVABLES = register(
    ExportKind(
        key="receivables",
        title=_("Receivables"),
        columns=(
            Column(_("Work order"), lambda r, u: r.work_order.number, width=18),
            Column(_("Ticket"), lambda r, u: r.ticket.number, width=18),
            Column(_("Technician"), lambda r, u: str(r.work_order.technician or ""), width=12),
            Column(_("Work done on"), lambda r, u: r.due_from, CellType.DATE, width=12),
            Column(pgettext_lazy("aging", "Age"), _age, width=12),
            Column(_("Due (CNY)"), lambda r, u: r.amount, CellType.MONEY, width=12),
            Column(pgettext_lazy("receivable", "Paid (CNY)"), lambda r, u: r.paid_amount, CellType.MONEY, width=12),
            Column(pgettext_lazy("receivable", "Outstanding (CNY)"), lambda r, u: r.outstanding, CellType.MONEY, width=12),
            Column(_("Status"), lambda r, u: r.get_status_display(), width=10),
            Column(_("Invoice"), _invoice, width=20),
        ),
        may_use=is_overseer,
        rows=receivable_rows,
        page="billing:list",
    )
)
