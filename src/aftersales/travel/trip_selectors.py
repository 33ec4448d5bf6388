"""Reads of the trip log, scoped to the reader as all travel reads are
(``permissions.technicians_visible_to``): a technician his own trips, a team leader his members',
supervisors, finance and administrators their data scope's; everybody else nothing."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.fieldservice.models import WorkOrder

from .models import AdvanceStatus, CashAdvance, Trip, TripLogEntry
from .permissions import technicians_visible_to
from .selectors import _search


def trips_visible_to(user: User) -> QuerySet[Trip]:
    return Trip.objects.filter(technician__in=technicians_visible_to(user).values("pk"))


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def trip_list(
    *, user: User, statuses: list[str] | None = None, technician: str = "", month: dt.date | None = None
) -> QuerySet[Trip]:
    """Trips visible to ``user``, latest first, with their number of log lines; filters: the
    statuses, the technician (a part of his username or name), the ``month`` the trip touches
    (its actual days, else its planned days)."""
    qs = _search(trips_visible_to(user).select_related("technician", "advance"), technician)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if month is not None:
        first, last = month_bounds(month)
        actual = Q(departed_on__isnull=False, departed_on__lte=last) & (
            Q(returned_on__isnull=True, planned_until__gte=first) | Q(returned_on__gte=first)
        )
        planned = Q(departed_on__isnull=True, planned_from__lte=last, planned_until__gte=first)
        qs = qs.filter(actual | planned)
    return qs.annotate(lines=Count("entries")).order_by("-planned_from", "-id")


def trip_get_for_user(*, user: User, number: str) -> Trip:
    found = (
        trips_visible_to(user).select_related("technician", "advance", "decided_by").filter(number=number.strip().upper()).first()
    )
    if found is None:
        raise NotFound(_("No trip with this number is visible to you."), code="trip_not_found")
    return found


def trip_entries(trip: Trip) -> list[TripLogEntry]:
    return list(trip.entries.select_related("work_order").order_by("day", "id"))


def trip_work_orders(trip: Trip) -> list[WorkOrder]:
    return list(trip.work_orders.select_related("ticket").order_by("number"))


def work_order_choices(technician: User) -> list[WorkOrder]:
    """The technician's work orders a trip or a log line may be for (his latest 30)."""
    return list(WorkOrder.objects.filter(technician=technician).select_related("ticket").order_by("-created_at", "-id")[:30])


def advance_choices(technician: User) -> list[CashAdvance]:
    """His cash advances a trip may name (not rejected or cancelled; the latest 20)."""
    return list(
        CashAdvance.objects.filter(technician=technician)
        .exclude(status__in=[AdvanceStatus.REJECTED, AdvanceStatus.CANCELLED])
        .order_by("-requested_at", "-id")[:20]
    )
