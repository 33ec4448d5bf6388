"""Reports of the analytics app: the staff KPI table, the chargeback parties and one party's
chargeback statement, with their pages' query strings (period ``from``/``to``, ``kind``,
``group``, ``region``, ``team``; ``responsibility`` and ``party``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.analytics.models import StaffKind
from aftersales.analytics.selectors.chargeback import chargeback_parties_for_user, chargeback_statement_for_user
from aftersales.analytics.selectors.common import CHARGEBACK_ROLES, Period, parse_period, staff_reach, ticket_reach
from aftersales.analytics.selectors.drill import drill_from_query, drill_rows_for_user
from aftersales.analytics.selectors.kpis import GROUPS, kpi_row_as_dict, kpi_table_for_user
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.tickets.choices import Responsibility

from ..registry import CellType, Column, ExportKind, Rows, list_rows, queryset_rows, register


def _int(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name, "") or ""
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _period(params: Mapping[str, str]) -> Period:
    return parse_period(params.get("from") or None, params.get("to") or None)


def _check_period(_user: User, params: Mapping[str, str]) -> None:
    _period(params)


def _check_statement(_user: User, params: Mapping[str, str]) -> None:
    _period(params)
    if params.get("responsibility", "") not in Responsibility.values:
        raise ValidationFailed({"responsibility": [_("Choose the responsibility.")]}, code="invalid_responsibility")


def _reaches(user: User, **kwargs: Any) -> bool:
    try:
        staff_reach(user, person="user_key") if not kwargs else ticket_reach(user, **kwargs)
    except DomainError:
        return False
    return True


# --- Staff KPIs -------------------------------------------------------------------------------


def kpi_rows(user: User, params: Mapping[str, str]) -> Rows:
    kind = params.get("kind") if params.get("kind") in StaffKind.values else StaffKind.AGENT
    group = params.get("group") if params.get("group") in GROUPS else "person"
    table = kpi_table_for_user(
        user=user,
        period=_period(params),
        kind=str(kind),
        group=str(group),
        region=_int(params, "region"),
        team=_int(params, "team"),
    )
    return list_rows([kpi_row_as_dict(row) for row in [*table.rows, table.total]])


def _k(name: str) -> Any:
    return lambda row, _user: row[name]


KPIS = register(
    ExportKind(
        key="staff_kpis",
        title=_("Staff KPIs"),
        columns=(
            Column(_("Name"), _k("label"), width=16),
            Column(_("Tickets"), _k("handled"), CellType.NUMBER, width=9),
            Column(_("Resolved"), _k("resolved"), CellType.NUMBER, width=9),
            Column(_("First response median (min)"), _k("first_response_median_minutes"), CellType.NUMBER, width=12),
            Column(_("First response p90 (min)"), _k("first_response_p90_minutes"), CellType.NUMBER, width=12),
            Column(_("Resolution median (min)"), _k("resolution_median_minutes"), CellType.NUMBER, width=12),
            Column(_("Resolution p90 (min)"), _k("resolution_p90_minutes"), CellType.NUMBER, width=12),
            Column(_("First response SLA met (%)"), _k("first_response_sla_percent"), CellType.NUMBER, width=12),
            Column(_("Solution SLA met (%)"), _k("solution_sla_percent"), CellType.NUMBER, width=12),
            Column(_("Resolution SLA met (%)"), _k("resolution_sla_percent"), CellType.NUMBER, width=12),
            Column(_("CSAT"), _k("csat"), CellType.NUMBER, width=8),
            Column(_("Surveys"), _k("surveys"), CellType.NUMBER, width=8),
            Column(_("NPS"), _k("nps"), CellType.NUMBER, width=8),
            Column(_("Reopened"), _k("reopened"), CellType.NUMBER, width=9),
            Column(_("Reopen rate (%)"), _k("reopen_rate_percent"), CellType.NUMBER, width=10),
            Column(_("Complaints"), _k("complaints"), CellType.NUMBER, width=10),
            Column(_("Jobs"), _k("jobs"), CellType.NUMBER, width=8),
            Column(_("Jobs finished"), _k("jobs_done"), CellType.NUMBER, width=9),
            Column(_("On-time arrival (%)"), _k("on_time_arrival_percent"), CellType.NUMBER, width=10),
            Column(_("First-time fix (%)"), _k("first_time_fix_percent"), CellType.NUMBER, width=10),
            Column(_("Labour hours"), _k("labour_hours"), CellType.NUMBER, width=10),
            Column(_("Parts used"), _k("parts_used"), CellType.NUMBER, width=9),
        ),
        may_use=_reaches,
        rows=kpi_rows,
        check=_check_period,
        page="analytics:kpis",
    )
)


# --- Chargeback -------------------------------------------------------------------------------


def _chargeback_allowed(user: User) -> bool:
    return _reaches(user, roles=CHARGEBACK_ROLES)


def _cost_columns(get: Any) -> tuple[Column, ...]:
    return (
        Column(_("Parts"), get("cost_parts"), CellType.MONEY, width=12),
        Column(_("Labour"), get("cost_labour"), CellType.MONEY, width=12),
        Column(_("Travel"), get("cost_travel"), CellType.MONEY, width=12),
        Column(_("Refunds"), get("cost_refund"), CellType.MONEY, width=12),
        Column(_("Compensation"), get("cost_compensation"), CellType.MONEY, width=12),
    )


def party_rows(user: User, params: Mapping[str, str]) -> Rows:
    return list_rows(chargeback_parties_for_user(user=user, period=_period(params), region=_int(params, "region")))


PARTIES = register(
    ExportKind(
        key="chargeback_parties",
        title=_("Cost chargeback by party"),
        columns=(
            Column(_("Responsibility"), lambda p, u: p.responsibility_label, width=16),
            Column(_("Responsible party"), lambda p, u: p.party, width=24),
            Column(_("Tickets"), lambda p, u: p.tickets, CellType.NUMBER, width=9),
            *_cost_columns(lambda name: lambda p, u: p.amounts.get(name)),
            Column(_("Total cost"), lambda p, u: p.total, CellType.MONEY, width=14),
        ),
        may_use=_chargeback_allowed,
        rows=party_rows,
        check=_check_period,
        page="analytics:chargeback",
    )
)


def statement_rows(user: User, params: Mapping[str, str]) -> Rows:
    statement = chargeback_statement_for_user(
        user=user,
        period=_period(params),
        responsibility=params.get("responsibility", ""),
        party=(params.get("party", "") or "")[:128],
        region=_int(params, "region"),
    )
    return list_rows(statement.lines)


STATEMENT = register(
    ExportKind(
        key="chargeback_statement",
        title=_("Chargeback statement"),
        columns=(
            Column(_("Number"), lambda f, u: f.number, width=18),
            Column(_("Registered on"), lambda f, u: f.day, CellType.DATE, width=12),
            Column(_("Resolved on"), lambda f, u: f.resolved_day, CellType.DATE, width=12),
            Column(_("Responsible party"), lambda f, u: f.responsible_party, width=20),
            *_cost_columns(lambda name: lambda f, u: getattr(f, name)),
            Column(_("Total cost"), lambda f, u: f.cost_total, CellType.MONEY, width=14),
        ),
        may_use=_chargeback_allowed,
        rows=statement_rows,
        check=_check_statement,
        page="analytics:chargeback_statement",
    )
)


# --- The tickets (or jobs) behind a figure ----------------------------------------------------


def _check_drill(_user: User, params: Mapping[str, str]) -> None:
    drill_from_query(params)


def _drill_rows(user: User, params: Mapping[str, str]) -> Rows:
    drill, staff = drill_from_query(params)
    return queryset_rows(drill_rows_for_user(user=user, drill=drill, staff=staff))


def _yes_no(value: bool | None) -> str:
    return "" if value is None else str(_("yes") if value else _("no"))


DRILL_TICKETS = register(
    ExportKind(
        key="drill_tickets",
        title=_("Tickets behind a figure"),
        columns=(
            Column(_("Number"), lambda f, u: f.number, width=18),
            Column(_("Title"), lambda f, u: f.ticket.title, width=40),
            Column(_("Registered on"), lambda f, u: f.day, CellType.DATE, width=12),
            Column(_("Resolved on"), lambda f, u: f.resolved_day, CellType.DATE, width=12),
            Column(_("Status"), lambda f, u: f.ticket.get_status_display(), width=14),
            Column(_("Total cost"), lambda f, u: f.cost_total, CellType.MONEY, width=14),
        ),
        may_use=_reaches,
        rows=_drill_rows,
        check=_check_drill,
        page="analytics:drill",
    )
)

DRILL_JOBS = register(
    ExportKind(
        key="drill_jobs",
        title=_("Jobs behind a figure"),
        columns=(
            Column(_("Work order"), lambda j, u: j.number, width=18),
            Column(_("Ticket"), lambda j, u: j.ticket_number, width=18),
            Column(_("Date"), lambda j, u: j.day, CellType.DATE, width=12),
            Column(_("Finished"), lambda j, u: _yes_no(j.done), width=9),
            Column(_("On time"), lambda j, u: _yes_no(j.on_time), width=9),
            Column(_("First-time fix"), lambda j, u: _yes_no(j.first_time_fix), width=9),
            Column(_("Labour hours"), lambda j, u: j.labour_hours, CellType.NUMBER, width=10),
        ),
        may_use=_reaches,
        rows=_drill_rows,
        check=_check_drill,
        page="analytics:drill",
    )
)
