"""The staff KPI page and the tickets behind a figure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from aftersales.accounts.models import Region, Team
from aftersales.core.errors import DomainError

from .links import drill_url, ticket_list_url
from .models import RefreshState, StaffKind
from .selectors.common import Period, parse_period, sees_all, staff_reach
from .selectors.drill import JOB_METRICS, TECHNICIAN_TICKET_METRICS, TICKET_METRICS, drill_for_user, drill_from_query
from .selectors.kpis import GROUPS, KpiRow, KpiTable, kpi_table_for_user

TABLE_CACHE_SECONDS = 24 * 3600

# Column → (label, definition) for the tooltips and the definitions list (docs/kpis.md).
DEFINITIONS = {
    "handled": (gettext_lazy("Tickets"), gettext_lazy("Tickets registered in the period and assigned to the person.")),
    "fr": (
        gettext_lazy("First response"),
        gettext_lazy(
            "Business time from registration to the first answer to the customer, on the SLA calendar "
            "(working hours, public holidays, make-up workdays; paused time left out): median / 90th percentile."
        ),
    ),
    "res": (
        gettext_lazy("Resolution"),
        gettext_lazy("Business time from registration (or the reopening) to resolution: median / 90th percentile."),
    ),
    "sla": (
        gettext_lazy("SLA met"),
        gettext_lazy("Share of the decided clocks met without a breach: first response / solution / resolution."),
    ),
    "csat": (
        gettext_lazy("CSAT"),
        gettext_lazy("Average rating (1–5) of the answered surveys: overall, speed, attitude, professionalism, result."),
    ),
    "satisfied": (
        gettext_lazy("Satisfied"),
        gettext_lazy(
            "Share of the overall ratings (1–5) that are 4 or 5. Not an NPS: the NPS comes only from the 0–10 "
            "question of the surveys and the revisit calls (management dashboard)."
        ),
    ),
    "reopen": (gettext_lazy("Reopened"), gettext_lazy("Share of the tickets reopened for secondary processing.")),
    "complaints": (
        gettext_lazy("Complaints"),
        gettext_lazy(
            "Complaints about the person: an attitude rating of 1 or 2 on the survey of a ticket they handled, "
            "and the complaints about them recorded on revisit calls (on the day recorded, with or without a ticket)."
        ),
    ),
    "tech_csat": (
        gettext_lazy("CSAT"),
        gettext_lazy(
            "Average rating (1–5) of the answered surveys of the tickets the technician worked on (each ticket once, "
            "on the day of their first job on it): overall, speed, attitude, professionalism, result."
        ),
    ),
    "tech_complaints": (
        gettext_lazy("Complaints"),
        gettext_lazy("Complaints about the technician recorded on revisit calls (on the day recorded)."),
    ),
    "jobs": (gettext_lazy("Jobs"), gettext_lazy("Work orders created in the period / of which finished.")),
    "on_time": (
        gettext_lazy("On time"),
        gettext_lazy("Share of the jobs where the technician checked in before the appointment window ended."),
    ),
    "ftf": (
        gettext_lazy("First-time fix"),
        gettext_lazy("Share of the finished repairs whose unit had no new fault ticket within 30 days."),
    ),
    "labour": (gettext_lazy("Labour hours"), gettext_lazy("Hours of work recorded on the jobs.")),
    "parts": (gettext_lazy("Parts used"), gettext_lazy("Quantity of parts on the jobs' cost lines.")),
}


@dataclass(frozen=True)
class DisplayRow:
    row: KpiRow
    links: dict[str, str]


def _int(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _period(request: HttpRequest) -> tuple[Period | None, str]:
    try:
        return parse_period(request.GET.get("from"), request.GET.get("to")), ""
    except DomainError as exc:
        return None, str(exc.message)


def _links(period: Period, group: str, row: KpiRow, kind: str) -> dict[str, str]:
    column = {"person": "person", "team": "team", "region": "region"}[group]
    keys = {column: row.key}
    technician = kind == StaffKind.TECHNICIAN
    metrics = [*JOB_METRICS, *TECHNICIAN_TICKET_METRICS, "tech_complaints"] if technician else list(TICKET_METRICS)
    links = {metric: drill_url(period, metric, **keys) for metric in metrics}
    list_filter = {"person": "assignee", "team": "team", "region": "region"}[group]
    if kind == StaffKind.AGENT and not (group == "person" and row.key == 0):
        links["list"] = ticket_list_url(**{list_filter: row.key})
    return links


def refresh_marks(*, staff: bool = False) -> tuple[int, dt.datetime | None]:
    """(``data_version``, the time of the last refresh) in one query: what the pages' caches key
    on and the "as of" time they show (the figures are those of that refresh, whichever cached
    rendering shows them)."""
    column = "staff_version" if staff else "data_version"
    row = RefreshState.objects.filter(name="default").values_list(column, "refreshed_at").first()
    return (row[0] or 0, row[1]) if row else (0, None)


def data_version(*, staff: bool = False) -> int:
    """What the pages' caches key on: moves only when a refresh changed the rollups they read
    (``RefreshState.data_version``; ``staff_version`` for the staff rollups only, what the KPI
    page reads), so a refresh that changed nothing keeps them warm."""
    return refresh_marks(staff=staff)[0]


def kpi_cache_key(
    *, reach: str, period: Period, kind: str, group: str, region: int | None, team: int | None, version: int
) -> str:
    return f"analytics:kpis:2:{get_language()}:{reach}:{period.start}:{period.end}:{kind}:{group}:{region}:{team}:v{version}"


def render_kpi_table(table: KpiTable, request: HttpRequest | None = None) -> tuple[str, list[DisplayRow]]:
    """The KPI table's HTML (the same with or without a request: the template reads none) and its
    display rows."""
    rows = [DisplayRow(row=r, links=_links(table.period, table.group, r, table.kind)) for r in table.rows]
    html = render_to_string(
        "analytics/_kpi_table.html",
        {"table": table, "rows": rows, "period": table.period, "kind": table.kind, "definitions": DEFINITIONS},
        request=request,
    )
    return html, rows


def _table_html(request: HttpRequest, *, period: Period, kind: str, group: str, context: dict[str, object], version: int) -> str:
    """The KPI table, rendered. The figures come from the rollups, which change only when the
    refresh job changes them: the rendered table (a few hundred drill-down links) is cached per
    data version, filters, language and reach (everything for a user who sees all, else the
    user's own). The refresh job renders the default view ahead (``warm.py``)."""
    user = request.user
    region, team = _int(request, "region"), _int(request, "team")
    reach = "all" if sees_all(user) else f"u{user.pk}"  # type: ignore[arg-type]
    key = kpi_cache_key(reach=reach, period=period, kind=kind, group=group, region=region, team=team, version=version)
    html = cache.get(key)
    if html is None:
        table = kpi_table_for_user(user=user, period=period, kind=kind, group=group, region=region, team=team)  # type: ignore[arg-type]
        html, rows = render_kpi_table(table, request)
        context["rows"] = rows  # for the tests of the figures behind the page
        cache.set(key, html, TABLE_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 — rendered by our own template with autoescaping


@login_required
def kpis(request: HttpRequest) -> HttpResponse:
    """The KPIs of the people, teams or regions the user may see, for a period; every figure
    opens the tickets behind it."""
    user = request.user
    try:
        staff_reach(user, person="user_key")  # type: ignore[arg-type]
    except DomainError as exc:
        raise PermissionDenied from exc
    period, error = _period(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in StaffKind.values else StaffKind.AGENT
    group = request.GET.get("group") if request.GET.get("group") in GROUPS else "person"
    context: dict[str, object] = {
        "error": error,
        "kind": kind,
        "group": group,
        "definitions": DEFINITIONS,
        "kinds": StaffKind.choices,
        "groups": [("person", _("Person")), ("team", _("Team")), ("region", _("Region"))],
        "regions": Region.objects.order_by("code") if sees_all(user) else [],  # type: ignore[arg-type]
        "teams": Team.objects.order_by("name") if sees_all(user) else [],  # type: ignore[arg-type]
        "region": _int(request, "region"),
        "team": _int(request, "team"),
    }
    if period is not None:
        version, context["as_of"] = refresh_marks(staff=True)
        context["period"] = period
        context["table_html"] = _table_html(request, period=period, kind=kind, group=group, context=context, version=version)
    return render(request, "analytics/kpis.html", context, status=422 if error else 200)


METRIC_LABELS = {
    "handled": gettext_lazy("Tickets"),
    "resolved": pgettext_lazy("kpi column", "Resolved"),
    "fr_measured": gettext_lazy("First response measured"),
    "res_measured": gettext_lazy("Resolution measured"),
    "fr_missed": gettext_lazy("First response missed"),
    "solution_missed": gettext_lazy("Solution commitment missed"),
    "res_missed": gettext_lazy("Resolution missed"),
    "reopened": gettext_lazy("Reopened"),
    "complaints": gettext_lazy("Complaints"),
    "surveyed": gettext_lazy("Answered surveys"),
    "detractors": gettext_lazy("Rated 1–3"),
    "tech_surveyed": gettext_lazy("Answered surveys"),
    "tech_detractors": gettext_lazy("Rated 1–3"),
    "tech_complaints": gettext_lazy("Complaints"),
    "costed": gettext_lazy("With a cost"),
    "jobs": gettext_lazy("Jobs"),
    "jobs_done": gettext_lazy("Finished jobs"),
    "late": gettext_lazy("Late arrivals"),
    "not_fixed_first_time": gettext_lazy("Not fixed the first time"),
}


@login_required
def drill(request: HttpRequest) -> HttpResponse:
    """The tickets (or jobs) behind one figure of the KPI page, the dashboard or a statement."""
    try:
        d, staff = drill_from_query(request.GET)
    except DomainError as exc:
        d, staff, error = None, True, str(exc.message)
    else:
        error = ""
    result = None
    if d is not None:
        try:
            result = drill_for_user(user=request.user, drill=d, staff=staff)  # type: ignore[arg-type]
        except DomainError as exc:
            raise PermissionDenied from exc
    metric = d.metric if d is not None else "handled"
    return render(
        request,
        "analytics/drill.html",
        {
            "period": d.period if d is not None else None,
            "error": error,
            "metric": metric,
            "metric_label": METRIC_LABELS[metric],
            "result": result,
            "export_kind": "drill_jobs" if metric in JOB_METRICS else "drill_tickets",
            "as_of": refresh_marks()[1],
        },
        status=422 if error else 200,
    )
