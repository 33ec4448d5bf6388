"""Who sees the triage and who may act on it.

Staff who see the ticket see its triage (the ticket was read through a scoped selector); a
customer never does. Accepting or correcting a field is the ticket's classification, so the
tickets' own rule for ``classify`` decides (``ticket_classify`` checks it again under the lock).
Lowering the urgency of a ticket the system made urgent, or clearing its safety flag, is a
supervisor's decision (SPEC §2.4: urgent is for a safety hazard)."""

from __future__ import annotations

from aftersales.accounts.models import Role, User
from aftersales.core.errors import DomainError
from aftersales.tickets.models import Ticket
from aftersales.tickets.permissions import ticket_check_action

REVERSERS = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def may_see_triage(user: User) -> bool:
    return bool(user.is_authenticated and not user.is_customer)


def may_reverse_urgent(user: User) -> bool:
    return bool(user.is_superuser or user.role in REVERSERS)


def may_classify(*, user: User, ticket: Ticket) -> bool:
    try:
        ticket_check_action(user=user, ticket=ticket, action="classify")
    except DomainError:
        return False
    return True
