"""Reads of the remedies: the engine's proposal for a ticket (computed now) and its decision.

``ticket_proposal`` is not scoped (the caller holds the ticket: a service, the ticket page);
``remedy_for_user`` applies the reader's data scope (a customer: their own tickets only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors.scope import sees_every_ticket, tickets_visible_to

from .engine import Proposal, Rules, propose
from .facts import ticket_category_id, ticket_facts
from .models import RemedyDecision
from .policy import rules_for_category


@dataclass(frozen=True)
class RemedyView:
    ticket: Ticket
    proposal: Proposal
    rules: Rules
    decision: RemedyDecision | None


def ticket_rules(*, ticket: Ticket) -> Rules:
    return rules_for_category(ticket_category_id(ticket))


def ticket_proposal(*, ticket: Ticket, today: dt.date | None = None) -> Proposal:
    """What the engine proposes for ``ticket`` now."""
    return propose(ticket_facts(ticket=ticket, today=today), ticket_rules(ticket=ticket))


def decision_of(*, ticket: Ticket) -> RemedyDecision | None:
    return RemedyDecision.objects.filter(ticket_id=ticket.pk).select_related("decided_by").first()


def user_sees_ticket(*, user: User, ticket: Ticket) -> bool:
    if sees_every_ticket(user):
        return True
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


def remedy_for_user(*, user: User, ticket: Ticket) -> RemedyView:
    """The proposal and the decision of ``ticket`` if ``user`` may see it; ``NotFound`` otherwise."""
    if not user_sees_ticket(user=user, ticket=ticket):
        raise NotFound("ticket not found", code="ticket_not_found")
    return remedy_view(ticket=ticket)


def remedy_view(*, ticket: Ticket) -> RemedyView:
    """The proposal and the decision of a ticket the caller already read through a scoped
    selector (the ticket page: ``tickets.selectors.ticket_get_for_user``)."""
    rules = ticket_rules(ticket=ticket)
    return RemedyView(
        ticket=ticket,
        proposal=propose(ticket_facts(ticket=ticket), rules),
        rules=rules,
        decision=decision_of(ticket=ticket),
    )
