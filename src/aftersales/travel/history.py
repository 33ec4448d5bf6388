"""A document's history as its page shows it: the audit rows, each action said in the reader's
language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.audit.models import AuditEvent
from aftersales.core.i18n import actor_text

from .audit_actions import TravelAudit

T = TravelAudit
LABELS: dict[str, Any] = {
    T.ADVANCE_REQUESTED: _("Requested"),
    T.ADVANCE_APPROVED: _("Approved"),
    T.ADVANCE_REJECTED: _("Rejected"),
    T.ADVANCE_PAID: _("Paid out"),
    T.ADVANCE_SETTLED: _("Settled by a reimbursement"),
    T.ADVANCE_CANCELLED: _("Cancelled"),
    T.ADVANCE_OVERDUE_REMINDED: _("Reminded: overdue for settlement"),
    T.REIMBURSEMENT_DRAFTED: _("Drafted"),
    T.REIMBURSEMENT_POSTED: _("Posted"),
    T.REIMBURSEMENT_CLOSED: _("Closed"),
    T.REIMBURSEMENT_CANCELLED: _("Cancelled"),
    T.TRIP_OPENED: _("Trip opened"),
    T.TRIP_ENTRY_ADDED: _("Day logged"),
    T.TRIP_ENTRY_REMOVED: _("Line removed"),
    T.TRIP_SUBMITTED: _("Submitted"),
    T.TRIP_APPROVED: _("Approved"),
    T.TRIP_RETURNED: _("Returned for correction"),
    T.TRIP_CANCELLED: _("Cancelled"),
}
# What a row's changes may say that a reader needs (typed text and numbers, shown as they are).
DETAILS = ("reason", "reference", "reimbursement", "amount", "net", "day", "work_order", "working_hours", "note", "cost")


@dataclass(frozen=True)
class HistoryRow:
    at: Any
    actor: str
    what: Any
    details: list[str]


def history_rows(events: list[AuditEvent]) -> list[HistoryRow]:
    rows = []
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        details = [str(changes[key]) for key in DETAILS if changes.get(key) not in (None, "", [])]
        actor = str(event.actor) if event.actor is not None else actor_text(event.actor_label)
        rows.append(HistoryRow(at=event.created_at, actor=actor, what=LABELS.get(event.action, event.action), details=details))
    return rows
