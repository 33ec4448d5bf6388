"""Reads of report subscriptions, scoped to the caller: everyone sees their own; a supervisor
also those of the people in their data scope (team or region, or all); an administrator all."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core.errors import NotFound

from .models import ReportDelivery, ReportSubscription

RECENT_DELIVERIES = 5


def sees_all_subscriptions(user: User) -> bool:
    return bool(
        user.is_superuser
        or user.role == Role.ADMINISTRATOR
        or (user.role == Role.SUPERVISOR and user.data_scope == DataScope.ALL)
    )


def subscriptions_visible_to(user: User) -> QuerySet[ReportSubscription]:
    qs = ReportSubscription.objects.select_related("owner")
    if not user.is_authenticated or not user.is_active or user.is_customer:
        return qs.none()
    if sees_all_subscriptions(user):
        return qs
    own = Q(owner=user)
    if user.role == Role.SUPERVISOR:
        if user.data_scope == DataScope.TEAM and user.team_id:
            return qs.filter(own | Q(owner__team_id=user.team_id))
        if user.data_scope == DataScope.REGION and user.region_id:
            return qs.filter(own | Q(owner__region_id=user.region_id) | Q(owner__team__region_id=user.region_id))
    return qs.filter(own)


def subscription_list_for_user(user: User) -> list[ReportSubscription]:
    """The caller's subscriptions first, then the others in scope, each with its last deliveries
    (``recent_deliveries``), in three queries."""
    recent = ReportDelivery.objects.order_by("-period_start", "-id")[:RECENT_DELIVERIES]
    rows: list[ReportSubscription] = list(
        subscriptions_visible_to(user).prefetch_related(Prefetch("deliveries", queryset=recent, to_attr="recent_deliveries"))
    )
    rows.sort(key=lambda s: (s.owner_id != user.pk, str(s.owner), s.name.lower(), s.pk))
    return rows


def subscription_get_for_user(*, user: User, subscription_id: int) -> ReportSubscription:
    found = subscriptions_visible_to(user).filter(pk=subscription_id).first()
    if found is None:
        raise NotFound("report subscription not found")
    return found


def deliveries_for_user(*, user: User, subscription_id: int | None = None) -> QuerySet[ReportDelivery]:
    qs = ReportDelivery.objects.filter(subscription__in=subscriptions_visible_to(user).values("pk")).select_related(
        "subscription"
    )
    if subscription_id is not None:
        qs = qs.filter(subscription_id=subscription_id)
    return qs.order_by("-period_start", "-id")
