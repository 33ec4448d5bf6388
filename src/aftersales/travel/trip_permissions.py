"""Who may see and do what with trip logs (出差日志).

* A technician opens trips for himself, logs his days while the trip is open or returned,
  submits it and may cancel it until it is submitted; he sees only his own trips.
* Reviewers — supervisors, administrators and finance (``OVERSEER_ROLES``) — see the trips of the
  technicians of their data scope (all, their region, their team), and approve or return a
  submitted trip; nobody reviews his own trip.
* A team's leader sees his members' trips (read only), as he sees their travel money.
* Everybody else sees nothing (lists 403, a trip 404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, Team, User
from aftersales.core.errors import PermissionDenied

from .models import Trip, TripStatus
from .permissions import OVERSEER_ROLES, Reach, is_active_staff, is_technician, led_team_ids, sees
from .states import TRIP_EDITABLE

T = TripStatus


def is_reviewer(user: User) -> bool:
    """Supervisors, administrators and finance: the reviewers of trip logs."""
    return is_active_staff(user) and (user.is_superuser or user.role in OVERSEER_ROLES)


def sees_trip_list(user: User) -> bool:
    """The reviewers' list ``/travel/trips/``: reviewers and team leaders."""
    return is_reviewer(user) or bool(led_team_ids(user))


def owns(user: User, trip: Trip) -> bool:
    return is_active_staff(user) and trip.technician_id == user.pk


def can_review(user: User, trip: Trip, *, reach: Reach | None = None) -> bool:
    """A reviewer whose data scope holds the trip's technician; never his own trip."""
    return is_reviewer(user) and not owns(user, trip) and sees(user, trip.technician_id, reach=reach)


def reviewers_for(technician: User) -> QuerySet[User]:
    """The active users who may review ``technician``'s trip logs (``can_review`` read the other
    way round, as ``permissions.finance_for`` is): superusers, and supervisors, administrators and
    finance whose data scope holds him (all; his region; his team) or who lead his team; never
    himself. Who hears that a log waits for review."""
    scope = Q(data_scope=DataScope.ALL)
    if technician.region_id:
        scope |= Q(data_scope=DataScope.REGION, region_id=technician.region_id)
    if technician.team_id:
        scope |= Q(data_scope=DataScope.TEAM, team_id=technician.team_id) | Q(
            pk__in=Team.objects.filter(pk=technician.team_id, leader__isnull=False).values("leader_id")
        )
    return (
        User.objects.filter(Q(is_superuser=True) | (Q(role__in=OVERSEER_ROLES) & scope), is_active=True)
        .exclude(role=Role.CUSTOMER)
        .exclude(pk=technician.pk)
        .order_by("id")
    )


def check_open(user: User) -> None:
    if not is_technician(user):
        raise PermissionDenied(_("Only a technician may open a trip."), code="trip_not_allowed")


def check_own_trip(user: User, trip: Trip) -> None:
    if not owns(user, trip):
        raise PermissionDenied(_("Only the technician on the trip may change its log."), code="not_your_trip")


def check_review(user: User, trip: Trip) -> None:
    if owns(user, trip):
        raise PermissionDenied(_("Nobody reviews their own trip."), code="own_trip")
    if not can_review(user, trip):
        raise PermissionDenied(
            _("Only a supervisor, an administrator or finance may review a trip log."), code="trip_review_not_allowed"
        )


def may_log(user: User, trip: Trip) -> bool:
    """Whether ``user`` may add or remove log entries now: his own trip, open or returned."""
    return owns(user, trip) and trip.status in TRIP_EDITABLE


def trip_actions(user: User, trip: Trip, *, reach: Reach | None = None) -> set[str]:
    """The steps ``user`` may take on ``trip`` now (the page's buttons, the API's list)."""
    actions: set[str] = set()
    if owns(user, trip) and trip.status in TRIP_EDITABLE:
        actions.update({"submit", "cancel"})
    if trip.status == T.SUBMITTED and can_review(user, trip, reach=reach):
        actions.update({"approve", "return"})
    return actions
