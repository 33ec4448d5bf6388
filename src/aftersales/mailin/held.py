"""The held queue: what agents do with an email the intake could not place — release it onto a
ticket, make it a new ticket, or discard it — and who may read it (the data scope of the ticket it
relates to; a refused read is audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.audit_actions import AccessAudit
from aftersales.audit.services import audit_record, audit_record_refusal
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound, PermissionDenied
from aftersales.core.i18n import deferred
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.selectors import sees_every_ticket, ticket_get_for_user, tickets_visible_to

from . import parsing
from .audit_actions import MailinAudit
from .models import InboundMessage, InboundOutcome, InboundStatus
from .services import (
    _add_attachments,
    _add_customer_message,
    _create_ticket,
    _earlier_reason,
    _finish,
    _joined,
    _refused_reason,
    _set_reason,
)

if TYPE_CHECKING:
    from .parsing import ParsedMail


HELD_QUEUE_ROLES = {"agent", "supervisor", "quality_manager", "administrator"}


def handles_held_mail(actor: User) -> bool:
    """The held queue's people: agents, supervisors, quality managers, administrators."""
    return actor.is_superuser or (actor.role in HELD_QUEUE_ROLES and actor.is_active)


def _check_agent(actor: User) -> None:
    if not handles_held_mail(actor):
        raise PermissionDenied(_("Only agents handle held emails."), code="mailin_agents_only")


def may_read(actor: User, message: InboundMessage) -> bool:
    """A held (or any stored) email is read by the staff of the held queue whose data scope covers
    the ticket it relates to (a reply, a mail naming the ticket); one related to no ticket by all
    of them."""
    if message.ticket_id is None or sees_every_ticket(actor):
        return True
    return tickets_visible_to(actor).filter(pk=message.ticket_id).exists()


class HeldMailOutOfScope(NotFound):
    """The email exists but relates to a ticket outside the reader's data scope (answered as
    "not found": no existence leak)."""

    def __init__(self, message: InboundMessage) -> None:
        super().__init__("email not found", code="not_found")
        self.inbound = message


def mailin_record_refused_read(*, actor: User, message: InboundMessage, path: str, method: str) -> None:
    """Audit a refused attempt to read an email outside the reader's scope, as the audit log's
    refused access (``access.refused``), naming the email and its ticket; committed on its own,
    although the request then ends in "not found"."""
    audit_record_refusal(
        action=AccessAudit.REFUSED,
        actor=actor,
        path=path,
        method=method,
        status=404,
        detail={"inbound_message": message.pk, "ticket": message.ticket.number if message.ticket else None},
    )


def _lock_held(message: InboundMessage, *, actor: User, include_ignored: bool = True) -> InboundMessage:
    statuses = [InboundStatus.HELD, InboundStatus.IGNORED] if include_ignored else [InboundStatus.HELD]
    locked = InboundMessage.objects.select_for_update().filter(pk=message.pk).first()
    if locked is None or not may_read(actor, locked):
        raise NotFound(_("This email no longer exists."), code="mailin_not_found")
    if locked.status not in statuses or locked.outcome:
        raise DomainError(_("This email was already handled."), code="mailin_already_handled")
    return locked


def _parsed_or_refuse(message: InboundMessage) -> ParsedMail:
    try:
        return parsing.parse(bytes(message.raw))
    except Exception as exc:  # noqa: BLE001 - shown to the agent
        raise DomainError(
            _("This email cannot be read (%(reason)s); discard it or forward it as a new email.") % {"reason": exc},
            code="mailin_unreadable",
        ) from None


@transaction.atomic
def mailin_release_to_ticket(*, actor: User, message: InboundMessage, ticket_number: str) -> TicketEvent:
    """An agent decides the held email belongs on a ticket (one the agent can see)."""
    _check_agent(actor)
    locked = _lock_held(message, actor=actor)
    ticket = ticket_get_for_user(user=actor, number=(ticket_number or "").strip())
    mail = _parsed_or_refuse(locked)
    event = _add_customer_message(ticket=ticket, mail=mail, message=locked, released_by=actor)
    refused = _add_attachments(ticket=ticket, mail=mail, actor=actor)
    locked.handled_by = actor
    locked.save(update_fields=["handled_by"])
    _finish(
        locked,
        status=InboundStatus.PROCESSED,
        outcome=InboundOutcome.RELEASED,
        ticket=ticket,
        reason=_joined(_earlier_reason(locked), _refused_reason(refused)),
    )
    audit_record(action=MailinAudit.RELEASED, obj=locked, actor=actor, changes={"ticket": ticket.number})
    return event


@transaction.atomic
def mailin_make_ticket(*, actor: User, message: InboundMessage) -> Ticket:
    """An agent registers the held email as a new ticket (the customer is told its number)."""
    _check_agent(actor)
    locked = _lock_held(message, actor=actor)
    mail = _parsed_or_refuse(locked)
    ticket = _create_ticket(mail=mail, message=locked, actor=actor)
    refused = _add_attachments(ticket=ticket, mail=mail, actor=actor)
    locked.handled_by = actor
    locked.save(update_fields=["handled_by"])
    _finish(
        locked,
        status=InboundStatus.PROCESSED,
        outcome=InboundOutcome.TICKET_CREATED,
        ticket=ticket,
        reason=_joined(_earlier_reason(locked), _refused_reason(refused)),
    )
    audit_record(action=MailinAudit.TICKET_CREATED, obj=locked, actor=actor, changes={"ticket": ticket.number})
    return ticket


@transaction.atomic
def mailin_discard(*, actor: User, message: InboundMessage, note: str = "") -> InboundMessage:
    """An agent discards a held email; the raw message stays stored."""
    _check_agent(actor)
    locked = _lock_held(message, actor=actor, include_ignored=False)
    locked.status = InboundStatus.IGNORED
    locked.outcome = InboundOutcome.DISCARDED
    locked.handled_by = actor
    note = note.strip()[:500]
    if note:
        discarded = deferred(_("Discarded by %(user)s: %(note)s"), user=str(actor), note=note)
    else:
        discarded = deferred(_("Discarded by %(user)s."), user=str(actor))
    _set_reason(locked, _joined(_earlier_reason(locked), discarded))
    locked.processed_at = clock.now()
    locked.save(update_fields=["status", "outcome", "handled_by", "reason", "reason_text", "processed_at"])
    audit_record(action=MailinAudit.DISCARDED, obj=locked, actor=actor, changes={"note": note})
    return locked
