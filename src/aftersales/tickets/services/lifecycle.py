"""A ticket's status and owner: the one door for every status change, and assignment."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.notifications.services import notify_staff

from ..audit_actions import TicketAudit
from ..choices import EventKind
from ..counts import ticket_counts_change
from ..effects import TICKET_STATUS_CHANGED
from ..locking import check_version, lock_ticket
from ..models import Ticket, TicketEvent
from ..states import FINAL_STATUSES, TicketStatus, can_transition


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    to_status: TicketStatus | str,
    actor: User | None,
    reason: str = "",
    expected_version: int | None = None,
    public: bool = True,
) -> Ticket:
    """Move ``ticket`` to ``to_status`` if the transition table allows it; record why."""
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
        actor_label=str(actor) if actor else "system",
        public=public,
        body=reason,
        data={"from": current.value, "to": target.value},
        created_at=now,
    )
    audit_record(action=TicketAudit.STATUS_CHANGED, obj=locked, actor=actor, changes={"status": [current.value, target.value]})
    # What a status change sets off (SLA clocks, the survey, webhooks): tickets/effects.py.
    TICKET_STATUS_CHANGED.send(ticket=locked, before=current, after=target, now=now)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: User | None, actor: User, expected_version: int | None = None) -> Ticket:
    locked = lock_ticket(ticket.pk)
    check_version(locked, expected_version)
    if locked.status in FINAL_STATUSES:
        raise DomainError(_("A closed ticket cannot be reassigned."), code="ticket_final", field="assignee")
    if assignee is not None and (assignee.is_customer or not assignee.is_active):
        raise ValidationFailed({"assignee": [_("Choose an active staff member.")]}, code="assignee_invalid")
    before = locked.assignee_id
    now = clock.now()
    updates: dict[str, Any] = {"assignee": assignee, "updated_at": now, "version": F("version") + 1}
    if locked.team_id is None and assignee is not None and assignee.team_id is not None:
        # The ticket joins the assignee's team, so the team lead's "team" scope sees it.
        updates["team_id"] = assignee.team_id
    Ticket.objects.filter(pk=locked.pk).update(**updates)
    TicketEvent.objects.create(
        ticket=locked,
        kind=EventKind.ASSIGNMENT,
        actor=actor,
        actor_label=str(actor),
        public=False,
        body=str(assignee) if assignee else "",
        data={"from": before, "to": assignee.pk if assignee else None},
        created_at=now,
    )
    audit_record(
        action=TicketAudit.ASSIGNED, obj=locked, actor=actor, changes={"assignee": [before, assignee.pk if assignee else None]}
    )
    if assignee is not None and assignee.pk != actor.pk:
        _notify_assignee(ticket=locked, assignee=assignee)
    locked.refresh_from_db()
    return locked


def _notify_assignee(*, ticket: Ticket, assignee: User) -> None:
    with translation.override(assignee.language or "zh-hans"):
        subject = _("Ticket %(number)s was assigned to you") % {"number": ticket.number}
        body = _("%(title)s — please contact the customer; the first response is due %(due)s.") % {
            "title": ticket.title,
            "due": clock.local_date(ticket.first_response_due_at) if ticket.first_response_due_at else "—",
        }
    notify_staff(users=[assignee], template="ticket_assigned", subject=str(subject), body=str(body), ticket=ticket)
