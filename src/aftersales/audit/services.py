"""Writing the audit log. Call inside the transaction of the change it records."""

from __future__ import annotations

from typing import Any

from django.db import models

from aftersales.accounts.models import User

from . import context
from .models import AuditEvent


def audit_record(
    *,
    action: str,
    obj: models.Model,
    actor: User | None = None,
    actor_label: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event for ``obj``. ``changes`` maps field → [before, after] or a detail."""
    ctx = context.current()
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor_label or (str(actor) if actor is not None else "system"),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
        ip_address=ctx.ip_address,
        request_id=ctx.request_id,
    )
