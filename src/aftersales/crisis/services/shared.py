"""What the crisis services share: the merge windows, locking a row and checking its version,
bumping the version, the staff who watch alerts, cleaning a typed text, and the webhooks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.webhooks.services import webhook_emit

from ..models import Alert, Crisis

MERGE_OVERLAP = 0.5  # a detection whose tickets are at least half in an open alert joins it
MERGE_WINDOW = dt.timedelta(hours=48)
QUIET_AFTER_DISMISSAL = dt.timedelta(hours=24)
NOTIFY_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.QUALITY_MANAGER)


def stale(thing: Any) -> Conflict:
    return Conflict(_("This was changed by someone else; reload and try again."), code="stale_version")


def lock_alert(alert_id: int, expected_version: int | None) -> Alert:
    locked = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if locked is None:
        raise NotFound(_("No such alert."), code="not_found")
    if expected_version is not None and locked.version != expected_version:
        raise stale(locked)
    return locked


def lock_crisis(crisis_id: int, expected_version: int | None) -> Crisis:
    locked = Crisis.objects.select_for_update().filter(pk=crisis_id).first()
    if locked is None:
        raise NotFound(_("No such crisis."), code="not_found")
    if expected_version is not None and locked.version != expected_version:
        raise stale(locked)
    return locked


def bump(obj: Alert | Crisis, now: dt.datetime, **changes: Any) -> None:
    type(obj).objects.filter(pk=obj.pk).update(**changes, updated_at=now, version=F("version") + 1)
    obj.refresh_from_db()


def watchers(region_id: int | None) -> list[User]:
    """Who hears of a new alert: supervisors, quality managers and administrators whose scope covers it."""
    qs = User.objects.filter(is_active=True, role__in=NOTIFY_ROLES)
    if region_id is not None:
        qs = qs.filter(Q(data_scope=DataScope.ALL) | Q(region_id=region_id) | Q(region__isnull=True))
    return list(qs)


def clean_text(value: str, *, field: str, required: bool = True, limit: int = 5000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed({field: [_("This field is required.")]}, code="required")
    if len(text) > limit:
        raise ValidationFailed({field: [_("At most %(limit)d characters.") % {"limit": limit}]}, code="too_long")
    return text


def emit_webhook(event: str, crisis: Crisis, **extra: Any) -> None:
    """``crisis.opened`` / ``crisis.level_changed`` to the subscribers of the crisis's region
    (``webhook_emit`` refuses an event type ``webhooks.models.EventType`` does not declare)."""
    payload = {
        "crisis": crisis.pk,
        "code": crisis.code,
        "status": crisis.status,
        "level": crisis.level.code,
        "type": crisis.crisis_type,
        "drill": crisis.is_drill,
        **extra,
    }
    webhook_emit(event=event, payload=payload, region=crisis.region)
