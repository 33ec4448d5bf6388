"""Writing the audit log. Call inside the transaction of the change it records."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, connection, models, transaction

from aftersales.accounts.models import User
from aftersales.core.i18n import ACTOR_SYSTEM

from . import context
from .actions import AuditAction
from .models import AuditEvent

logger = logging.getLogger("aftersales.audit")

# Every call site passes an enumeration member: a plain string is refused.
STRICT_ACTIONS = True


def audit_record(
    *,
    action: AuditAction,
    obj: models.Model,
    actor: User | None = None,
    actor_label: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event for ``obj``. ``changes`` maps field → [before, after] or a detail.

    ``action`` is a member of a domain's ``AuditAction`` enumeration (``<app>/audit_actions.py``),
    never a free string."""
    if STRICT_ACTIONS and not isinstance(action, AuditAction):
        raise TypeError(f"audit action {action!r} is not declared in an AuditAction enumeration")
    ctx = context.current()
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        # Without a user: a code ("system", "channel:hotline"), said in the reader's language.
        actor_label=actor_label or (str(actor) if actor is not None else ACTOR_SYSTEM),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes or {},
        ip_address=ctx.ip_address,
        request_id=ctx.request_id,
    )


def audit_record_many(
    *,
    action: AuditAction,
    object_type: str,
    entries: Iterable[tuple[object, str, dict[str, Any]]],
    actor: User | None = None,
    actor_label: str = "",
) -> int:
    """Append one audit event per record of a bulk write (an import's chunk): ``entries`` are
    (object id, object's text, changes) of records of one model (``object_type``, its
    ``_meta.label_lower``). One statement per 1,000 rows; returns how many were written."""
    if STRICT_ACTIONS and not isinstance(action, AuditAction):
        raise TypeError(f"audit action {action!r} is not declared in an AuditAction enumeration")
    ctx = context.current()
    label = actor_label or (str(actor) if actor is not None else ACTOR_SYSTEM)
    rows = [
        AuditEvent(
            actor=actor if actor is not None and actor.pk else None,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_repr=text[:200],
            changes=changes,
            ip_address=ctx.ip_address,
            request_id=ctx.request_id,
        )
        for object_id, text, changes in entries
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def audit_record_view(
    *,
    action: AuditAction,
    obj: models.Model,
    actor: User | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append the audit event of *reading* personal data (a page that shows it), outside any
    change.

    On PostgreSQL it commits without waiting for the write-ahead log to reach the disk
    (``synchronous_commit = off`` for its own transaction only): a page view does not wait for a
    disk flush, and a database crash in the following fraction of a second (at most three times
    ``wal_writer_delay``, 600 ms by default) could lose the row, never corrupt anything. Rows of
    changes (``audit_record``) are written in the change's own transaction, durably."""
    outermost = not connection.in_atomic_block
    with transaction.atomic(savepoint=False):  # inside a change: part of it, no savepoint
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit = off")
        return audit_record(action=action, obj=obj, actor=actor, changes=changes)


def audit_record_refusal(
    *,
    action: AuditAction,
    actor: User | None,
    path: str,
    method: str = "GET",
    status: int = 403,
    actor_label: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Append the audit event of a refused access attempt (403/404 on a scoped object, a
    throttled lookup, a locked-out sign-in), recorded against the request, outside any change.

    Never raises for a database error: a refusal is answered even while the log cannot be
    written (the row is then lost, and the error logged)."""
    ctx = context.current()
    changes: dict[str, Any] = {"status": status, "method": method, "path": path[:500]}
    changes.update(detail or {})
    try:
        with transaction.atomic():
            return AuditEvent.objects.create(
                actor=actor if actor is not None and actor.pk else None,
                actor_label=(actor_label or (str(actor) if actor is not None and actor.pk else ACTOR_SYSTEM))[:128],
                action=action,
                object_type="request",
                object_id=path[:64],
                object_repr=f"{method} {path}"[:200],
                changes=changes,
                ip_address=ctx.ip_address,
                request_id=ctx.request_id,
            )
    except DatabaseError:
        logger.exception("could not record the refusal of %s %s", method, path)
        return None
