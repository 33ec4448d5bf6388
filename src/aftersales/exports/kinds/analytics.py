"""Reports of the analytics app: the staff KPI table, the chargeback parties and one party's
chargeback statement, with their pages' query strings (period ``from``/``to``, ``kind``,
``group``, ``region``, ``team``; ``responsibility`` and ``party``), and the management
dashboard's figures (months ``from``/``to`` as YYYY-MM, ``region``, ``category``): per month,
backlog by status and age, intake by category, top faults and cost by model."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.analytics.models import StaffKind
from aftersales.analytics.selectors.chargeback import (
    chargeback_parties_for_user,
    chargeback_statement_for_user,
    party_entries,
)
from aftersales.analytics.selectors.common import (
    CHARGEBACK_ROLES,
    SCOPED_ROLES,
    Period,
    parse_period,
    staff_reach,
    ticket_reach,
)
from aftersales.analytics.selectors.drill import JOB_METRICS, drill_from_query, drill_rows_for_user
from aftersales.analytics.selectors.kpis import GROUPS, kpi_row_as_dict, kpi_table_for_user
from aftersales.analytics.selectors.management import Management, management_filters, management_for_user
from aftersales.analytics.services.rollups import AGE_BANDS, COST_FIELDS
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.tickets.choices import Channel, Responsibility
from aftersales.tickets.states import TicketStatus

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
    responsibility = params.get("responsibility", "")
    if responsibility in Responsibility.values:
        return
    # Without a responsibility the party must be a register entry's code (or name).
    if responsibility or not party_entries("", (params.get("party", "") or "")[:128]):
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


# The KPI row's average ratings (1–5), one number column each.
CSAT_COLUMNS = (
    ("overall", _("CSAT overall")),
    ("speed", _("CSAT speed")),
    ("attitude", _("CSAT attitude")),
    ("professionalism", _("CSAT professionalism")),
    ("result", _("CSAT result")),
)


def _csat(name: str) -> Any:
    return lambda row, _user: row["csat"].get(name)


KPIS = register(
    ExportKind(
        key="staff_kpis",
        title=_("Staff KPIs"),
        columns=(
            Column(_("Name"), _k("label"), width=16),
            Column(_("Tickets"), _k("handled"), CellType.NUMBER, width=9),
            # Its own msgid: "Resolved" alone reads "resolution time" (解决时间) in Chinese.
            Column(pgettext_lazy("kpi column", "Resolved"), _k("resolved"), CellType.NUMBER, width=9),
            Column(_("First response median (min)"), _k("first_response_median_minutes"), CellType.NUMBER, width=12),
            Column(_("First response p90 (min)"), _k("first_response_p90_minutes"), CellType.NUMBER, width=12),
            Column(_("Resolution median (min)"), _k("resolution_median_minutes"), CellType.NUMBER, width=12),
            Column(_("Resolution p90 (min)"), _k("resolution_p90_minutes"), CellType.NUMBER, width=12),
            Column(_("First response SLA met (%)"), _k("first_response_sla_percent"), CellType.NUMBER, width=12),
            Column(_("Solution SLA met (%)"), _k("solution_sla_percent"), CellType.NUMBER, width=12),
            Column(_("Resolution SLA met (%)"), _k("resolution_sla_percent"), CellType.NUMBER, width=12),
            *(Column(header, _csat(name), CellType.NUMBER, width=10) for name, header in CSAT_COLUMNS),
            Column(_("Surveys"), _k("surveys"), CellType.NUMBER, width=8),
            Column(_("Satisfied, overall 4–5 (%)"), _k("satisfied_percent"), CellType.NUMBER, width=10),
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
            Column(_("Party code"), lambda p, u: p.party_code, width=14),
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


def _check_drill(*, jobs: bool) -> Callable[[User, Mapping[str, str]], None]:
    """The drill export's input check: a readable period and a figure of the kind's own facts —
    a job figure (``JOB_METRICS``) for ``drill_jobs``, any other for ``drill_tickets`` — refused
    when the export is asked for, not in its job."""

    def check(_user: User, params: Mapping[str, str]) -> None:
        drill, _staff = drill_from_query(params)
        if (drill.metric in JOB_METRICS) != jobs:
            message = _("This figure counts tickets, not jobs.") if jobs else _("This figure counts jobs, not tickets.")
            raise ValidationFailed({"metric": [message]}, code="drill_wrong_figure")

    return check


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
        check=_check_drill(jobs=False),
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
        check=_check_drill(jobs=True),
        page="analytics:drill",
    )
)


# --- The management dashboard -------------------------------------------------------------------
# The page's filters and scope (``management_views.management``): the same selector, the same
# rows, one sheet per table behind its charts.


def _management(user: User, params: Mapping[str, str]) -> Management:
    start, end, region, category = management_filters(params, today=timezone.localdate())
    return management_for_user(user=user, start=start, end=end, region=region, category=category)


def _check_management(_user: User, params: Mapping[str, str]) -> None:
    management_filters(params, today=timezone.localdate())


def _management_allowed(user: User) -> bool:
    return _reaches(user, roles=SCOPED_ROLES)


def month_rows(user: User, params: Mapping[str, str]) -> Rows:
    m = _management(user, params)
    rows = []
    for i, month in enumerate(m.months):
        costs = {name: m.cost_by_month[name][i] for name in COST_FIELDS}
        rows.append(
            {
                "month": f"{month:%Y-%m}",
                "intake": m.intake[i],
                **{f"channel_{c}": m.intake_by_channel.get(c, [0] * len(m.months))[i] for c in Channel.values},
                "satisfaction": m.satisfaction[i],
                "satisfied": m.satisfied[i],
                "nps": m.nps[i],
                "nps_answers": m.nps_answers[i],
                **costs,
                "cost_total": sum(costs.values(), Decimal("0")),
                "cost_per_ticket": m.cost_per_ticket[i],
            }
        )
    return list_rows(rows)


def _cost_total_column() -> Column:
    return Column(_("Total cost"), _k("cost_total"), CellType.MONEY, width=14)


MANAGEMENT_MONTHS = register(
    ExportKind(
        key="management_months",
        title=_("Management dashboard"),
        columns=(
            Column(_("Month"), _k("month"), width=9),
            Column(_("Tickets"), _k("intake"), CellType.NUMBER, width=9),
            *(Column(label, _k(f"channel_{value}"), CellType.NUMBER, width=9) for value, label in Channel.choices),
            Column(_("Average overall rating"), _k("satisfaction"), CellType.NUMBER, width=10),
            Column(_("Satisfied, overall 4–5 (%)"), _k("satisfied"), CellType.NUMBER, width=10),
            Column(_("NPS (0–10: surveys and revisit calls)"), _k("nps"), CellType.NUMBER, width=10),
            Column(_("NPS answers"), _k("nps_answers"), CellType.NUMBER, width=9),
            *_cost_columns(_k),
            _cost_total_column(),
            Column(_("Cost per ticket"), _k("cost_per_ticket"), CellType.MONEY, width=12),
        ),
        may_use=_management_allowed,
        rows=month_rows,
        check=_check_management,
        page="analytics:management",
    )
)


def _band_label(index: int) -> str:
    if index < len(AGE_BANDS):
        low = AGE_BANDS[index - 1] if index else 0
        return gettext("%(low)s–%(high)s days") % {"low": low, "high": AGE_BANDS[index]}
    return gettext("over %(days)s days") % {"days": AGE_BANDS[-1]}


band_label = lazy(_band_label, str)
BANDS = range(len(AGE_BANDS) + 1)


def backlog_rows(user: User, params: Mapping[str, str]) -> Rows:
    m = _management(user, params)
    rows: list[dict[str, Any]] = [
        {"label": status.label, **{f"b{i}": m.backlog[status.value][i] for i in BANDS}}
        for status in TicketStatus
        if status.value in m.backlog
    ]
    for state, label in (("warning", _("SLA risk: warning")), ("breached", _("SLA risk: breached"))):
        counts = m.sla_risk.get(state, [0] * len(BANDS))
        rows.append({"label": label, **{f"b{i}": counts[i] for i in BANDS}})
    for row in rows:
        row["total"] = sum(row[f"b{i}"] for i in BANDS)
    return list_rows(rows)


MANAGEMENT_BACKLOG = register(
    ExportKind(
        key="management_backlog",
        title=_("Backlog by status and age"),
        columns=(
            # Wide enough for the longest status label (its own label, as on the dashboard).
            Column(_("Status"), lambda r, u: str(r["label"]), width=32),
            *(Column(band_label(i), _k(f"b{i}"), CellType.NUMBER, width=11) for i in BANDS),
            Column(_("Total"), _k("total"), CellType.NUMBER, width=9),
        ),
        may_use=_management_allowed,
        rows=backlog_rows,
        check=_check_management,
        page="analytics:management",
    )
)


def category_rows(user: User, params: Mapping[str, str]) -> Rows:
    m = _management(user, params)
    return list_rows(
        [
            {"category": m.category_labels[key], "month": f"{month:%Y-%m}", "intake": counts[i]}
            for key, counts in sorted(m.intake_by_category.items(), key=lambda kv: m.category_labels[kv[0]])
            for i, month in enumerate(m.months)
            if counts[i]
        ]
    )


MANAGEMENT_CATEGORIES = register(
    ExportKind(
        key="management_categories",
        title=_("Intake by category"),
        columns=(
            Column(_("Category"), _k("category"), width=20),
            Column(_("Month"), _k("month"), width=9),
            Column(_("Tickets"), _k("intake"), CellType.NUMBER, width=9),
        ),
        may_use=_management_allowed,
        rows=category_rows,
        check=_check_management,
        page="analytics:management",
    )
)


def fault_rows(user: User, params: Mapping[str, str]) -> Rows:
    m = _management(user, params)
    total = sum(n for _k, _label, n in m.top_models)
    rows, running = [], 0
    for _key, label, n in m.top_models:
        running += n
        rows.append({"model": label, "tickets": n, "share": round(100 * running / total, 1) if total else None})
    return list_rows(rows)


MANAGEMENT_FAULTS = register(
    ExportKind(
        key="management_faults",
        title=_("Top faults by model"),
        columns=(
            Column(_("Model"), _k("model"), width=24),
            Column(_("Fault tickets"), _k("tickets"), CellType.NUMBER, width=9),
            Column(_("Cumulative share (%)"), _k("share"), CellType.NUMBER, width=12),
        ),
        may_use=_management_allowed,
        rows=fault_rows,
        check=_check_management,
        page="analytics:management",
    )
)


def model_cost_rows(user: User, params: Mapping[str, str]) -> Rows:
    m = _management(user, params)
    return list_rows(
        [{"model": label, **costs, "cost_total": sum(costs.values(), Decimal("0"))} for _key, label, costs in m.cost_by_model]
    )


MANAGEMENT_MODEL_COSTS = register(
    ExportKind(
        key="management_model_costs",
        title=_("After-sales cost by model"),
        columns=(Column(_("Model"), _k("model"), width=24), *_cost_columns(_k), _cost_total_column()),
        may_use=_management_allowed,
        rows=model_cost_rows,
        check=_check_management,
        page="analytics:management",
    )
)
