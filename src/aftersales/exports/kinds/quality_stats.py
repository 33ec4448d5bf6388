"""Quality statistics: the overview's tables (fault rate per batch, the two Pareto tables, time
to failure), the tickets behind a figure, first-time-fix rates, repeat repairs and the
process-change archive — each with its page's filters and the reader's region scope
(``quality.statistics.filters_for``, ``fieldservice.ftf`` by user)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.fieldservice import ftf
from aftersales.quality import by_model, rates, selectors, statistics
from aftersales.quality.figures import cause_label
from aftersales.quality.forms import FilterForm, FtfForm
from aftersales.quality.overview import cached_for, overview_figures
from aftersales.quality.permissions import can_read

from ..registry import CellType, Column, ExportKind, Rows, list_rows, queryset_rows, register


def _query(params: Mapping[str, str]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = value
    return query


def stat_filters(user: User, params: Mapping[str, str]) -> statistics.StatFilters:
    """As ``quality.views._filters`` reads the page's query string, with the reader's scope."""
    base = FilterForm(_query(params) or None).filters()
    batch = params.get("batch")
    if batch is not None:
        base = statistics.StatFilters(**{**base.__dict__, "batch": batch[:64]})
    return statistics.filters_for(user, base)


def _per_thousand(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def rate_rows(user: User, params: Mapping[str, str]) -> Rows:
    """The overview's fault rate per batch (every batch, not only the first 100 the page
    draws), then per model the faulty units of unknown batch."""
    rates = overview_figures(stat_filters(user, params)).rates
    return list_rows([*rates.rows, *rates.unknown_batch])


def group_rate_rows(user: User, params: Mapping[str, str]) -> Rows:
    """The fault rates per factory, supplier and production month (``quality.rates``), each
    dimension's rows then its unknown row, as the page shows them."""
    filters = stat_filters(user, params)
    found = cached_for(filters, "rates", lambda: {d: rates.group_rates(d, filters) for d in rates.RATE_DIMENSIONS})
    out: list[rates.GroupRate] = []
    for dimension in rates.RATE_DIMENSIONS:
        out.extend(found[dimension].rows)
        if found[dimension].unknown is not None:
            out.append(found[dimension].unknown)  # type: ignore[arg-type]
    return list_rows(out)


_GROUPED_BY = {"factory": _("Factory"), "supplier": _("Supplier"), "production_month": _("Production month")}


def pareto_rows(dimension: str) -> Any:
    def rows(user: User, params: Mapping[str, str]) -> Rows:
        figs = overview_figures(stat_filters(user, params))
        items = figs.causes if dimension == "cause" else figs.components
        total = sum(r.tickets for r in items)
        out, running = [], 0
        for r in items:
            running += r.tickets
            out.append((r, round(100.0 * running / total, 1) if total else None))
        return list_rows(out)

    return rows


def model_rows(user: User, params: Mapping[str, str]) -> Rows:
    """The overview's fault rate per model (with the trend's two windows)."""
    return list_rows(overview_figures(stat_filters(user, params)).models)


def ttf_rows(user: User, params: Mapping[str, str]) -> Rows:
    return list_rows(overview_figures(stat_filters(user, params)).ttf.months)


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.lstrip("-").isdigit() and len(raw) < 10 else None


def fault_ticket_rows(user: User, params: Mapping[str, str]) -> Rows:
    """As ``quality.views.fault_tickets`` reads them (the figure's cell from the query string)."""

    def text(name: str) -> str | None:
        value = params.get(name)
        return value[:128] if value is not None else None

    cell = selectors.FaultTicketFilters(
        stats=stat_filters(user, params),
        week=_date(params.get("week")),
        cause=text("cause"),
        component=text("component"),
        supplier=text("supplier"),
        factory=text("factory"),
        production_month=_date(params.get("month")),
        months_in_service=_int(params.get("mis")),
        first_of_unit=params.get("first") == "1",
        no_unit=params.get("nounit") == "1",
    )
    return queryset_rows(selectors.fault_tickets(user=user, filters=cell))


def _period(params: Mapping[str, str]) -> tuple[dt.date | None, dt.date | None]:
    return FtfForm(_query(params) or None).period()


def ftf_rows(user: User, params: Mapping[str, str]) -> Rows:
    """The first-time-fix page's three tables in one sheet: the total, then per technician,
    model and outlet (the "Grouped by" column says which)."""
    since, until = _period(params)
    labels = {"technician": _("Technician"), "model": _("Product model"), "outlet": _("Outlet")}
    rows: list[tuple[Any, Any]] = [(_("Total"), ftf.ftf_total(user=user, since=since, until=until))]
    for by in ("technician", "model", "outlet"):
        rows.extend((labels[by], r) for r in ftf.ftf_rates(user=user, by=by, since=since, until=until))
    return list_rows(rows)


def repeat_rows(user: User, params: Mapping[str, str]) -> Rows:
    since, until = _period(params)
    return list_rows(ftf.repeat_repairs(user=user, since=since, until=until))


def archive_rows(user: User, params: Mapping[str, str]) -> Rows:
    return queryset_rows(selectors.change_archive(user=user))


def _share(fixed: int, repairs: int) -> float | None:
    return round(100.0 * fixed / repairs, 1) if repairs else None


RATES = register(
    ExportKind(
        key="quality_fault_rates",
        title=_("Fault rate per batch"),
        columns=(
            Column(_("Product model"), lambda r, u: r.model, width=18),
            Column(_("Batch"), lambda r, u: r.batch or _("Unknown batch"), width=16),
            Column(_("Units shipped"), lambda r, u: r.shipped, CellType.NUMBER, width=12),
            Column(_("Faulty units"), lambda r, u: r.faulty_units, CellType.NUMBER, width=12),
            Column(_("Fault tickets"), lambda r, u: r.tickets, CellType.NUMBER, width=12),
            Column(_("Per 1,000 units"), lambda r, u: _per_thousand(r.per_thousand), CellType.NUMBER, width=12),
            Column(_("Shipment volume missing"), lambda r, u: _("Yes") if r.missing_volume else "", width=12),
        ),
        may_use=can_read,
        rows=rate_rows,
        page="quality:overview",
    )
)

GROUP_RATES = register(
    ExportKind(
        key="quality_group_rates",
        title=_("Fault rates per factory, supplier and production month"),
        columns=(
            Column(_("Grouped by"), lambda r, u: _GROUPED_BY[r.dimension], width=14),
            Column(_("Name"), lambda r, u: r.label if r.key is not None else _("Unknown"), width=24),
            Column(_("Batches"), lambda r, u: r.batches, CellType.NUMBER, width=10),
            Column(_("Units shipped"), lambda r, u: r.shipped, CellType.NUMBER, width=12),
            Column(_("Faulty units"), lambda r, u: r.faulty_units, CellType.NUMBER, width=12),
            Column(_("Fault tickets"), lambda r, u: r.tickets, CellType.NUMBER, width=12),
            Column(_("Per 1,000 units"), lambda r, u: _per_thousand(r.per_thousand), CellType.NUMBER, width=12),
            Column(_("Faulty units without a shipment volume"), lambda r, u: r.unshipped_units, CellType.NUMBER, width=14),
        ),
        may_use=can_read,
        rows=group_rate_rows,
        page="quality:rates",
    )
)

MODEL_RATES = register(
    ExportKind(
        key="quality_model_rates",
        title=_("Fault rate per model"),
        columns=(
            Column(_("Product model"), lambda r, u: r.code, width=18),
            Column(_("Name"), lambda r, u: r.name, width=24),
            Column(_("Fault tickets"), lambda r, u: r.tickets, CellType.NUMBER, width=12),
            Column(_("Faulty units"), lambda r, u: r.faulty_units, CellType.NUMBER, width=12),
            Column(_("Units shipped"), lambda r, u: r.shipped, CellType.NUMBER, width=12),
            Column(_("Per 1,000 units"), lambda r, u: _per_thousand(r.per_thousand), CellType.NUMBER, width=12),
            Column(
                format_lazy(_("Previous {weeks} weeks, per 1,000 in the field"), weeks=by_model.TREND_WEEKS),
                lambda r, u: _per_thousand(r.trend.previous),
                CellType.NUMBER,
                width=16,
            ),
            Column(
                format_lazy(_("Last {weeks} weeks, per 1,000 in the field"), weeks=by_model.TREND_WEEKS),
                lambda r, u: _per_thousand(r.trend.recent),
                CellType.NUMBER,
                width=16,
            ),
        ),
        may_use=can_read,
        rows=model_rows,
        page="quality:overview",
    )
)

_PARETO_COLUMNS = (
    Column(_("Tickets"), lambda r, u: r[0].tickets, CellType.NUMBER, width=10),
    Column(_("Faulty units"), lambda r, u: r[0].units, CellType.NUMBER, width=12),
    Column(_("Cumulative %"), lambda r, u: r[1], CellType.NUMBER, width=12),
)

PARETO_CAUSES = register(
    ExportKind(
        key="quality_pareto_causes",
        title=_("Pareto of causes"),
        columns=(Column(_("Cause"), lambda r, u: cause_label(r[0].key), width=24), *_PARETO_COLUMNS),
        may_use=can_read,
        rows=pareto_rows("cause"),
        page="quality:overview",
    )
)

PARETO_COMPONENTS = register(
    ExportKind(
        key="quality_pareto_components",
        title=_("Pareto of components"),
        columns=(Column(_("Component"), lambda r, u: r[0].label, width=24), *_PARETO_COLUMNS),
        may_use=can_read,
        rows=pareto_rows("component"),
        page="quality:overview",
    )
)

TTF = register(
    ExportKind(
        key="quality_time_to_failure",
        title=_("Time to failure"),
        columns=(
            Column(_("Months in service"), lambda m, u: m.month, CellType.NUMBER, width=12),
            Column(_("Claims"), lambda m, u: m.claims, CellType.NUMBER, width=10),
            Column(_("Units at risk"), lambda m, u: m.at_risk, CellType.NUMBER, width=12),
            Column(_("Claims per 1,000 units"), lambda m, u: _per_thousand(m.per_thousand), CellType.NUMBER, width=14),
            Column(_("Faulty units"), lambda m, u: m.faulty_units, CellType.NUMBER, width=12),
            Column(
                _("Without a fault (Kaplan–Meier)"),
                lambda m, u: None if m.survival is None else round(m.survival, 4),
                CellType.NUMBER,
                width=16,
            ),
        ),
        may_use=can_read,
        rows=ttf_rows,
        page="quality:overview",
    )
)

FAULT_TICKETS = register(
    ExportKind(
        key="quality_fault_tickets",
        title=_("Tickets behind the figure"),
        columns=(
            Column(_("Ticket"), lambda r, u: r.ticket.number, width=18),
            Column(_("Opened"), lambda r, u: r.opened_on, CellType.DATE, width=12),
            Column(_("Product model"), lambda r, u: r.model.code if r.model_id else "", width=18),
            Column(_("Batch"), lambda r, u: r.batch, width=14),
            Column(_("Cause"), lambda r, u: cause_label(r.cause), width=14),
            Column(_("Component"), lambda r, u: r.component, width=18),
            Column(
                _("Months in service"),
                lambda r, u: r.months_in_service if r.months_in_service >= 0 else None,
                CellType.NUMBER,
                width=12,
            ),
        ),
        may_use=can_read,
        rows=fault_ticket_rows,
        page="quality:tickets",
    )
)

FTF = register(
    ExportKind(
        key="quality_first_time_fix",
        title=_("First-time-fix rate"),
        columns=(
            Column(_("Grouped by"), lambda r, u: str(r[0]), width=14),
            Column(_("Name"), lambda r, u: r[1].label, width=20),
            Column(_("Repairs"), lambda r, u: r[1].repairs, CellType.NUMBER, width=10),
            Column(_("Fixed the first time"), lambda r, u: r[1].first_time_fixed, CellType.NUMBER, width=12),
            Column("%", lambda r, u: _share(r[1].first_time_fixed, r[1].repairs), CellType.NUMBER, width=8),
        ),
        may_use=can_read,
        rows=ftf_rows,
        page="quality:ftf",
    )
)

REPEATS = register(
    ExportKind(
        key="quality_repeat_repairs",
        title=_("Repeat repairs"),
        columns=(
            Column(_("Serial number"), lambda r, u: r.serial, width=18),
            Column(_("Product model"), lambda r, u: r.model, width=18),
            Column(_("Repairs"), lambda r, u: r.repairs, CellType.NUMBER, width=10),
            Column(_("Followed by a new fault"), lambda r, u: r.repeats, CellType.NUMBER, width=12),
            Column(_("Tickets"), lambda r, u: " ".join(r.tickets), width=36),
        ),
        may_use=can_read,
        rows=repeat_rows,
        page="quality:ftf",
    )
)

ARCHIVE = register(
    ExportKind(
        key="quality_change_archive",
        title=_("Process-change archive"),
        columns=(
            Column(_("Effective from"), lambda a, u: a.effective_date, CellType.DATE, width=12),
            Column(_("First batch"), lambda a, u: a.first_batch, width=14),
            Column(_("Number"), lambda a, u: a.number, width=12),
            Column(_("Title"), lambda a, u: a.title, width=30),
            Column(_("Change made"), lambda a, u: a.get_change_kind_display(), width=14),
            Column(_("Reason for the change"), lambda a, u: a.change_reason, width=30),
            Column(_("What was changed"), lambda a, u: a.change_content, width=36),
            Column(_("Before (‰)"), lambda a, u: a.before_per_thousand if a.checked_at else None, CellType.NUMBER, width=10),
            Column(_("After (‰)"), lambda a, u: a.after_per_thousand if a.checked_at else None, CellType.NUMBER, width=10),
            Column(
                _("Measured effect"),
                lambda a, u: (
                    (_("significant") if a.check_passed else _("not significant")) if a.checked_at else _("not measured yet")
                ),
                width=16,
            ),
        ),
        may_use=can_read,
        rows=archive_rows,
        page="quality:archive",
    )
)
