"""Reads of exports: a user's own exports only."""

from __future__ import annotations

from django.db.models import QuerySet

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound

from .models import Export


def exports_for_user(*, user: User, limit: int = 50) -> QuerySet[Export]:
    return Export.objects.filter(user=user).order_by("-created_at", "-pk")[:limit]


def export_get_for_owner(*, user: User, export_id: int) -> Export:
    """The export ``export_id`` if ``user`` requested it; ``NotFound`` otherwise (another user's
    export answers exactly like a missing one)."""
    export = Export.objects.filter(pk=export_id, user=user).first() if user.is_authenticated else None
    if export is None:
        raise NotFound("export", code="export_not_found")
    return export
