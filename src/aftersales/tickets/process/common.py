"""Shared steps of every process service: lock, version check, permission, timeline, audit."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed

from ..audit_actions import TicketAudit
from ..choices import EventKind
from ..locking import check_version, lock_ticket
from ..models import Ticket, TicketEvent
from ..permissions import ticket_check_action
from ..services import ticket_transition
from ..states import FINAL_STATUSES, TicketStatus

MAX_TEXT = 20000


def lock_for_action(*, ticket: Ticket, actor: User | None, action: str, expected_version: int | None) -> Ticket:
    """Lock the ticket row, then check version, permission and status, in that order.

    ``actor=None`` is the system (scheduled jobs, a survey answered through its signed link):
    no user permission applies, but a final ticket still refuses every change.
    """
    locked = lock_ticket(ticket.pk)
    check_version(locked, expected_version)
    if actor is not None:
        ticket_check_action(user=actor, ticket=locked, action=action)
    elif locked.status in FINAL_STATUSES:
        raise DomainError(_("This ticket is closed and read-only; add a note instead."), code="ticket_final", field="status")
    return locked


def move(*, ticket: Ticket, to: TicketStatus, actor: User | None, reason: str = "", public: bool = True) -> Ticket:
    """Change the status through the one door, at the version just checked under the lock."""
    if ticket.status == to:
        return ticket
    return ticket_transition(
        ticket=ticket, to_status=to, actor=actor, reason=reason, expected_version=ticket.version, public=public
    )


def save_fields(
    *,
    ticket: Ticket,
    actor: User | None,
    action: str,
    changes: dict[str, Any],
    body: str = "",
    public: bool = False,
    kind: str = EventKind.FIELD_CHANGED,
    data: dict[str, Any] | None = None,
) -> Ticket:
    """Write ``changes`` to the locked ticket, raise its version, add a timeline entry and audit."""
    now = clock.now()
    before = {name: _plain(getattr(ticket, name)) for name in changes}
    Ticket.objects.filter(pk=ticket.pk).update(**changes, updated_at=now, version=F("version") + 1)
    after = {name: _plain(value) for name, value in changes.items()}
    timeline(
        ticket=ticket, actor=actor, body=body, public=public, kind=kind, data={"action": action, **(data or {}), "fields": after}
    )
    audit_record(
        action=TicketAudit(f"ticket.{action}"),
        obj=ticket,
        actor=actor,
        changes={name: [before[name], after[name]] for name in changes if before[name] != after[name]},
    )
    ticket.refresh_from_db()
    return ticket


def timeline(
    *,
    ticket: Ticket,
    actor: User | None,
    body: str = "",
    public: bool = False,
    kind: str = EventKind.NOTE,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_label=str(actor) if actor is not None else "system",
        public=public,
        body=body,
        data=data or {},
        created_at=clock.now(),
    )


def required_text(value: str, *, field: str, message: Any, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed({field: [message]}, code=f"{field}_required")
    if len(text) > limit:
        raise ValidationFailed({field: [_("At most %(limit)d characters.") % {"limit": limit}]}, code=f"{field}_too_long")
    return text


def optional_text(value: str, *, field: str, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationFailed({field: [_("At most %(limit)d characters.") % {"limit": limit}]}, code=f"{field}_too_long")
    return text


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value for the audit log and the timeline."""
    if isinstance(value, Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
