"""Reads of the crisis app, scoped to the caller (``permissions``): nothing for a customer or a
role that does not handle crises; a regional supervisor sees their region's alerts and crises
and those without a region."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import NotFound
from aftersales.tickets.models import Ticket

from .models import Alert, AlertStatus, Crisis, CrisisLevel
from .permissions import can_manage, sees_all_regions
from .states import OPEN_STATUSES


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    qs = Alert.objects.select_related("region", "product_model", "crisis")
    if not can_manage(user):
        return qs.none()
    if sees_all_regions(user):
        return qs
    return qs.filter(Q(region_id=user.region_id) | Q(region__isnull=True))


def crises_visible_to(user: User) -> QuerySet[Crisis]:
    qs = Crisis.objects.select_related("level", "plan", "region")
    if not can_manage(user):
        return qs.none()
    if sees_all_regions(user):
        return qs
    return qs.filter(Q(region_id=user.region_id) | Q(region__isnull=True))


def alert_get_for_user(*, user: User, alert_id: int) -> Alert:
    alert = alerts_visible_to(user).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(_not_found(), code="not_found")
    return alert


def crisis_get_for_user(*, user: User, crisis_id: int) -> Crisis:
    crisis = crises_visible_to(user).filter(pk=crisis_id).first()
    if crisis is None:
        raise NotFound(_not_found(), code="not_found")
    return crisis


def _not_found() -> Any:
    return _("Not found, or not yours to see.")


def alert_tickets(alert: Alert) -> QuerySet[Ticket]:
    return alert.tickets.select_related("product_model", "region").order_by("created_at", "pk")


def crisis_tickets(crisis: Crisis) -> QuerySet[Ticket]:
    return crisis.tickets.select_related("product_model", "region", "customer").order_by("created_at", "pk")


def board_figures(user: User, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The live figures of the board: open alerts by kind, open crises by level, tickets linked
    to open crises, and the last 30 days (drills left out of every statistic)."""
    now = now or clock.now()
    alerts = alerts_visible_to(user)
    crises = crises_visible_to(user)
    open_crises = crises.filter(status__in=OPEN_STATUSES, is_drill=False)
    since = now - dt.timedelta(days=30)
    return {
        "open_alerts": alerts.filter(status=AlertStatus.OPEN).count(),
        "open_crises": open_crises.count(),
        "open_drills": crises.filter(status__in=OPEN_STATUSES, is_drill=True).count(),
        "tickets_in_crises": Ticket.objects.filter(crises__in=open_crises).distinct().count(),
        "crises_30_days": crises.filter(is_drill=False, detected_at__gte=since).count(),
        "alerts_30_days": alerts.filter(opened_at__gte=since).count(),
        "dismissed_30_days": alerts.filter(opened_at__gte=since, status=AlertStatus.DISMISSED).count(),
        "by_level": [{"level": level, "count": open_crises.filter(level=level).count()} for level in CrisisLevel.objects.all()],
    }
