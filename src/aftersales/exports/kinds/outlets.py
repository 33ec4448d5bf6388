"""Outlets' settlement statements, line by line: the statements the list page shows with its
filters (outlet, status, period), or one statement (``number``, the statement page's button).
Read through the outlets app's selectors: an outlet's leader gets his outlet's only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.accounts.models import User
from aftersales.outlets import selectors
from aftersales.outlets.models import SettlementLine, SettlementStatus
from aftersales.outlets.permissions import led_outlet_ids, sees_every_outlet

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def line_rows(user: User, params: Mapping[str, str]) -> Rows:
    statements = selectors.settlement_list(
        user=user,
        statuses=[params["status"]] if params.get("status", "") in SettlementStatus.values else None,
        since=_day(params.get("since", "")),
        until=_day(params.get("until", "")),
    )
    if params.get("outlet"):
        statements = statements.filter(outlet__code=params["outlet"])
    if params.get("number"):
        statements = statements.filter(number=params["number"])
    lines = (
        SettlementLine.objects.filter(settlement__in=statements.values("pk"))
        .select_related("settlement__outlet", "work_order__ticket", "work_order__technician")
        .order_by("settlement__period_start", "settlement__number", "completed_at", "id")
    )
    return queryset_rows(lines)


def _may_use(user: User) -> bool:
    return sees_every_outlet(user) or bool(led_outlet_ids(user))


SETTLEMENT_LINES = register(
    ExportKind(
        key="outlet_settlement_lines",
        title=_("Settlement statements"),
        columns=(
            Column(_("Settlement statement"), lambda r, u: r.settlement.number, width=26),
            Column(_("Service outlet"), lambda r, u: r.settlement.outlet.name, width=20),
            Column(_("Period from"), lambda r, u: r.settlement.period_start, CellType.DATE, width=11),
            Column(_("Period until"), lambda r, u: r.settlement.period_end, CellType.DATE, width=11),
            Column(_("Status"), lambda r, u: r.settlement.get_status_display(), width=12),
            Column(_("Work order"), lambda r, u: r.work_order.number, width=18),
            Column(_("Ticket"), lambda r, u: r.work_order.ticket.number, width=18),
            Column(_("Technician"), lambda r, u: str(r.work_order.technician or ""), width=12),
            Column(_("Accepted by the customer at"), lambda r, u: r.completed_at, CellType.DATETIME, width=17),
            Column(_("Labour hours"), lambda r, u: r.labour_hours, CellType.NUMBER, width=9),
            Column(_("Travel distance (km)"), lambda r, u: r.travel_km, CellType.NUMBER, width=9),
            Column(_("Call-out fee"), lambda r, u: r.call_out_amount, CellType.MONEY, width=10),
            Column(pgettext_lazy("settlement amount", "Labour"), lambda r, u: r.labour_amount, CellType.MONEY, width=10),
            Column(pgettext_lazy("settlement amount", "Travel"), lambda r, u: r.travel_amount, CellType.MONEY, width=10),
            Column(_("Repeat repair of"), lambda r, u: r.repeat_of, width=18),
            Column(_("Penalty"), lambda r, u: r.penalty_amount, CellType.MONEY, width=10),
            Column(pgettext_lazy("settlement amount", "Adjustment"), lambda r, u: r.adjustment, CellType.MONEY, width=10),
            Column(_("Reason for the adjustment"), lambda r, u: r.adjustment_reason, width=20),
            Column(_("Amount"), lambda r, u: r.amount, CellType.MONEY, width=12),
        ),
        may_use=_may_use,
        rows=line_rows,
        page="outlets:settlements",
    )
)
