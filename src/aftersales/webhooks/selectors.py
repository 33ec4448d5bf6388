from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound

from .models import Attempt, Delivery, Subscription
from .services import _check_admin


def subscriptions_for_admin(*, user: User) -> QuerySet[Subscription]:
    _check_admin(user)
    return Subscription.objects.select_related("region", "owner").order_by("name", "id")


def subscription_get(*, user: User, subscription_id: int) -> Subscription:
    subscription = subscriptions_for_admin(user=user).filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound("webhook subscription")
    return subscription


def subscription_delivery_log(*, user: User, subscription: Subscription, limit: int = 50) -> list[Delivery]:
    """The latest deliveries of a subscription, each with its attempts (newest first)."""
    _check_admin(user)
    return list(
        Delivery.objects.filter(subscription=subscription)
        .select_related("event")
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("-number")))
        .order_by("-created_at", "-id")[:limit]
    )
