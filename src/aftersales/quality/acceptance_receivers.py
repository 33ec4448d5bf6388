"""The quality app's side of the acceptance of results (``tickets.process.acceptance`` sends
these hooks inside the ticket's transaction): the rule, the record, its checklist, the audit."""

from __future__ import annotations

import datetime as dt

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.tickets.models import Ticket

from .acceptance_checklist import checklist_states
from .acceptance_models import AcceptanceDecision, AcceptanceVia, ResultAcceptance
from .acceptance_rules import current_rule, reasons_for
from .audit_actions import QualityAudit


def acceptance_needed(*, ticket: Ticket) -> list[str]:
    return reasons_for(ticket, current_rule())


def _pending(ticket: Ticket) -> ResultAcceptance | None:
    return ResultAcceptance.objects.select_for_update().filter(ticket=ticket, decision=AcceptanceDecision.PENDING).first()


def acceptance_requested(*, ticket: Ticket, via: str, reasons: list[str], now: dt.datetime) -> ResultAcceptance:
    stale = _pending(ticket)
    if stale is not None:  # not expected: a wait ends with a decision or a withdrawal
        _withdraw(stale, now)
    record = ResultAcceptance.objects.create(ticket=ticket, requested_at=now, requested_via=via, reasons=list(reasons))
    audit_record(
        action=QualityAudit.ACCEPTANCE_REQUESTED, obj=record, changes={"ticket": ticket.number, "via": via, "reasons": reasons}
    )
    return record


def acceptance_decided(*, ticket: Ticket, actor: User, accepted: bool, comment: str, now: dt.datetime) -> ResultAcceptance:
    record = _pending(ticket)
    if record is None:  # a ticket moved to the status by hand (the transition service alone)
        record = ResultAcceptance.objects.create(ticket=ticket, requested_at=now, requested_via=AcceptanceVia.STAFF)
    record.checklist = checklist_states([ticket.pk])[ticket.pk]
    record.decision = AcceptanceDecision.ACCEPTED if accepted else AcceptanceDecision.RETURNED
    record.decided_by = actor
    record.decided_at = now
    record.comment = comment
    record.save(update_fields=["checklist", "decision", "decided_by", "decided_at", "comment"])
    audit_record(
        action=QualityAudit.ACCEPTANCE_ACCEPTED if accepted else QualityAudit.ACCEPTANCE_RETURNED,
        obj=record,
        actor=actor,
        changes={"ticket": ticket.number, "checklist": record.checklist, "comment": comment},
    )
    return record


def _withdraw(record: ResultAcceptance, now: dt.datetime) -> None:
    record.decision = AcceptanceDecision.WITHDRAWN
    record.decided_at = now
    record.save(update_fields=["decision", "decided_at"])
    audit_record(action=QualityAudit.ACCEPTANCE_WITHDRAWN, obj=record, changes={"ticket_id": record.ticket_id})


def acceptance_withdrawn(*, ticket: Ticket, now: dt.datetime) -> None:
    record = _pending(ticket)
    if record is not None:
        _withdraw(record, now)
