"""What the analytics reads share: the period, the caller's reach, medians from histograms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core.errors import PermissionDenied, ValidationFailed

# Roles that see the figures of others in their data scope; everyone else sees only their own.
SCOPED_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR, Role.QUALITY_MANAGER})
# Roles that read chargeback statements (within their data scope: region or all).
CHARGEBACK_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR, Role.FINANCE, Role.QUALITY_MANAGER})
MAX_DAYS = 3 * 366
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def parse_period(raw_from: str | None, raw_to: str | None, *, today: dt.date | None = None) -> Period:
    """The period from two ISO dates (either may be empty: the last 30 days up to today)."""
    today = today or timezone.localdate()
    try:
        end = dt.date.fromisoformat(raw_to) if raw_to else today
    except ValueError as exc:
        raise ValidationFailed({"to": [_("Enter a date as YYYY-MM-DD.")]}, code="invalid_date") from exc
    try:
        start = dt.date.fromisoformat(raw_from) if raw_from else end - dt.timedelta(days=DEFAULT_DAYS - 1)
    except ValueError as exc:
        raise ValidationFailed({"from": [_("Enter a date as YYYY-MM-DD.")]}, code="invalid_date") from exc
    if start > end:
        raise ValidationFailed({"from": [_("The period ends before it starts.")]}, code="period_reversed")
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed({"from": [_("The period may be at most three years long.")]}, code="period_too_long")
    return Period(start=start, end=end)


def _is_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def sees_all(user: User) -> bool:
    return bool(user.is_superuser or (user.role in SCOPED_ROLES and user.data_scope == DataScope.ALL))


def staff_reach(user: User, *, person: str, team: str = "team_key", region: str = "region_key") -> Q:
    """The rows of people's figures ``user`` may read, as a filter on the columns named.

    Supervisors, administrators and quality managers: their data scope (all, region, team; own
    for scope "own"). Everybody else: their own figures only. Customers: nothing.
    """
    if not _is_staff(user):
        raise PermissionDenied("analytics are for staff", code="analytics_staff_only")
    if sees_all(user):
        return Q()
    own = Q(**{person: user.pk})
    if user.role in SCOPED_ROLES:
        if user.data_scope == DataScope.REGION and user.region_id:
            return own | Q(**{region: user.region_id})
        if user.data_scope == DataScope.TEAM and user.team_id:
            return own | Q(**{team: user.team_id})
    return own


def ticket_reach(user: User, *, roles: frozenset[str] = SCOPED_ROLES) -> Q:
    """Rows keyed by region ``user`` may read for the dashboards and statements: every region
    for scope "all", their region for scope "region"; refused otherwise."""
    if not _is_staff(user):
        raise PermissionDenied("analytics are for staff", code="analytics_staff_only")
    if user.is_superuser or (user.role in roles and user.data_scope == DataScope.ALL):
        return Q()
    if user.role in roles and user.data_scope == DataScope.REGION and user.region_id:
        return Q(region_key=user.region_id)
    raise PermissionDenied("not available for this role or data scope", code="analytics_scope")


def reach_region(reach: Q) -> int | None:
    """The region a ``ticket_reach`` filter is limited to; None for every region."""
    for child in reach.children:
        if isinstance(child, tuple) and child[0] == "region_key":
            return int(child[1])
    return None


def can_reach_tickets(user: User, roles: frozenset[str] = SCOPED_ROLES) -> bool:
    try:
        ticket_reach(user, roles=roles)
    except PermissionDenied:
        return False
    return True


def rate(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent, to two decimals (2 of 3 → 66.67; None without a whole):
    the API and the exports carry this number; the pages show it to one decimal through the
    ``percent`` filter, which tells a tiny share from none ("<0.1%") and an almost-whole one from
    all (">99.9%") — a rate already rounded to one decimal could tell neither."""
    return round(100 * part / whole, 2) if whole else None


CENT = Decimal("0.01")


def money(value: Decimal | int | None) -> Decimal:
    """An amount with two decimals (SQLite's SUM drops them)."""
    return Decimal(value or 0).quantize(CENT)
