"""A ticket's status: the one door for every status change. (Assignment: ``services.assignment``;
``ticket_assign`` is re-exported here for the callers that import it from this module.)"""

from __future__ import annotations

import datetime as dt
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

# What a status change reads from the ticket (besides its id): the transition itself, the counts
# and the receivers of TICKET_STATUS_CHANGED (the SLA: priority and customer when a ticket is
# reopened; the survey and the webhooks read the row again themselves).
TRANSITION_READS = ("version", "status", "category_id", "region_id", "escalation_level", "priority", "customer_id")


def _transition_updates(ticket: Ticket, target: TicketStatus, now: dt.datetime) -> dict[str, Any]:
    updates: dict[str, Any] = {"status": target, "updated_at": now, "version": ticket.version + 1}
    if target == TicketStatus.RESOLVED:
        updates["resolved_at"] = now
    if target in FINAL_STATUSES:
        updates["closed_at"] = now
    if target == TicketStatus.REOPENED:
        updates["escalation_level"] = ticket.escalation_level + 1
        updates["closed_at"] = None
    return updates


def _moved_as_read(ticket: Ticket, *, target: TicketStatus, expected_version: int | None, now: dt.datetime) -> Ticket | None:
    """Change the status on the caller's copy without reading the row again, when the copy is
    what the row holds: the process steps lock the ticket, check it and pass it down. The UPDATE
    itself compares the row with the copy's values of everything the change reads
    (``TRANSITION_READS``) and takes the row lock (a compare-and-set). Returns the ticket as read
    (a new instance: the caller's copy stays as it was), or None, with nothing written, when the
    copy is not the row's or the checks refuse on the copy: then the row is read, locked, and
    decides, as always."""
    if ticket.pk is None or (expected_version is not None and ticket.version != expected_version):
        return None
    if not can_transition(ticket.status_enum, target):
        return None
    names = [field.attname for field in Ticket._meta.concrete_fields]
    if ticket.get_deferred_fields():
        return None
    expected = {name: getattr(ticket, name) for name in TRANSITION_READS}
    if not Ticket.objects.filter(pk=ticket.pk, **expected).update(**_transition_updates(ticket, target, now)):
        return None
    return Ticket.from_db(ticket._state.db, names, [getattr(ticket, name) for name in names])


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
    reader's language). A copy that is what the row holds (a process step's, read under its lock)
    is moved by one conditional UPDATE; any other is decided on the row, read locked."""
    target = TicketStatus(to_status)
    now = clock.now()
    locked = _moved_as_read(ticket, target=target, expected_version=expected_version, now=now)
    if locked is None:
        locked = lock_ticket(ticket.pk)
        check_version(locked, expected_version)
        if not can_transition(locked.status_enum, target):
            raise DomainError(
                _("A ticket cannot move from “%(current)s” to “%(target)s”.")
                % {"current": locked.status_enum.label, "target": target.label},
                code="illegal_transition",
                field="status",
            )
        Ticket.objects.filter(pk=locked.pk).update(**_transition_updates(locked, target, now))
    current = locked.status_enum
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
