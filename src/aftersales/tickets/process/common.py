"""Shared steps of every process service: lock, version check, permission, timeline, audit."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.core.i18n import ACTOR_SYSTEM, TEXT_KEY, Deferred, frozen

from ..audit_actions import TicketAudit
from ..choices import EventKind
from ..locking import check_version, lock_ticket
from ..models import Ticket, TicketEvent
from ..permissions import ticket_check_action
from ..services import ticket_transition
from ..services.timeline import archived_refusal
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
        raise archived_refusal(locked.status)
    return locked


def move(
    *,
    ticket: Ticket,
    to: TicketStatus,
    actor: User | None,
    reason: str = "",
    public: bool = True,
    text: Deferred | None = None,
) -> Ticket:
    """Change the status through the one door, at the version just checked under the lock.
    ``reason``: what a person typed; ``text``: the system's words when nobody typed any."""
    if ticket.status == to:
        return ticket
    return ticket_transition(
        ticket=ticket,
        to_status=to,
        actor=actor,
        reason=reason,
        expected_version=ticket.version,
        public=public,
        text=None if reason else text,
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
    text: Deferred | None = None,
) -> Ticket:
    """Write ``changes`` to the locked ticket, raise its version, add a timeline entry and audit.
    ``body``: what a person typed; ``text``: the system's words (``timeline``)."""
    now = clock.now()
    before = {name: _plain(getattr(ticket, name)) for name in changes}
    Ticket.objects.filter(pk=ticket.pk).update(**changes, updated_at=now, version=F("version") + 1)
    after = {name: _plain(value) for name, value in changes.items()}
    timeline(
        ticket=ticket,
        actor=actor,
        body=body,
        public=public,
        kind=kind,
        data={"action": action, **(data or {}), "fields": after},
        text=text,
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
    text: Deferred | None = None,
) -> TicketEvent:
    """A timeline entry. ``body``: what a person typed, kept as typed. ``text``: what the system
    says (``core.i18n.deferred``), stored as its message and read in the reader's language; the
    body then keeps its rendering in the site's language for search (``frozen``)."""
    stored = dict(data or {})
    if text is not None:
        stored[TEXT_KEY] = text
        body = body or frozen(text)
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_label=str(actor) if actor is not None else ACTOR_SYSTEM,
        public=public,
        body=body,
        data=stored,
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
