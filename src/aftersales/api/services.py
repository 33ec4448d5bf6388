"""Writes of the API app: API keys (create, revoke, authenticate) and idempotency records."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound, ValidationFailed
from aftersales.core.idempotency import INTAKE
from aftersales.core.models import IdempotencyRecord

from .audit_actions import ApiKeyAudit
from .models import ALL_SCOPES, ApiKey, KeyKind, Scope

KEY_PREFIX = "ask_"
PREFIX_LENGTH = len(KEY_PREFIX) + 8  # "ask_" + 8 characters [a-z0-9]
LAST_USED_PRECISION = dt.timedelta(minutes=1)
STAFF_ONLY_SCOPES = frozenset(
    {
        Scope.CUSTOMERS_READ,
        Scope.CUSTOMERS_WRITE,
        Scope.WORKORDERS_READ,
        Scope.WORKORDERS_WRITE,
        Scope.STOCK_READ,
        Scope.STOCK_WRITE,
        Scope.OUTLETS_READ,
        Scope.OUTLETS_WRITE,
        Scope.TRAVEL_READ,
        Scope.TRAVEL_WRITE,
        Scope.CALENDARS_READ,
        Scope.CALENDARS_WRITE,
        Scope.STAFF_READ,
        Scope.STAFF_WRITE,
    }
)
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits


def hash_secret(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedKey:
    """The stored key and the whole secret, which exists only in this object: show it once."""

    key: ApiKey
    secret: str


def _clean_scopes(scopes: Iterable[str], owner: User) -> list[str]:
    chosen = sorted({s.strip() for s in scopes if s and s.strip()})
    unknown = [s for s in chosen if s not in ALL_SCOPES]
    if unknown:
        raise ValidationFailed(
            {"scopes": [_("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}]}, code="api_key_scope_unknown"
        )
    if not chosen:
        raise ValidationFailed({"scopes": [_("Choose at least one scope.")]}, code="api_key_scope_missing")
    refused = [scope for scope in chosen if scope in STAFF_ONLY_SCOPES]
    if owner.is_customer and refused:
        raise ValidationFailed(
            {"scopes": [_("A customer's key cannot have staff-only scopes: %(scopes)s.") % {"scopes": ", ".join(refused)}]},
            code="api_key_scope_not_allowed",
        )
    return chosen


@transaction.atomic
def api_key_create(
    *,
    name: str,
    owner: User,
    scopes: Iterable[str],
    actor: User | None,
    region: Region | None = None,
    rate_limit_per_minute: int | None = None,
    raw_key: str | None = None,
    kind: str = KeyKind.INTEGRATION,
    expires_at: dt.datetime | None = None,
    audit_changes: dict[str, Any] | None = None,
) -> CreatedKey:
    """Create a key acting as ``owner``, narrowed by ``scopes`` and ``region``.

    ``raw_key`` is only for the local demo key (a known value); everything else gets a random
    256-bit secret. Only the prefix and the SHA-256 of the key are stored. ``kind`` and
    ``expires_at``: an app's sign-in (``api.signin``), whose audit row adds ``audit_changes``.
    """
    text = (name or "").strip()
    if not text:
        raise ValidationFailed({"name": [_("Name the key after the integration that uses it.")]}, code="api_key_name")
    if len(text) > 100:
        raise ValidationFailed({"name": [_("At most %(limit)d characters.") % {"limit": 100}]}, code="api_key_name")
    if not owner.is_active:
        raise ValidationFailed({"owner": [_("The owner must be an active user.")]}, code="api_key_owner_inactive")
    if region is not None and owner.is_customer:
        raise ValidationFailed({"region": [_("A customer's key cannot be limited to a region.")]}, code="api_key_region")
    if rate_limit_per_minute is not None and not 1 <= rate_limit_per_minute <= 100_000:
        raise ValidationFailed({"rate_limit_per_minute": [_("Between 1 and 100,000.")]}, code="api_key_rate_limit")
    chosen = _clean_scopes(scopes, owner)
    if raw_key is None:
        prefix = KEY_PREFIX + "".join(secrets.choice(_PREFIX_ALPHABET) for _i in range(PREFIX_LENGTH - len(KEY_PREFIX)))
        raw_key = f"{prefix}_{secrets.token_urlsafe(32)}"
    else:
        prefix = raw_key[:PREFIX_LENGTH]
        if not raw_key.startswith(KEY_PREFIX) or raw_key[PREFIX_LENGTH : PREFIX_LENGTH + 1] != "_":
            raise ValidationFailed({"key": [_("Not a valid key format.")]}, code="api_key_format")
    if ApiKey.objects.filter(prefix=prefix).exists():
        raise DomainError(_("A key with this prefix exists already."), code="api_key_exists", field="key")
    key = ApiKey.objects.create(
        name=text,
        owner=owner,
        prefix=prefix,
        secret_hash=hash_secret(raw_key),
        scopes=chosen,
        region=region,
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=actor,
        created_at=clock.now(),
        kind=kind,
        expires_at=expires_at,
    )
    changes: dict[str, Any] = {"owner": owner.pk, "scopes": chosen, "region": region.pk if region else None}
    if kind != KeyKind.INTEGRATION:
        changes.update({"kind": kind, "expires_at": expires_at.isoformat() if expires_at else None, **(audit_changes or {})})
    audit_record(action=ApiKeyAudit.KEY_CREATED, obj=key, actor=actor, changes=changes)
    return CreatedKey(key=key, secret=raw_key)


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User | None, reason: str = "") -> ApiKey:
    """Revoke ``key`` at once; revoking twice changes nothing. ``reason``: why, when the system
    revokes it (``device_limit``: a customer's new sign-in past ``API_SIGNIN_TOKENS_PER_CUSTOMER``)."""
    if key.revoked_at is not None:
        return key
    now = clock.now()
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now)
    key.revoked_at = now
    audit_record(action=ApiKeyAudit.KEY_REVOKED, obj=key, actor=actor, changes={"reason": reason} if reason else None)
    return key


def api_key_revoke_by_prefix(*, prefix: str, actor: User | None) -> ApiKey:
    key = ApiKey.objects.filter(prefix=(prefix or "").strip()[:PREFIX_LENGTH]).first()
    if key is None:
        raise NotFound(_("No API key has this prefix."), code="api_key_not_found")
    return api_key_revoke(key=key, actor=actor)


class KeyRefusal(StrEnum):
    """Why a key is refused (the 401's ``code``): told apart only once the whole secret matched,
    so nobody learns more about a key than its holder."""

    INVALID = "invalid_api_key"  # unknown, wrong secret, owner deactivated, or deleted after revocation
    REVOKED = "api_key_revoked"
    EXPIRED = "api_key_expired"


@dataclass(frozen=True)
class KeyCheck:
    """The key the secret names, or ``None`` with the ``refusal`` (its ``stored`` key, where the
    secret matched one, says which kind was refused)."""

    key: ApiKey | None
    refusal: KeyRefusal | None = None
    stored: ApiKey | None = None


def api_key_check(*, raw_key: str) -> KeyCheck:
    """The active key whose secret is ``raw_key``, else why not. The comparison takes constant
    time; ``last_used_at`` is written at most once a minute per key."""
    raw = (raw_key or "").strip()
    if len(raw) <= PREFIX_LENGTH or len(raw) > 200 or not raw.startswith(KEY_PREFIX):
        return KeyCheck(None, KeyRefusal.INVALID)
    key = ApiKey.objects.select_related("owner", "region").filter(prefix=raw[:PREFIX_LENGTH]).first()
    if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(raw)):
        return KeyCheck(None, KeyRefusal.INVALID)
    if not key.owner.is_active:
        return KeyCheck(None, KeyRefusal.INVALID)
    if key.revoked_at is not None:
        return KeyCheck(None, KeyRefusal.REVOKED, stored=key)
    now = clock.now()
    if key.expired(now):
        return KeyCheck(None, KeyRefusal.EXPIRED, stored=key)
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return KeyCheck(key)


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key whose secret is ``raw_key``, or ``None`` (also once revoked or expired)."""
    return api_key_check(raw_key=raw_key).key


def idempotency_keep_days() -> int:
    """How long ``Idempotency-Key`` responses are kept (API_IDEMPOTENCY_KEEP_DAYS, default 7)."""
    return max(1, int(getattr(settings, "API_IDEMPOTENCY_KEEP_DAYS", 7)))


def idempotency_records_purge(*, keep_days: int | None = None) -> int:
    """Delete the kept API responses older than ``keep_days``; a retry after that creates anew.
    Intake keys (owner ``intake``) stay with their tickets. Deletes in batches so a large backlog
    does not hold one long transaction."""
    days = keep_days if keep_days is not None else idempotency_keep_days()
    cutoff = clock.now() - dt.timedelta(days=days)
    total = 0
    while True:
        ids = list(
            IdempotencyRecord.objects.filter(created_at__lt=cutoff)
            .exclude(owner=INTAKE)
            .order_by("id")
            .values_list("id", flat=True)[:1000]
        )
        if not ids:
            return total
        deleted, _rows = IdempotencyRecord.objects.filter(id__in=ids).delete()
        total += deleted
