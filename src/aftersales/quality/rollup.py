"""The fault rollups: ``FaultRecord`` per fault ticket and ``FaultCount`` per week and dimension.

``fault_rollup_refresh`` is the periodic job's body (``tasks.refresh_fault_rollup``). It reads the
tickets changed since its watermark — a ticket updated, an appraisal of it changed, a part fitted
on one of its work orders — rewrites their ``FaultRecord`` rows (deletes those that are no longer
fault tickets), sets ``first_of_unit`` again for the units touched, and recomputes the
``FaultCount`` rows of every week touched from the records. Running it twice changes nothing
(idempotent); ``fault_rollup_rebuild`` recomputes everything (after deleting tickets, or when the
rules change). Work per run is bounded by what changed, never by the number of tickets.

The same job keeps the narrow summaries (``FaultSummary``: per question, per region and model, per
week / month / all time) of the weeks it recounts, so the overview's figures read a few small rows
(``statistics.py``) instead of every ``FaultCount`` row: the week rows from ``FaultCount``, the
month rows from the week rows, the all-time rows from the month rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum

from aftersales.appraisal.models import Appraisal
from aftersales.appraisal.selectors import concluded_appraisals
from aftersales.catalog.services import production_batches_infer
from aftersales.core import clock
from aftersales.fieldservice.ftf import is_fault_ticket
from aftersales.parts.models import PartUsage
from aftersales.tickets.models import Ticket

from .models import SUMMARY_DIMENSIONS, UNKNOWN_MONTHS, FaultCount, FaultRecord, FaultSummary, RollupState, SummaryGrain

K = TypeVar("K")
STATE = "faults"
SUMMARY_STATE = "fault_summaries_by_week"  # renamed when the week rows of every question came: built again once
CHUNK = 2000
WEEK_CHUNK = 60  # weeks summarised per read of FaultCount (the rows are streamed)
DIMENSIONS = (
    "week",
    "model_id",
    "product_category_id",
    "region_id",
    "batch",
    "factory",
    "production_month",
    "months_in_service",
    "cause",
    "component",
    "supplier",
)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_between(start: dt.date | None, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 in the first month); UNKNOWN_MONTHS without a start."""
    if start is None:
        return UNKNOWN_MONTHS
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    return max(0, months)


def _record(ticket: Ticket, appraisal: Appraisal | None, part: str) -> FaultRecord:
    unit = ticket.product_unit
    opened = clock.local_date(ticket.created_at)
    model = unit.model if unit is not None else ticket.product_model
    batch = unit.batch if unit is not None else (ticket.reported_batch or "").strip()
    in_service_from = None
    if unit is not None:
        in_service_from = unit.purchase_date or unit.production_date
    elif ticket.reported_purchase_date:
        in_service_from = ticket.reported_purchase_date
    return FaultRecord(
        ticket_id=ticket.pk,
        unit_id=ticket.product_unit_id,
        model_id=model.pk if model is not None else None,
        product_category_id=model.category_id if model is not None else None,
        region_id=ticket.region_id,
        batch=batch[:64],
        factory=(unit.factory if unit is not None else "")[:64],
        production_month=(unit.production_date.replace(day=1) if unit is not None and unit.production_date else None),
        opened_on=opened,
        week=monday(opened),
        months_in_service=months_between(in_service_from, opened),
        cause=(appraisal.cause if appraisal is not None and appraisal.cause else ticket.cause) or "",
        component=((appraisal.component_label if appraisal is not None else "") or part)[:128],
        supplier=(appraisal.supplier if appraisal is not None else "")[:128],
        first_of_unit=False,
    )


def _changed_ticket_ids(since: dt.datetime | None) -> Iterable[int]:
    if since is None:
        return _every_ticket_id()
    ids = set(Ticket.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    ids |= set(Appraisal.objects.filter(updated_at__gte=since).values_list("ticket_id", flat=True))
    ids |= set(PartUsage.objects.filter(created_at__gte=since).values_list("work_order__ticket_id", flat=True))
    return sorted(ids)


def _every_ticket_id() -> Iterable[int]:
    last = 0
    while True:
        ids = list(Ticket.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return
        yield from ids
        last = ids[-1]


def _chunks(ids: Iterable[K], size: int = CHUNK) -> Iterable[list[K]]:
    chunk: list[K] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@transaction.atomic
def _refresh_chunk(ticket_ids: list[int]) -> int:
    tickets = list(Ticket.objects.filter(pk__in=ticket_ids).select_related("product_unit__model", "product_model"))
    faults = [t for t in tickets if is_fault_ticket(t) and (t.product_unit_id or t.product_model_id)]
    appraisals: dict[int, Appraisal] = {}
    for appraisal in (
        concluded_appraisals()
        .filter(ticket_id__in=[t.pk for t in faults])
        .select_related("component")
        .order_by("signed_at", "id")
    ):
        appraisals[appraisal.ticket_id] = appraisal  # the latest standing conclusion wins
    parts: dict[int, str] = {}
    for ticket_id, number, name in (
        PartUsage.objects.filter(work_order__ticket_id__in=[t.pk for t in faults])
        .order_by("-created_at", "-id")
        .values_list("work_order__ticket_id", "part__number", "part__name")
    ):
        parts[ticket_id] = f"{number} {name}"
    old = list(FaultRecord.objects.filter(ticket_id__in=ticket_ids).values_list("week", "unit_id"))
    records = [_record(t, appraisals.get(t.pk), parts.get(t.pk, "")) for t in faults]
    weeks = {w for w, _u in old} | {r.week for r in records}
    units = {u for _w, u in old if u} | {r.unit_id for r in records if r.unit_id}
    FaultRecord.objects.filter(ticket_id__in=ticket_ids).delete()
    FaultRecord.objects.bulk_create(records, batch_size=1000)
    weeks |= _mark_first_faults(units)
    _recount(weeks)
    return len(records)


def _mark_first_faults(unit_ids: set[int]) -> set[dt.date]:
    """Flag each unit's earliest fault ticket; returns the weeks whose flags changed."""
    weeks: set[dt.date] = set()
    for chunk in _chunks(sorted(unit_ids)):
        rows = list(
            FaultRecord.objects.filter(unit_id__in=chunk)
            .order_by("unit_id", "opened_on", "ticket_id")
            .values_list("ticket_id", "unit_id", "week", "first_of_unit")
        )
        seen: set[int] = set()
        flip_on: list[int] = []
        flip_off: list[int] = []
        for ticket_id, unit_id, week, flagged in rows:
            first = unit_id not in seen
            seen.add(unit_id)
            if first != flagged:
                (flip_on if first else flip_off).append(ticket_id)
                weeks.add(week)
        FaultRecord.objects.filter(ticket_id__in=flip_on).update(first_of_unit=True)
        FaultRecord.objects.filter(ticket_id__in=flip_off).update(first_of_unit=False)
    return weeks


def _recount(weeks: set[dt.date]) -> None:
    for chunk in _chunks(sorted(weeks)):
        FaultCount.objects.filter(week__in=chunk).delete()
        rows = (
            FaultRecord.objects.filter(week__in=chunk)
            .order_by()
            .values(*DIMENSIONS)
            .annotate(
                n=Count("ticket_id"),
                u=Count("ticket_id", filter=Q(first_of_unit=True)),
                nu=Count("ticket_id", filter=Q(unit__isnull=True)),
            )
        )
        FaultCount.objects.bulk_create(
            (FaultCount(**{k: row[k] for k in DIMENSIONS}, tickets=row["n"], units=row["u"], unitless=row["nu"]) for row in rows),
            batch_size=1000,
        )
    _summarise(weeks)


# --- The narrow summaries (FaultSummary) ------------------------------------------------------

# The FaultCount field behind each summary dimension ("total" has none).
SUMMARY_FIELDS: dict[str, str | None] = {
    "total": None,
    "batch": "batch",
    "cause": "cause",
    "component": "component",
    "supplier": "supplier",
    "factory": "factory",
    "production_month": "production_month",
    "months_in_service": "months_in_service",
}
_PLACE = ("region_id", "product_category_id", "model_id")


def as_text(value: object) -> str:
    """A dimension's value as ``FaultSummary.value`` stores it (``summary_value`` reads it back)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def summary_value(dimension: str, text: str) -> object:
    """``FaultSummary.value`` as the value of ``FaultCount``'s field (a date, a number, a text)."""
    if dimension == "production_month":
        return dt.date.fromisoformat(text) if text else None
    if dimension == "months_in_service":
        return int(text)
    return text


def _sums(qs: QuerySet, keys: list[str]) -> QuerySet:
    return qs.order_by().values(*keys).annotate(t=Sum("tickets"), u=Sum("units"), nu=Sum("unitless"))


def _insert(rows: Iterable[FaultSummary]) -> set[int | None]:
    """Insert ``rows`` in batches (memory stays bounded when they are streamed from a query);
    returns the model ids of the rows."""
    models: set[int | None] = set()
    for batch in _chunks(rows, 5000):
        FaultSummary.objects.bulk_create(batch, batch_size=1000)
        models |= {row.model_id for row in batch}
    return models


def _week_rows(source: QuerySet[FaultCount], dimension: str) -> Iterable[FaultSummary]:
    """The week rows of ``dimension`` per region (region empty included) and model."""
    field = SUMMARY_FIELDS[dimension]
    # Streamed: a year of weeks holds many rows (written to another table meanwhile).
    for row in _sums(source, ["week", *_PLACE, *([field] if field else [])]).iterator(CHUNK):
        yield FaultSummary(
            grain=SummaryGrain.WEEK,
            period=row["week"],
            all_regions=False,
            **{k: row[k] for k in _PLACE},
            dimension=dimension,
            value=as_text(row[field]) if field else "",
            tickets=row["t"] or 0,
            units=row["u"] or 0,
            unitless=row["nu"] or 0,
        )


def _sum_rows(source: QuerySet[FaultSummary], keys: list[str], **fixed: Any) -> Iterable[FaultSummary]:
    """Summary rows summed per ``keys`` (the coarser grain or ``all_regions`` from the finer rows)."""
    for row in _sums(source, keys):
        yield FaultSummary(
            **fixed,
            **{k: row[k] for k in keys},
            tickets=row["t"] or 0,
            units=row["u"] or 0,
            unitless=row["nu"] or 0,
        )


def _model_q(model_ids: list[int | None]) -> Q:
    q = Q(model_id__in=[m for m in model_ids if m is not None])
    if None in model_ids:
        q |= Q(model__isnull=True)
    return q


def _summarise(weeks: set[dt.date]) -> None:
    """Rewrite the summaries of ``weeks`` (just recounted in ``FaultCount``): their week rows (every
    question, per region and summed over the regions), their months' rows (the sums of the week
    rows whose Monday falls in the month), and the all-time rows of every model those months hold
    (before or after). ``FaultCount`` is read once per question and ``WEEK_CHUNK`` weeks."""
    if not weeks:
        return
    months = sorted({w.replace(day=1) for w in weeks})
    models: set[int | None] = set(
        FaultSummary.objects.filter(grain=SummaryGrain.MONTH, period__in=months).values_list("model_id", flat=True).distinct()
    )
    for chunk in _chunks(sorted(weeks), WEEK_CHUNK):
        FaultSummary.objects.filter(grain=SummaryGrain.WEEK, period__in=chunk).delete()
        source = FaultCount.objects.filter(week__in=chunk)
        for dimension in SUMMARY_DIMENSIONS:
            _insert(_week_rows(source, dimension))
        regional = FaultSummary.objects.filter(grain=SummaryGrain.WEEK, period__in=chunk, all_regions=False)
        keys = ["period", *_PLACE[1:], "dimension", "value"]
        _insert(_sum_rows(regional, keys, grain=SummaryGrain.WEEK, all_regions=True))
    for month in months:
        FaultSummary.objects.filter(grain=SummaryGrain.MONTH, period=month).delete()
        in_month = FaultSummary.objects.filter(grain=SummaryGrain.WEEK, period__gte=month, period__lt=next_month(month))
        keys = [*_PLACE, "all_regions", "dimension", "value"]
        models |= _insert(_sum_rows(in_month, keys, grain=SummaryGrain.MONTH, period=month))
    for chunk_models in _chunks(sorted(models, key=lambda m: (m is None, m or 0))):
        q = _model_q(chunk_models)
        FaultSummary.objects.filter(q, grain=SummaryGrain.ALL).delete()
        keys = [*_PLACE, "all_regions", "dimension", "value"]
        rows = FaultSummary.objects.filter(q, grain=SummaryGrain.MONTH)
        _insert(_sum_rows(rows, keys, grain=SummaryGrain.ALL, period=None))


@transaction.atomic
def fault_summaries_rebuild() -> int:
    """Recompute every summary from ``FaultCount`` (a deployment that had only ``FaultCount``, or a
    benchmark that fills it directly). Returns the number of summary rows."""
    FaultSummary.objects.all().delete()
    weeks = set(FaultCount.objects.order_by().values_list("week", flat=True).distinct())
    _summarise(weeks)
    RollupState.objects.update_or_create(name=SUMMARY_STATE, defaults={"refreshed_at": clock.now()})
    return FaultSummary.objects.count()


def fault_rollup_refresh(*, now: dt.datetime | None = None) -> int:
    """Bring the rollups up to date with every ticket changed since the last run. Returns the
    number of fault records written."""
    now = now or clock.now()
    if not RollupState.objects.filter(name=SUMMARY_STATE).exists():
        fault_summaries_rebuild()  # the summaries came after FaultCount: built once from it
    state, _created = RollupState.objects.get_or_create(name=STATE)
    since = state.tickets_seen_until
    written = 0
    for chunk in _chunks(_changed_ticket_ids(since)):
        written += _refresh_chunk(chunk)
    # The production register's batches the serial units suggest (the register wins): the batches
    # of the units registered since the last run (every batch on the first run).
    production_batches_infer(units_since=since)
    # Changes committed while this ran carry an updated_at >= now - a margin: read again next time.
    RollupState.objects.filter(pk=state.pk).update(tickets_seen_until=now - dt.timedelta(minutes=5), refreshed_at=now)
    return written


def fault_rollup_rebuild() -> int:
    """Recompute everything from the tickets (the rules changed, tickets were deleted)."""
    with transaction.atomic():
        FaultRecord.objects.all().delete()
        FaultCount.objects.all().delete()
        FaultSummary.objects.all().delete()
        RollupState.objects.filter(name=STATE).delete()
        RollupState.objects.update_or_create(name=SUMMARY_STATE, defaults={"refreshed_at": clock.now()})
    return fault_rollup_refresh()


def fault_totals() -> dict[str, int]:
    """Totals of the rollup (a health check for the job and the tests)."""
    totals = FaultCount.objects.aggregate(tickets=Sum("tickets"), units=Sum("units"), unitless=Sum("unitless"))
    return {k: int(v or 0) for k, v in totals.items()}
