"""Reads of the ticket list's saved views: the views a member of staff sees (their own, their
team's shared ones, those shared with all staff), in one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.core.precompiled import PreparedQuery

from ..models import SavedView, ViewSharing

# What the bar, the manage page and the API read (the owner's name for a view shared by others).
_COLUMNS = (
    "id",
    "owner_id",
    "name",
    "filters",
    "search",
    "sharing",
    "position",
    "is_start",
    "created_at",
    "updated_at",
    "version",
    "owner__username",
    "owner__display_name",
    "owner__first_name",
    "owner__last_name",
)


def _visible(user_id: int, team_id: int | None) -> QuerySet[SavedView]:
    seen = Q(owner_id=user_id) | Q(sharing=ViewSharing.EVERYONE)
    if team_id is not None:
        # A subquery, not a join: each branch of the OR is one of the table's indexes (owner, sharing).
        team = User.objects.filter(team_id=team_id).values("pk")
        seen |= Q(sharing=ViewSharing.TEAM, owner_id__in=team)
    # Unordered: the callers order in Python (own by position, shared by name).
    return SavedView.objects.filter(seen).select_related("owner").only(*_COLUMNS).order_by()


# The list page's bar reads the same rows with its statement compiled once per process (the
# ORM's compiling was most of the bar's cost on the benchmarked list: docs/benchmarks.md).
_VISIBLE_ALONE = PreparedQuery(lambda user_id: _visible(user_id, None))
_VISIBLE_IN_TEAM = PreparedQuery(lambda user_id, team_id: _visible(user_id, team_id))


def saved_views_visible_to(user: User) -> QuerySet[SavedView]:
    """Every view ``user`` may open: their own, those their team's members share with the team,
    those shared with all staff. Nothing for a customer."""
    if not user.is_authenticated or user.is_customer:
        return SavedView.objects.none()
    return _visible(user.pk, user.team_id)


@dataclass(frozen=True)
class VisibleViews:
    """The views a user sees, in the bar's order: their own by position, then the others'
    shared ones (team before all staff) by name."""

    own: list[SavedView]
    shared: list[SavedView]

    @property
    def all(self) -> list[SavedView]:
        return self.own + self.shared

    @property
    def start(self) -> SavedView | None:
        return next((view for view in self.own if view.is_start), None)


def saved_views_for_user(*, user: User) -> VisibleViews:
    """The views ``user`` sees (one query, compiled once per process)."""
    own: list[SavedView] = []
    shared: list[SavedView] = []
    if not user.is_authenticated or user.is_customer:
        rows: list[SavedView] = []
    elif user.team_id is None:
        rows = _VISIBLE_ALONE.list(user_id=user.pk)
    else:
        rows = _VISIBLE_IN_TEAM.list(user_id=user.pk, team_id=user.team_id)
    for view in rows:
        (own if view.owner_id == user.pk else shared).append(view)
    own.sort(key=lambda v: (v.position, v.pk))
    shared.sort(key=lambda v: (v.sharing != ViewSharing.TEAM, v.name, v.pk))
    return VisibleViews(own=own, shared=shared)


def saved_view_get_for_user(*, user: User, view_id: int) -> SavedView:
    """One view ``user`` may open; ``NotFound`` for any other (another's private view included)."""
    view = saved_views_visible_to(user).filter(pk=view_id).first()
    if view is None:
        raise NotFound(_("No such view."), code="saved_view_not_found")
    return view
