"""What the API app does when a lower app's change sets it off (``core.hooks``): the staff
handover (``accounts.effects``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User

from .models import ApiKey
from .services import api_key_revoke

KIND = "api_keys"


def _url(user: User) -> str:
    return reverse("admin:api_apikey_changelist") + f"?owner__id__exact={user.pk}"


def staff_holdings(*, user: User) -> list[Holding]:
    """``STAFF_HOLDINGS``: the API keys acting as ``user`` that are not revoked."""
    count = ApiKey.objects.filter(owner=user, revoked_at__isnull=True).count()
    return [Holding(kind=KIND, label=_("API keys in use"), count=count, url=_url(user))]


def staff_leaving(*, user: User, successor: User | None, actor: User, now: dt.datetime) -> list[Holding]:
    """``STAFF_LEAVING``: every key revoked (a key acts as its owner: it is never handed on; the
    integration gets a new key in the successor's name)."""
    keys = list(ApiKey.objects.filter(owner=user, revoked_at__isnull=True).order_by("pk"))
    for key in keys:
        api_key_revoke(key=key, actor=actor)
    return [Holding(kind=KIND, label=_("API keys, revoked"), count=len(keys), url=_url(user))]
