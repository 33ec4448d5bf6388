"""API v1: staff KPIs, the management dashboard's figures and chargeback statements (issue 17).

Read-only, scope ``analytics:read``, staff only. Every answer is scoped like the pages: a person
sees their own KPI row, supervisors the rows of their data scope; the dashboard and statements
need data scope "all" or "region" (a regional caller sees their region only). A key limited to a
region reads that region only. Figures come from the job-computed rollups (docs/analytics.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from aftersales.analytics.selectors.chargeback import chargeback_parties_for_user, chargeback_statement_for_user
from aftersales.analytics.selectors.common import parse_period
from aftersales.analytics.selectors.kpis import kpi_row_as_dict, kpi_table_for_user
from aftersales.analytics.selectors.management import management_for_user
from aftersales.analytics.services.rollups import AGE_BANDS, COST_FIELDS
from aftersales.core.errors import ValidationFailed

from ..models import Scope
from .common import MAX_ID, problems, staff_caller
from .parties import router as parties_router

router = Router(tags=["Analytics"])
# The register of responsible parties (GET /responsible-parties): the codes the chargeback's
# ``party`` takes; mounted here, under the chargeback that reads it.
router.add_router("", parties_router)

DATE_DOC = "YYYY-MM-DD; default: the 30 days up to today."


class KpiRowOut(Schema):
    key: int
    label: str
    handled: int
    resolved: int
    first_response_median_minutes: float | None
    first_response_p90_minutes: float | None
    resolution_median_minutes: float | None
    resolution_p90_minutes: float | None
    first_response_sla_percent: float | None
    solution_sla_percent: float | None
    resolution_sla_percent: float | None
    csat: dict[str, float | None]
    surveys: int
    satisfied_percent: float | None = Field(description="Share of the overall ratings (1–5) that are 4 or 5.")
    nps: float | None = Field(
        description="Always null: the 1–5 survey gives no NPS per person (docs/kpis.md); kept for compatibility."
    )
    reopened: int
    reopen_rate_percent: float | None
    complaints: int
    jobs: int
    jobs_done: int
    on_time_arrival_percent: float | None
    first_time_fix_percent: float | None
    labour_hours: float
    parts_used: float


class KpiTableOut(Schema):
    kind: str
    group: str
    start: dt.date
    end: dt.date
    rows: list[KpiRowOut]
    total: KpiRowOut


def _region(caller: Any, region: int | None) -> int | None:
    return caller.region_id if caller.region_id else region


@router.get("/analytics/kpis", response={200: KpiTableOut, **problems(403)}, operation_id="analytics_kpis")
def kpis(
    request: HttpRequest,
    start: str = Query("", alias="from", max_length=10, description=DATE_DOC),
    end: str = Query("", alias="to", max_length=10, description=DATE_DOC),
    kind: str = Query("agent", pattern="^(agent|technician)$"),
    group: str = Query("person", pattern="^(person|team|region)$"),
    region: int | None = Query(None, ge=0, le=MAX_ID),
    team: int | None = Query(None, ge=0, le=MAX_ID),
) -> Any:
    """KPIs per person, team or region for tickets registered in the period (technicians: jobs
    created in it). Times are business minutes on the SLA calendar; see docs/kpis.md."""
    caller = staff_caller(request, Scope.ANALYTICS_READ)
    period = parse_period(start, end)
    table = kpi_table_for_user(user=caller.user, period=period, kind=kind, group=group, region=_region(caller, region), team=team)
    return {
        "kind": table.kind,
        "group": table.group,
        "start": period.start,
        "end": period.end,
        "rows": [kpi_row_as_dict(r) for r in table.rows],
        "total": kpi_row_as_dict(table.total),
    }


class MonthOut(Schema):
    month: str
    intake: int
    average_rating: float | None
    satisfied_percent: float | None = Field(description="Share of the month's overall ratings (1–5) that are 4 or 5.")
    nps: float | None = Field(description="The month's NPS from the surveys' and revisit calls' 0–10 answers (docs/kpis.md).")
    nps_answers: int = Field(description="How many 0–10 answers the NPS is computed from.")
    cost: dict[str, Decimal]
    cost_per_ticket: Decimal | None
    intake_by_channel: dict[str, int]


class ModelOut(Schema):
    model_id: int
    label: str
    tickets: int = 0
    cost: dict[str, Decimal] = {}


class DashboardOut(Schema):
    months: list[MonthOut]
    backlog: dict[str, list[int]]
    sla_risk: dict[str, list[int]]
    age_bands_days: list[int]
    top_faults: list[ModelOut]
    cost_by_model: list[ModelOut]
    total_intake: int
    total_cost: Decimal


def _month(raw: str, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(f"{raw}-01")
    except ValueError as exc:
        raise ValidationFailed({field: [_("Enter a month as YYYY-MM.")]}, code="invalid_month") from exc


@router.get("/analytics/dashboard", response={200: DashboardOut, **problems(403)}, operation_id="analytics_dashboard")
def dashboard(
    request: HttpRequest,
    start: str = Query("", alias="from", max_length=7, description="YYYY-MM; default: 11 months before `to`."),
    end: str = Query("", alias="to", max_length=7, description="YYYY-MM; default: this month."),
    region: int | None = Query(None, ge=0, le=MAX_ID),
    category: int | None = Query(None, ge=0, le=MAX_ID),
) -> Any:
    """The management dashboard's figures per month (tickets by registration month), the backlog
    by status and age band and the open tickets at SLA risk."""
    caller = staff_caller(request, Scope.ANALYTICS_READ)
    today = timezone.localdate().replace(day=1)
    last = _month(end, "to") or today
    first = _month(start, "from") or (last - dt.timedelta(days=335)).replace(day=1)
    if first > last:
        raise ValidationFailed({"from": [_("The period ends before it starts.")]}, code="period_reversed")
    if (last.year - first.year) * 12 + last.month - first.month >= 36:
        raise ValidationFailed({"from": [_("The period may be at most three years long.")]}, code="period_too_long")
    m = management_for_user(user=caller.user, start=first, end=last, region=_region(caller, region), category=category)
    months = []
    for i, month in enumerate(m.months):
        months.append(
            {
                "month": f"{month:%Y-%m}",
                "intake": m.intake[i],
                "average_rating": m.satisfaction[i],
                "satisfied_percent": m.satisfied[i],
                "nps": m.nps[i],
                "nps_answers": m.nps_answers[i],
                "cost": {name.removeprefix("cost_"): m.cost_by_month[name][i] for name in COST_FIELDS},
                "cost_per_ticket": m.cost_per_ticket[i],
                "intake_by_channel": {c: v[i] for c, v in m.intake_by_channel.items() if v[i]},
            }
        )
    return {
        "months": months,
        "backlog": m.backlog,
        "sla_risk": m.sla_risk,
        "age_bands_days": list(AGE_BANDS),
        "top_faults": [{"model_id": k, "label": label, "tickets": n} for k, label, n in m.top_models],
        "cost_by_model": [
            {"model_id": k, "label": label, "cost": {name.removeprefix("cost_"): v for name, v in c.items()}}
            for k, label, c in m.cost_by_model
        ],
        "total_intake": m.total_intake,
        "total_cost": m.total_cost,
    }


class PartyOut(Schema):
    responsibility: str
    party: str = Field(description="The register entry's name, or the text recorded on tickets without an entry.")
    party_code: str | None = Field(
        None, description="The register entry's code (GET /responsible-parties); null for a text-only party."
    )
    party_kind: str | None = Field(
        None, description="department, supplier, logistics or service_outlet; null for a text-only party."
    )
    tickets: int
    amounts: dict[str, Decimal]
    total: Decimal


class StatementLineOut(Schema):
    ticket: str
    resolved_on: dt.date | None
    amounts: dict[str, Decimal]
    total: Decimal


class StatementOut(Schema):
    responsibility: str
    party: str
    party_code: str | None = None
    party_kind: str | None = None
    start: dt.date
    end: dt.date
    lines: list[StatementLineOut]
    amounts: dict[str, Decimal]
    total: Decimal


def _amounts(values: dict[str, Decimal]) -> dict[str, Decimal]:
    return {name.removeprefix("cost_"): v for name, v in values.items()}


@router.get("/analytics/chargeback", response={200: list[PartyOut], **problems(403)}, operation_id="analytics_chargeback")
def chargeback(
    request: HttpRequest,
    start: str = Query("", alias="from", max_length=10, description=DATE_DOC),
    end: str = Query("", alias="to", max_length=10, description=DATE_DOC),
    region: int | None = Query(None, ge=0, le=MAX_ID),
) -> Any:
    """Per responsible party: tickets resolved in the period with a cost, and the amounts."""
    caller = staff_caller(request, Scope.ANALYTICS_READ)
    period = parse_period(start, end)
    return [
        {
            "responsibility": p.responsibility,
            "party": p.party,
            "party_code": p.party_code or None,
            "party_kind": p.party_kind or None,
            "tickets": p.tickets,
            "amounts": _amounts(p.amounts),
            "total": p.total,
        }
        for p in chargeback_parties_for_user(user=caller.user, period=period, region=_region(caller, region))
    ]


@router.get(
    "/analytics/chargeback/statement",
    response={200: StatementOut, **problems(403)},
    operation_id="analytics_chargeback_statement",
)
def chargeback_statement(
    request: HttpRequest,
    responsibility: str = Query(
        "",
        max_length=16,
        description="internal, third_party, customer, supplier, logistics or service_outlet; may be left out when party is a register code.",
    ),
    party: str = Query(
        "",
        max_length=128,
        description="The register entry's code (GET /responsible-parties) or name, or the text recorded on tickets without an entry.",
    ),
    start: str = Query("", alias="from", max_length=10, description=DATE_DOC),
    end: str = Query("", alias="to", max_length=10, description=DATE_DOC),
    region: int | None = Query(None, ge=0, le=MAX_ID),
) -> Any:
    """One party's statement: each ticket charged to it in the period with its amounts."""
    caller = staff_caller(request, Scope.ANALYTICS_READ)
    period = parse_period(start, end)
    s = chargeback_statement_for_user(
        user=caller.user, period=period, responsibility=responsibility, party=party, region=_region(caller, region)
    )
    return {
        "responsibility": s.responsibility,
        "party": s.party,
        "party_code": s.party_code or None,
        "party_kind": s.party_kind or None,
        "start": period.start,
        "end": period.end,
        "lines": [
            {
                "ticket": line.number,
                "resolved_on": line.resolved_day,
                "amounts": {n.removeprefix("cost_"): getattr(line, n) for n in s.amounts},
                "total": line.cost_total,
            }
            for line in s.lines
        ],
        "amounts": _amounts(s.amounts),
        "total": s.total,
    }
