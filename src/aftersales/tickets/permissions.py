"""Who may make which move on a ticket: role, data scope and the ticket's current status.

The transition table (``states.py``) says which moves exist; each action's declaration
(``tickets.actions``) says in which statuses and by whom it may be taken; this module applies
that to a user: their capacities (role) and their data scope. Every process service calls
``ticket_check_action`` before it changes anything, and the pages and the API ask
``ticket_available_actions`` so they only offer what would be accepted now.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import DomainError, PermissionDenied

from .models import Ticket
from .registry import ACTIONS, APPROVER, CUSTOMER, HANDLER
from .selectors import sees_every_ticket, tickets_visible_to
from .services.timeline import archived_refusal
from .states import FINAL_STATUSES, TicketStatus

# Roles that handle complaints and may move tickets within their data scope.
HANDLER_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.ADMINISTRATOR})
# Roles that decide approval requests.
APPROVER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def _capacities(user: User) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_customer:
        return frozenset({CUSTOMER})
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return frozenset({HANDLER, APPROVER})
    held = set()
    if user.role in HANDLER_ROLES:
        held.add(HANDLER)
    if user.role in APPROVER_ROLES:
        held.add(APPROVER)
    return frozenset(held)


def _in_scope(user: User, ticket: Ticket) -> bool:
    # For a customer the scope is their own tickets; for staff their data scope. Active staff
    # who see every ticket need no query (the same rule as ``tickets_visible_to``).
    if ticket.pk is not None and sees_every_ticket(user):
        return True
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


def ticket_check_action(*, user: User, ticket: Ticket, action: str) -> None:
    """Raise unless ``user`` may perform ``action`` on ``ticket`` in its current status.

    ``PermissionDenied`` for the wrong role or a ticket outside the user's scope;
    ``DomainError`` (code ``ticket_final`` or ``action_not_available``) when the ticket's status
    does not allow the action now.
    """
    rule = ACTIONS.get(action)  # the declaration (tickets.actions)
    if rule is None:
        raise PermissionDenied(_("Unknown action."), code="unknown_action")
    capacities = _capacities(user) & rule.who
    if not capacities:
        if user.is_authenticated and not user.is_customer and not (_capacities(user) & {HANDLER, APPROVER}):
            raise PermissionDenied(_("Your role cannot change the course of a ticket."), code="role_not_allowed")
        raise PermissionDenied(_("You are not allowed to do this on this ticket."), code="action_not_allowed")
    if not _in_scope(user, ticket):
        raise PermissionDenied(_("This ticket is outside your data scope."), code="out_of_scope")
    status = TicketStatus(ticket.status)
    if status in FINAL_STATUSES and status not in rule.statuses:
        raise archived_refusal(status)
    if status not in rule.statuses:
        raise DomainError(
            _("This cannot be done while the ticket is “%(status)s”.") % {"status": status.label},
            code="action_not_available",
            field="status",
        )


def ticket_available_actions(*, user: User, ticket: Ticket) -> list[str]:
    """The actions ``user`` may perform on ``ticket`` now, in the order of the process."""
    capacities = _capacities(user)
    status = TicketStatus(ticket.status)
    candidates = [name for name, rule in ACTIONS.items() if status in rule.statuses and capacities & rule.who]
    if not candidates or not _in_scope(user, ticket):
        return []
    offered = []
    for name in candidates:
        condition = ACTIONS[name].offered_to  # e.g. "take it": not when the ticket is already theirs
        if condition is None or condition(ticket, user):
            offered.append(name)
    return offered


def may_register_tickets(user: User) -> bool:
    """Whether ``user`` registers requests on the staff pages (the phone intake): the roles that
    handle complaints (``HANDLER_ROLES``; an administrator or a superuser too). Technicians,
    warehouse keepers, marketing and finance work on tickets others registered; customers
    submit theirs through the portal."""
    return HANDLER in _capacities(user)
