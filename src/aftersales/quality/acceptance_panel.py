"""The acceptance panel of the staff ticket page (质量验收, docs/quality.md): while the ticket
waits, why, since when, the checklist as it stands now and — for whoever may decide — "accept" and
"send back for rework"; afterwards every wait of the ticket with its decision, who took it and
when, the checklist as it stood then and the comment. Loaded after the page
(``templatetags/acceptance_tags``, ``acceptance_views.ticket_acceptance_panel``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from aftersales.accounts.models import User
from aftersales.core.i18n import join_list
from aftersales.tickets.acceptance_forms import AcceptResultForm, ReturnForReworkForm
from aftersales.tickets.action_forms import ActionForm
from aftersales.tickets.models import Ticket
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.states import TicketStatus

from .acceptance_checklist import CheckItem, checklist_items, checklist_states
from .acceptance_models import AcceptanceDecision, AcceptanceVia, ResultAcceptance
from .acceptance_rules import reason_labels

ACCEPT = "accept_result"
RETURN = "return_for_rework"


def may_show_panel(ticket: Ticket) -> bool:
    """Whether the ticket can have anything to show (no query): it waits now, or it was resolved
    once — only a resolved ticket is ever sent for acceptance."""
    return ticket.status == TicketStatus.AWAITING_ACCEPTANCE or ticket.resolved_at is not None


@dataclass(frozen=True)
class AcceptanceEntry:
    """One wait of the ticket, as the panel and the case file show it."""

    pk: int
    decision: str
    decision_label: str
    requested_at: dt.datetime
    via_label: str
    reasons: str  # the rule's conditions, in the reader's words and list separator
    decided_by: str  # display name; "" while pending or withdrawn
    decided_at: dt.datetime | None
    comment: str
    # Pending: the checklist as it stands now; decided: as it stood then; withdrawn: none.
    checks: list[CheckItem]

    @property
    def pending(self) -> bool:
        return self.decision == AcceptanceDecision.PENDING


def ticket_acceptances(*, ticket: Ticket) -> list[AcceptanceEntry]:
    """Every acceptance record of ``ticket`` (fetched through the reader's scope), newest first,
    each with its checklist: two queries, and the checklist's while one is pending."""
    records = list(
        ResultAcceptance.objects.filter(ticket_id=ticket.pk).select_related("decided_by").order_by("-requested_at", "-pk")
    )
    live = checklist_states([ticket.pk])[ticket.pk] if any(r.decision == AcceptanceDecision.PENDING for r in records) else {}
    entries = []
    for record in records:
        if record.decision == AcceptanceDecision.PENDING:
            checks = checklist_items(live)
        elif record.decision == AcceptanceDecision.WITHDRAWN or not record.checklist:
            checks = []
        else:
            checks = checklist_items(dict(record.checklist))
        entries.append(
            AcceptanceEntry(
                pk=record.pk,
                decision=record.decision,
                decision_label=str(AcceptanceDecision(record.decision).label),
                requested_at=record.requested_at,
                via_label=str(AcceptanceVia(record.requested_via).label) if record.requested_via in AcceptanceVia.values else "",
                reasons=join_list(reason_labels(list(record.reasons or []))),
                decided_by=str(record.decided_by) if record.decided_by is not None else "",
                decided_at=record.decided_at,
                comment=record.comment,
                checks=checks,
            )
        )
    return entries


def _decision_forms(*, ticket: Ticket, user: User) -> list[ActionForm]:
    """The two decisions' forms for a user who may take them now (the ticket's actions say so:
    status, role, data scope); their own ids, beside the actions panel's."""
    available = set(ticket_available_actions(user=user, ticket=ticket))
    forms: list[ActionForm] = []
    for action, form_class in ((ACCEPT, AcceptResultForm), (RETURN, ReturnForReworkForm)):
        if action in available:
            forms.append(form_class(ticket=ticket, user=user, action=action, auto_id=f"id_panel_{action}_%s"))
    return forms


def acceptance_panel_context(*, user: User, ticket: Ticket) -> dict[str, Any]:
    """What the panel shows ``user`` (staff; ``ticket`` read through their scope): nothing when
    the ticket never waited for acceptance."""
    if user is None or not user.is_authenticated or user.is_customer or not may_show_panel(ticket):
        return {"visible": False, "ticket": ticket}
    entries = ticket_acceptances(ticket=ticket)
    waiting = ticket.status == TicketStatus.AWAITING_ACCEPTANCE
    current = entries[0] if entries and entries[0].pending else None
    checks: list[CheckItem] = []
    if waiting:
        # Without a pending record (a ticket moved to the status by hand) the checklist is read here.
        checks = current.checks if current is not None else checklist_items(checklist_states([ticket.pk])[ticket.pk])
    return {
        "visible": bool(entries) or waiting,
        "ticket": ticket,
        "waiting": waiting,
        "current": current,
        "checks": checks,
        "history": [e for e in entries if not e.pending],
        "decision_forms": _decision_forms(ticket=ticket, user=user) if waiting else [],
    }
