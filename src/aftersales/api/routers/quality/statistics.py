"""API v1, quality: the fault statistics (rates per batch and per factory, supplier and production
month, Pareto, control chart, time to failure, first-time fix)."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from aftersales.catalog.models import ProductModel
from aftersales.core.errors import ValidationFailed
from aftersales.fieldservice import ftf
from aftersales.quality import rates, selectors, statistics

from ...models import Scope
from ...schemas import IsoDate
from ..common import MAX_ID, problems, staff_caller

router = Router()


class StatQuery(Schema):
    since: IsoDate | None = Field(None, description="First day of the period (tickets opened).")
    until: IsoDate | None = Field(None, description="Last day of the period.")
    region: int | None = Field(None, ge=1, le=MAX_ID, description="Region id (staff bound to a region see only theirs).")
    category: int | None = Field(None, ge=1, le=MAX_ID, description="Product category id.")
    model: str = Field("", max_length=64, description="Product model number.")
    batch: str | None = Field(None, max_length=64, description='A batch ("" = unknown batch).')


def _filters(caller: Any, q: StatQuery) -> statistics.StatFilters:
    selectors.require_reader(caller.user)
    model_id = None
    if q.model:
        model_id = ProductModel.objects.filter(code=q.model).values_list("pk", flat=True).first()
        if model_id is None:
            raise ValidationFailed({"model": [_("Unknown product model.")]}, code="unknown_model")
    base = statistics.StatFilters(
        since=q.since, until=q.until, region_id=q.region, category_id=q.category, model_id=model_id, batch=q.batch
    )
    return statistics.filters_for(caller.user, base)


class BatchRateOut(Schema):
    model: str
    batch: str
    shipped: int | None = Field(description="Units shipped (null: no shipment volume recorded).")
    faulty_units: int
    tickets: int
    rate: float | None = Field(description="faulty_units ÷ shipped; null when nothing was shipped.")
    missing_volume: bool


class FaultRatesOut(Schema):
    rows: list[BatchRateOut]
    unknown_batch: list[BatchRateOut]
    unitless_tickets: int


def _rate(r: statistics.BatchRate) -> BatchRateOut:
    return BatchRateOut(
        model=r.model,
        batch=r.batch,
        shipped=r.shipped,
        faulty_units=r.faulty_units,
        tickets=r.tickets,
        rate=r.rate,
        missing_volume=r.missing_volume,
    )


@router.get("/quality/fault-rates", response={200: FaultRatesOut, **problems(403)}, summary="Fault rate per batch")
def fault_rates(request: HttpRequest, q: Query[StatQuery]) -> Any:
    caller = staff_caller(request, Scope.QUALITY_READ)
    rates = statistics.batch_fault_rates(_filters(caller, q))
    return FaultRatesOut(
        rows=[_rate(r) for r in rates.rows],
        unknown_batch=[_rate(r) for r in rates.unknown_batch],
        unitless_tickets=rates.unitless_tickets,
    )


class GroupRateOut(Schema):
    key: str | None = Field(description="The factory, supplier or production month (YYYY-MM); null: the register does not say.")
    batches: int = Field(description="Batches of the group with a shipment volume.")
    shipped: int | None = Field(description="Units shipped of those batches (null: none recorded).")
    faulty_units: int
    tickets: int
    rate: float | None = Field(description="faulty_units ÷ shipped; null without a shipment volume or for the unknown group.")
    per_thousand: float | None
    unshipped_batches: int = Field(description="Batches of the group with faults but no shipment volume (in no rate).")
    unshipped_units: int


class GroupRatesOut(Schema):
    by: str
    rows: list[GroupRateOut]
    unknown: GroupRateOut | None = Field(description="Batches the production register does not place (no rate).")
    unknown_batch_units: int = Field(description="Faulty units without a batch number.")
    unattributed_units: int = Field(description="By supplier: faulty units whose component no registered supplier made.")


def _group_rate(r: rates.GroupRate) -> GroupRateOut:
    return GroupRateOut(
        key=None if r.key is None else r.label,
        batches=r.batches,
        shipped=r.shipped or None,
        faulty_units=r.faulty_units,
        tickets=r.tickets,
        rate=r.rate,
        per_thousand=r.per_thousand,
        unshipped_batches=r.unshipped_batches,
        unshipped_units=r.unshipped_units,
    )


@router.get(
    "/quality/fault-rates/groups",
    response={200: GroupRatesOut, **problems(403)},
    summary="Fault rate per factory, supplier or production month",
)
def group_fault_rates(
    request: HttpRequest, q: Query[StatQuery], by: Literal["factory", "supplier", "production_month"] = "factory"
) -> Any:
    """Faulty units ÷ units shipped of the batches the production register places in each factory,
    production month, or (by supplier) of the batches with a component of the supplier, counting
    the faults of its components."""
    caller = staff_caller(request, Scope.QUALITY_READ)
    found = rates.group_rates(by, _filters(caller, q))
    return GroupRatesOut(
        by=by,
        rows=[_group_rate(r) for r in found.rows],
        unknown=_group_rate(found.unknown) if found.unknown is not None else None,
        unknown_batch_units=found.unknown_batch_units,
        unattributed_units=found.unattributed_units,
    )


class ParetoRowOut(Schema):
    key: str
    tickets: int
    units: int
    cumulative_share: float


@router.get("/quality/pareto", response={200: list[ParetoRowOut], **problems(403)}, summary="Pareto of causes or components")
def pareto(request: HttpRequest, q: Query[StatQuery], dimension: Literal["cause", "component"] = "cause") -> Any:
    caller = staff_caller(request, Scope.QUALITY_READ)
    rows = statistics.pareto_of(dimension, _filters(caller, q))
    total = sum(r.tickets for r in rows) or 1
    out, running = [], 0
    for r in rows:
        running += r.tickets
        out.append(ParetoRowOut(key=str(r.key), tickets=r.tickets, units=r.units, cumulative_share=round(running / total, 4)))
    return out


class ControlPointOut(Schema):
    week: date
    faulty_units: int
    in_field: int
    p: float | None
    centre: float | None
    upper: float | None
    lower: float | None
    out_of_control: bool


@router.get(
    "/quality/control-chart", response={200: list[ControlPointOut], **problems(403)}, summary="Weekly fault rates (p-chart)"
)
def control_chart(request: HttpRequest, q: Query[StatQuery]) -> Any:
    caller = staff_caller(request, Scope.QUALITY_READ)
    return [
        ControlPointOut(
            week=p.week,
            faulty_units=p.faulty_units,
            in_field=p.in_field,
            p=p.p,
            centre=p.centre,
            upper=p.upper,
            lower=p.lower,
            out_of_control=p.out_of_control,
        )
        for p in statistics.weekly_p_chart(_filters(caller, q))
    ]


class FailureMonthOut(Schema):
    month: int
    claims: int
    faulty_units: int
    at_risk: int
    per_thousand: float | None
    survival: float | None = Field(description="Kaplan–Meier share of units without a fault after this month.")


class TimeToFailureOut(Schema):
    months: list[FailureMonthOut]
    unknown_age_claims: int
    shipped: int


@router.get("/quality/time-to-failure", response={200: TimeToFailureOut, **problems(403)}, summary="Time to failure")
def time_to_failure(request: HttpRequest, q: Query[StatQuery]) -> Any:
    caller = staff_caller(request, Scope.QUALITY_READ)
    ttf = statistics.time_to_failure(_filters(caller, q))
    return TimeToFailureOut(
        months=[
            FailureMonthOut(
                month=m.month,
                claims=m.claims,
                faulty_units=m.faulty_units,
                at_risk=m.at_risk,
                per_thousand=m.per_thousand,
                survival=m.survival,
            )
            for m in ttf.months
        ],
        unknown_age_claims=ttf.unknown_age_claims,
        shipped=ttf.shipped,
    )


class FtfRowOut(Schema):
    label: str
    repairs: int
    first_time_fixed: int
    rate: float | None


class RepeatOut(Schema):
    serial: str
    model: str
    repairs: int
    repeats: int
    tickets: list[str]


class FtfOut(Schema):
    window_days: int
    total: FtfRowOut
    rows: list[FtfRowOut]
    repeat_repairs: list[RepeatOut]


def _ftf_row(r: ftf.FtfRow) -> FtfRowOut:
    return FtfRowOut(label=r.label, repairs=r.repairs, first_time_fixed=r.first_time_fixed, rate=r.rate)


@router.get("/quality/first-time-fix", response={200: FtfOut, **problems(403)}, summary="First-time-fix rates and repeat repairs")
def first_time_fix(
    request: HttpRequest,
    by: Literal["technician", "model", "outlet"] = "technician",
    since: IsoDate | None = None,
    until: IsoDate | None = None,
) -> Any:
    caller = staff_caller(request, Scope.QUALITY_READ)
    selectors.require_reader(caller.user)
    user = caller.user
    return FtfOut(
        window_days=ftf.window_days(),
        total=_ftf_row(ftf.ftf_total(user=user, since=since, until=until)),
        rows=[_ftf_row(r) for r in ftf.ftf_rates(user=user, by=by, since=since, until=until)],
        repeat_repairs=[
            RepeatOut(serial=r.serial, model=r.model, repairs=r.repairs, repeats=r.repeats, tickets=list(r.tickets))
            for r in ftf.repeat_repairs(user=user, since=since, until=until)
        ],
    )


# --- Improvement actions ----------------------------------------------------------------------
