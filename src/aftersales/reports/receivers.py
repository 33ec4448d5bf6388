"""What the scheduled reports do when a lower app's change sets them off (``core.hooks``): the
staff handover (``accounts.effects``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User

from .models import ReportSubscription
from .services import report_subscription_set_active

KIND = "report_subscriptions"


def staff_holdings(*, user: User) -> list[Holding]:
    """``STAFF_HOLDINGS``: the active subscriptions ``user`` owns (their files are what the
    owner may export: nobody else's scope takes them over)."""
    count = ReportSubscription.objects.filter(owner=user, active=True).count()
    return [Holding(kind=KIND, label=_("Scheduled reports subscribed"), count=count, url=reverse("reports:list"))]


def staff_leaving(*, user: User, successor: User | None, actor: User, now: dt.datetime) -> list[Holding]:
    """``STAFF_LEAVING``: each active subscription paused (audited as a pause by hand; the
    successor may subscribe to the same report in their own name)."""
    subscriptions = list(ReportSubscription.objects.filter(owner=user, active=True).order_by("pk"))
    for subscription in subscriptions:
        report_subscription_set_active(actor=actor, subscription=subscription, active=False)
    return [Holding(kind=KIND, label=_("Scheduled reports, paused"), count=len(subscriptions), url=reverse("reports:list"))]
