"""A ticket's status: the one door for every status change. (Assignment: ``services.assignment``;
``ticket_assign`` is re-exported here for the callers that import it from this module.)"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.core.i18n import ACTOR_SYSTEM, TEXT_KEY, Deferred, frozen

from ..audit_actions import TicketAudit
from ..choices import EventKind
from ..counts import ticket_counts_change
from ..effects import TICKET_STATUS_CHANGED
from ..locking import check_version, lock_ticket
from ..models import Ticket, TicketEvent
from ..states import FINAL_STATUSES, TicketStatus, can_transition
from .assignment import ticket_assign

__all__ = ["ticket_assign", "ticket_transition"]


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    to_status: TicketStatus | str,
    actor: User | None,
    reason: str = "",
    expected_version: int | None = None,
    public: bool = True,
    text: Deferred | None = None,
) -> Ticket:
    """Move ``ticket`` to ``to_status`` if the transition table allows it; record why: ``reason``
    as a person typed it, or ``text``, the system's words (``core.i18n.deferred``, read in the
    reader's language)."""
    locked = lock_ticket(ticket.pk)
    check_version(locked, expected_version)
    target = TicketStatus(to_status)
    current = locked.status_enum
    if not can_transition(current, target):
        raise DomainError(
            _("A ticket cannot move from “%(current)s” to “%(target)s”.") % {"current": current.label, "target": target.label},
            code="illegal_transition",
            field="status",
        )
    now = clock.now()
    updates: dict[str, Any] = {"status": target, "updated_at": now, "version": locked.version + 1}
    if target == TicketStatus.RESOLVED:
        updates["resolved_at"] = now
    if target in FINAL_STATUSES:
        updates["closed_at"] = now
    if target == TicketStatus.REOPENED:
        updates["escalation_level"] = locked.escalation_level + 1
        updates["closed_at"] = None
    Ticket.objects.filter(pk=locked.pk).update(**updates)
    ticket_counts_change(
        before=(current.value, locked.category_id, locked.region_id), after=(target.value, locked.category_id, locked.region_id)
    )
    TicketEvent.objects.create(
        ticket=locked,
        kind=EventKind.STATUS_CHANGED,
        actor=actor,
        actor_label=str(actor) if actor else ACTOR_SYSTEM,
        public=public,
        body=reason or (frozen(text) if text else ""),
        data={"from": current.value, "to": target.value, **({TEXT_KEY: text} if text and not reason else {})},
        created_at=now,
    )
    audit_record(action=TicketAudit.STATUS_CHANGED, obj=locked, actor=actor, changes={"status": [current.value, target.value]})
    # What a status change sets off (SLA clocks, the survey, webhooks): tickets/effects.py.
    TICKET_STATUS_CHANGED.send(ticket=locked, before=current, after=target, now=now)
    locked.refresh_from_db()
    return locked
