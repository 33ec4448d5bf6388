"""The trip logs (出差日志) as a sheet for production management's labour costing: one row per trip
the reviewers' list shows that user (its filters: status, technician, month;
``travel.trip_selectors.trip_list``, so a technician gets his own trips, a team leader his
members', a reviewer his data scope's) with the hours logged, the work orders' labour hours, the
difference and the labour cost of its reconciliation (``travel.reconcile``: the page's figures,
frozen for an approved trip). The reconciliation reads a few statements per trip."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.accounts.models import User
from aftersales.core.errors import ValidationFailed
from aftersales.travel.models import ZERO, Trip
from aftersales.travel.permissions import is_technician
from aftersales.travel.reconcile import reconcile
from aftersales.travel.trip_forms import TripFilterForm
from aftersales.travel.trip_permissions import sees_trip_list
from aftersales.travel.trip_selectors import trip_list

from ..registry import CHUNK_SIZE, CellType, Column, ExportKind, Rows, register


@dataclass(frozen=True)
class TripRow:
    trip: Trip
    working_hours: Decimal  # every working hour logged on the trip
    work_order_hours: Decimal  # the labour hours of its work orders
    difference: Decimal  # logged for them (this trip and his other submitted or approved ones) less theirs
    flagged: int  # work orders whose difference passes the tolerance
    cost: Decimal  # the reconciled labour cost (frozen once approved)


def _row(trip: Trip) -> TripRow:
    figures = reconcile(trip)
    return TripRow(
        trip=trip,
        working_hours=figures.working_hours,
        work_order_hours=sum((row.work_order_hours for row in figures.rows), ZERO),
        difference=sum((row.difference for row in figures.rows), ZERO),
        flagged=figures.flagged,
        cost=figures.cost,
    )


def _filters(params: Mapping[str, str]) -> dict[str, Any]:
    form = TripFilterForm({key: params.get(key, "") for key in ("status", "technician", "month")})
    if not form.is_valid():
        raise ValidationFailed({field: list(errors) for field, errors in form.errors.items()}, code="export_filters_invalid")
    return form.cleaned_data


def check_filters(user: User, params: Mapping[str, str]) -> None:
    _filters(params)


def trip_rows(user: User, params: Mapping[str, str]) -> Rows:
    data = _filters(params)
    trips = trip_list(
        user=user,
        statuses=[data["status"]] if data.get("status") else None,
        technician=(data.get("technician") or "").strip(),
        month=data.get("month"),
    ).select_related("technician")

    def items() -> Iterator[TripRow]:
        for trip in trips.iterator(chunk_size=CHUNK_SIZE):
            yield _row(trip)

    return Rows(items=items(), total=trips.count())


def _may_use(user: User) -> bool:
    return sees_trip_list(user) or is_technician(user)


def _first_day(r: TripRow, u: User) -> Any:
    return r.trip.departed_on or r.trip.planned_from


def _last_day(r: TripRow, u: User) -> Any:
    return r.trip.returned_on or r.trip.planned_until


TRIPS = register(
    ExportKind(
        key="travel_trips",
        title=_("Trip logs"),
        columns=(
            Column(_("Trip"), lambda r, u: r.trip.number, width=18),
            Column(_("Technician"), lambda r, u: str(r.trip.technician), width=12),
            Column(pgettext_lazy("date range", "From"), _first_day, CellType.DATE, width=12),
            Column(pgettext_lazy("date range", "Until"), _last_day, CellType.DATE, width=12),
            Column(_("Destination"), lambda r, u: r.trip.destination, width=16),
            Column(_("Working hours logged"), lambda r, u: r.working_hours, CellType.NUMBER, width=12),
            Column(_("Work orders' labour hours"), lambda r, u: r.work_order_hours, CellType.NUMBER, width=12),
            Column(_("Difference (hours)"), lambda r, u: r.difference, CellType.NUMBER, width=12),
            Column(_("Work orders flagged"), lambda r, u: r.flagged, CellType.NUMBER, width=10),
            Column(_("Reconciled labour cost (CNY)"), lambda r, u: r.cost, CellType.MONEY, width=14),
            Column(_("Status"), lambda r, u: r.trip.get_status_display(), width=12),
        ),
        may_use=_may_use,
        rows=trip_rows,
        page="travel:trips",
        check=check_filters,
    )
)
