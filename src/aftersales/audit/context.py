"""Who is acting, for the audit log, carried through the request without passing it everywhere."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    ip_address: str | None = None
    request_id: str = ""


_EMPTY = AuditContext()
_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("audit_context", default=None)


def current() -> AuditContext:
    return _current.get() or _EMPTY


def set_current(ctx: AuditContext) -> contextvars.Token[AuditContext | None]:
    return _current.set(ctx)


def reset(token: contextvars.Token[AuditContext | None]) -> None:
    _current.reset(token)
