"""Reads of the remedies: the engine's proposal for a ticket (computed now) and its decision.

``ticket_proposal`` is not scoped (the caller holds the ticket: a service, the ticket page);
``remedy_for_user`` applies the reader's data scope (a customer: their own tickets only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors.scope import sees_every_ticket, tickets_visible_to

from .engine import Proposal, Rules, propose
from .facts import ticket_category_id, ticket_facts
from .models import Purchase, RemedyDecision
from .policy import policy_for_category, rules_for_category


@dataclass(frozen=True)
class RemedyView:
    ticket: Ticket
    proposal: Proposal
    rules: Rules
    decision: RemedyDecision | None


def ticket_rules(*, ticket: Ticket) -> Rules:
    return rules_for_category(ticket_category_id(ticket))


def ticket_daily_rate(*, ticket: Ticket) -> Decimal | None:
    """The daily depreciation of a refund (a fraction: 0.001 is 0.1 % a day) as the 三包 policy
    of the ticket's product category sets it (its own, its parent's, else the default policy);
    ``None`` only when no policy applies at all (an administrator deleted the default)."""
    policy = policy_for_category(ticket_category_id(ticket))
    return None if policy is None else policy.daily_rate


def ticket_proposal(*, ticket: Ticket, today: dt.date | None = None) -> Proposal:
    """What the engine proposes for ``ticket`` now."""
    return propose(ticket_facts(ticket=ticket, today=today), ticket_rules(ticket=ticket))


def decision_of(*, ticket: Ticket) -> RemedyDecision | None:
    return (
        RemedyDecision.objects.filter(ticket_id=ticket.pk)
        .select_related("decided_by", "ticket__product_unit__purchase_record")
        .first()
    )


def purchase_of(*, unit_id: int | None) -> Purchase | None:
    """The unit's purchase record (what was paid, from the proof of purchase), if recorded."""
    if unit_id is None:
        return None
    return Purchase.objects.filter(unit_id=unit_id).first()


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
