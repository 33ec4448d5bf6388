"""The labour reconciliation of a trip (人工费核算, seed 001: "根据《出差日志》及《派工单》核算出相应人工费"):
per work order, the labour hours the work order says against the working hours logged for it —
on this trip, and on the technician's other submitted or approved trips — with the difference
flagged when it passes ``TOLERANCE``; the labour cost is the hours logged on this trip times the
labour cost per hour of the charge policy (``fieldservice.charging.current_policy``) valid on the
trip's last day.

Until the trip is approved the figures are computed from the log as it is; the approval freezes
them in ``TripLabour`` rows and an approved trip's reconciliation reads those rows only, so a rate
changed later or a work order corrected later leaves the approved cost alone.

Working hours logged on no work order, and travel hours, are totalled for the trip but are no work
order's labour: they are not costed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from aftersales.core import clock
from aftersales.core.money import cents
from aftersales.fieldservice.charging import current_policy
from aftersales.fieldservice.models import WorkOrder

from .models import ZERO, Trip, TripLabour, TripLogEntry, TripStatus

# A difference of at most half an hour between the work order and the log is not flagged.
TOLERANCE = Decimal("0.50")
# Other trips whose hours count against the same work order.
COUNTED = (TripStatus.SUBMITTED, TripStatus.APPROVED)


@dataclass(frozen=True)
class LabourRow:
    work_order: WorkOrder
    work_order_hours: Decimal  # the work order's labour hours (frozen at approval)
    logged_hours: Decimal  # working hours logged for it on this trip
    other_trips_hours: Decimal  # … on the technician's other submitted or approved trips
    rate: Decimal
    cost: Decimal

    @property
    def difference(self) -> Decimal:
        """Logged (this trip and the others) less the work order's hours: above 0, more logged."""
        return self.logged_hours + self.other_trips_hours - self.work_order_hours

    @property
    def flagged(self) -> bool:
        return abs(self.difference) > TOLERANCE


@dataclass(frozen=True)
class Reconciliation:
    rows: list[LabourRow]
    rate: Decimal
    rate_day: dt.date
    working_hours: Decimal  # every working hour of the log
    unassigned_hours: Decimal  # working hours on no work order
    travel_hours: Decimal
    km: Decimal
    nights: int
    days: int
    frozen: bool  # read from the approval's rows

    @property
    def cost(self) -> Decimal:
        return cents(sum((row.cost for row in self.rows), ZERO))

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.flagged)


def rate_day(trip: Trip) -> dt.date:
    """The day whose charge policy prices the trip's labour: its return, else its last logged
    day, else today."""
    if trip.returned_on is not None:
        return trip.returned_on
    last = trip.entries.order_by("-day").values_list("day", flat=True).first()
    return last or clock.local_today()


def _totals(trip: Trip) -> dict[str, object]:
    return trip.entries.aggregate(
        working=Sum("working_hours"),
        travel=Sum("travel_hours"),
        km=Sum("km"),
        days=Count("day", distinct=True),
    )


def reconcile(trip: Trip) -> Reconciliation:
    """The trip's reconciliation: frozen once approved, else computed from its log (a few
    queries whatever the number of work orders)."""
    totals = _totals(trip)
    working = cents(totals["working"] or 0)  # type: ignore[arg-type]
    on_orders = cents(trip.entries.filter(work_order__isnull=False).aggregate(h=Sum("working_hours"))["h"] or 0)
    nights = trip.entries.filter(overnight=True).values("day").distinct().count()
    common = {
        "working_hours": working,
        "unassigned_hours": working - on_orders,
        "travel_hours": cents(totals["travel"] or 0),  # type: ignore[arg-type]
        "km": Decimal(totals["km"] or 0).quantize(Decimal("0.1")),  # type: ignore[arg-type]
        "nights": nights,
        "days": int(totals["days"] or 0),  # type: ignore[call-overload]
    }
    day = rate_day(trip)
    frozen = list(TripLabour.objects.filter(trip=trip).select_related("work_order").order_by("work_order__number"))
    if trip.status == TripStatus.APPROVED and frozen:
        others = _other_trips_hours(trip, [row.work_order_id for row in frozen])
        rows = [
            LabourRow(
                work_order=row.work_order,
                work_order_hours=row.work_order_hours,
                logged_hours=row.approved_hours,
                other_trips_hours=others.get(row.work_order_id, ZERO),
                rate=row.rate,
                cost=row.cost,
            )
            for row in frozen
        ]
        return Reconciliation(rows=rows, rate=frozen[0].rate, rate_day=day, frozen=True, **common)
    rate = cents(current_policy(day).labour_cost_per_hour)
    logged = dict(
        trip.entries.filter(work_order__isnull=False)
        .values("work_order_id")
        .annotate(h=Sum("working_hours"))
        .values_list("work_order_id", "h")
    )
    orders = list(WorkOrder.objects.filter(pk__in={*logged, *trip.work_orders.values_list("pk", flat=True)}).order_by("number"))
    others = _other_trips_hours(trip, [wo.pk for wo in orders])
    rows = []
    for wo in orders:
        hours = cents(logged.get(wo.pk) or 0)
        rows.append(
            LabourRow(
                work_order=wo,
                work_order_hours=cents(wo.labour_hours),
                logged_hours=hours,
                other_trips_hours=others.get(wo.pk, ZERO),
                rate=rate,
                cost=cents(hours * rate),
            )
        )
    return Reconciliation(rows=rows, rate=rate, rate_day=day, frozen=False, **common)


def _other_trips_hours(trip: Trip, work_order_ids: list[int]) -> dict[int, Decimal]:
    if not work_order_ids:
        return {}
    rows = (
        TripLogEntry.objects.filter(work_order_id__in=work_order_ids, trip__status__in=COUNTED)
        .exclude(trip=trip)
        .values("work_order_id")
        .annotate(h=Sum("working_hours"))
    )
    return {row["work_order_id"]: cents(row["h"] or 0) for row in rows}
