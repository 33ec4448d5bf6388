"""Who is calling: a user, through an API key (narrowed by scopes and region) or the session."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import PermissionDenied

from .models import ALL_SCOPES, ApiKey


@dataclass(frozen=True)
class Caller:
    user: User
    key: ApiKey | None
    scopes: frozenset[str]

    @classmethod
    def from_key(cls, key: ApiKey) -> Caller:
        return cls(user=key.owner, key=key, scopes=frozenset(key.scopes))

    @classmethod
    def from_session(cls, user: User) -> Caller:
        # The pages' own calls act with everything the signed-in user may do.
        return cls(user=user, key=None, scopes=frozenset(ALL_SCOPES))

    @property
    def region_id(self) -> int | None:
        return self.key.region_id if self.key is not None else None

    @property
    def idempotency_owner(self) -> str:
        return f"key:{self.key.pk}" if self.key is not None else f"user:{self.user.pk}"

    @property
    def rate_limit_id(self) -> str:
        return self.idempotency_owner

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise PermissionDenied(_("This API key lacks the scope “%(scope)s”.") % {"scope": scope}, code="scope_missing")

    def require_staff(self) -> None:
        if self.user.is_customer:
            raise PermissionDenied(_("Only staff may use this."), code="staff_only")
