"""The trip log's tiles on the home pages (出差日志):

* the reviewers' — finance's Today page, the supervisor's and administrator's team view — the
  trip logs waiting for their review, the count of the list it links to
  (``/travel/trips/?status=submitted``: ``travel.trip_selectors.trip_list``, the same scope);
  one COUNT;
* the technician's Today page: his open and returned trips (a returned one with the reason), the
  hours he logged today on each, each linking to its log's form; one statement.

Roles that never see a tile get None and run no query."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.urls import reverse

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.travel.models import Trip, TripStatus
from aftersales.travel.permissions import is_technician
from aftersales.travel.states import TRIP_EDITABLE
from aftersales.travel.trip_permissions import is_reviewer
from aftersales.travel.trip_selectors import trips_visible_to

ZERO = Decimal("0")
HUNDREDTH = Decimal("0.01")
# At most this many of the technician's open trips on his Today page (he rarely has two).
MY_TRIPS_SHOWN = 3


@dataclass(frozen=True)
class TripReviewTile:
    count: int
    url: str


def trip_review_tile(*, user: User) -> TripReviewTile | None:
    """Submitted trip logs in the reviewer's scope (supervisors, administrators, finance); None
    for every other role (no query)."""
    if not is_reviewer(user):
        return None
    # The list's rows unfiltered but for the status: ``trip_list(user=…, statuses=[submitted])``.
    count = trips_visible_to(user).filter(status=TripStatus.SUBMITTED).count()
    return TripReviewTile(count=count, url=f"{reverse('travel:trips')}?status={TripStatus.SUBMITTED}")


@dataclass(frozen=True)
class MyTrip:
    trip: Trip
    logged_today: Decimal  # working and travel hours he logged today on it
    url: str  # the trip's page at its form for a day's line


def my_open_trips(*, user: User) -> list[MyTrip] | None:
    """The technician's open and returned trips, returned first, then the latest; None for any
    other role (no query)."""
    if not is_technician(user):
        return None
    today = clock.local_today()
    trips = (
        Trip.objects.filter(technician=user, status__in=TRIP_EDITABLE)
        .annotate(
            today_working=Sum("entries__working_hours", filter=Q(entries__day=today)),
            today_travel=Sum("entries__travel_hours", filter=Q(entries__day=today)),
        )
        .order_by("-status", "-planned_from", "-id")[:MY_TRIPS_SHOWN]  # "returned" sorts after "open"
    )
    return [
        MyTrip(
            trip=t,
            logged_today=((t.today_working or ZERO) + (t.today_travel or ZERO)).quantize(HUNDREDTH),
            url=reverse("travel:trip", args=[t.number]) + "#log-a-day",
        )
        for t in trips
    ]
