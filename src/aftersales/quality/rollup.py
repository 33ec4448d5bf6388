"""The fault rollups: ``FaultRecord`` per fault ticket and ``FaultCount`` per week and dimension.

``fault_rollup_refresh`` is the periodic job's body (``tasks.refresh_fault_rollup``). It reads the
tickets changed since its watermark — a ticket updated, an appraisal of it changed, a part fitted
on one of its work orders — rewrites their ``FaultRecord`` rows (deletes those that are no longer
fault tickets), sets ``first_of_unit`` again for the units touched, and recomputes the
``FaultCount`` rows of every week touched from the records. Running it twice changes nothing
(idempotent); ``fault_rollup_rebuild`` recomputes everything (after deleting tickets, or when the
rules change). Work per run is bounded by what changed, never by the number of tickets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q, Sum

from aftersales.appraisal.models import Appraisal
from aftersales.appraisal.selectors import concluded_appraisals
from aftersales.core import clock
from aftersales.fieldservice.ftf import is_fault_ticket
from aftersales.parts.models import PartUsage
from aftersales.tickets.models import Ticket

from .models import UNKNOWN_MONTHS, FaultCount, FaultRecord, RollupState

STATE = "faults"
CHUNK = 2000
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


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    chunk: list[int] = []
    for pk in ids:
        chunk.append(pk)
        if len(chunk) >= CHUNK:
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
    for chunk in _chunks(sorted(weeks)):  # type: ignore[arg-type]
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


def fault_rollup_refresh(*, now: dt.datetime | None = None) -> int:
    """Bring the rollups up to date with every ticket changed since the last run. Returns the
    number of fault records written."""
    now = now or clock.now()
    state, _created = RollupState.objects.get_or_create(name=STATE)
    since = state.tickets_seen_until
    written = 0
    for chunk in _chunks(_changed_ticket_ids(since)):
        written += _refresh_chunk(chunk)
    # Changes committed while this ran carry an updated_at >= now - a margin: read again next time.
    RollupState.objects.filter(pk=state.pk).update(tickets_seen_until=now - dt.timedelta(minutes=5), refreshed_at=now)
    return written


def fault_rollup_rebuild() -> int:
    """Recompute everything from the tickets (the rules changed, tickets were deleted)."""
    with transaction.atomic():
        FaultRecord.objects.all().delete()
        FaultCount.objects.all().delete()
        RollupState.objects.filter(name=STATE).delete()
    return fault_rollup_refresh()


def fault_totals() -> dict[str, int]:
    """Totals of the rollup (a health check for the job and the tests)."""
    totals = FaultCount.objects.aggregate(tickets=Sum("tickets"), units=Sum("units"), unitless=Sum("unitless"))
    return {k: int(v or 0) for k, v in totals.items()}
