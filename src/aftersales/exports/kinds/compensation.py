"""Refunds and compensation: every one the reader's ticket scope reaches (the queues page's
"recent" lists, in full), bank details masked as the detail page masks them."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.compensation import selectors
from aftersales.compensation.models import CompensationKind, FulfilmentStatus

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def _filtered(qs: QuerySet, params: Mapping[str, str], statuses: list[str]) -> QuerySet:
    status = params.get("status", "")
    if status in statuses:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-id")


def refund_rows(user: User, params: Mapping[str, str]) -> Rows:
    qs = selectors.refunds_visible_to(user)
    return queryset_rows(_filtered(qs, params, FulfilmentStatus.values))


def compensation_rows(user: User, params: Mapping[str, str]) -> Rows:
    qs = selectors.compensations_visible_to(user)
    kind = params.get("kind", "")
    if kind in CompensationKind.values:
        qs = qs.filter(kind=kind)
    return queryset_rows(_filtered(qs, params, FulfilmentStatus.values))


def _staff(user: User) -> bool:
    return not user.is_customer


_COMMON_HEAD = (
    Column(_("Number"), lambda r, u: r.number, width=16),
    Column(_("Ticket"), lambda r, u: r.ticket.number, width=18),
    Column(_("Customer"), lambda r, u: r.customer.name, width=16),
)
_COMMON_TAIL = (
    Column(_("Status"), lambda r, u: r.get_status_display(), width=12),
    Column(_("Requested by"), lambda r, u: str(r.requested_by) if r.requested_by_id else "", width=14),
    Column(_("Requested at"), lambda r, u: r.requested_at, CellType.DATETIME, width=17),
    Column(_("Decided at"), lambda r, u: r.decided_at, CellType.DATETIME, width=17),
    Column(_("Paid / issued at"), lambda r, u: r.fulfilled_at, CellType.DATETIME, width=17),
    Column(_("Payment reference"), lambda r, u: r.payment_reference, width=16),
)

REFUNDS = register(
    ExportKind(
        key="refunds",
        title=_("Refunds"),
        columns=(
            *_COMMON_HEAD,
            Column(_("Price paid"), lambda r, u: r.price, CellType.MONEY, width=12),
            Column(_("Depreciation"), lambda r, u: r.depreciation, CellType.MONEY, width=12),
            Column(_("Fees"), lambda r, u: r.fees, CellType.MONEY, width=10),
            Column(_("Amount"), lambda r, u: r.amount, CellType.MONEY, width=12),
            Column(_("Refund method"), lambda r, u: r.get_method_display(), width=12),
            Column(_("Account holder"), lambda r, u: selectors.account_name_shown(u, r), width=14),
            Column(_("Account number"), lambda r, u: selectors.bank_account_shown(u, r), width=20),
            *_COMMON_TAIL,
        ),
        may_use=_staff,
        rows=refund_rows,
        page="compensation:queues",
    )
)

COMPENSATIONS = register(
    ExportKind(
        key="compensations",
        title=_("Compensation"),
        columns=(
            *_COMMON_HEAD,
            Column(_("Kind"), lambda c, u: c.get_kind_display(), width=12),
            Column(_("Amount"), lambda c, u: c.amount, CellType.MONEY, width=12),
            Column(_("Points"), lambda c, u: c.points or None, CellType.NUMBER, width=8),
            Column(_("Gift"), lambda c, u: c.gift_part.name if c.gift_part_id else "", width=16),
            Column(_("Quantity"), lambda c, u: c.gift_quantity or None, CellType.NUMBER, width=8),
            *_COMMON_TAIL,
        ),
        may_use=_staff,
        rows=compensation_rows,
        page="compensation:queues",
    )
)
