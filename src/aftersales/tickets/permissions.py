"""Who may make which move on a ticket: role, data scope and the ticket's current status.

The transition table (``states.py``) says which moves exist; this module says who may make them.
Every process service calls ``ticket_check_action`` before it changes anything, and the pages ask
``ticket_available_actions`` so they only offer what would be accepted now.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import DomainError, PermissionDenied

from .models import Ticket
from .selectors import sees_every_ticket, tickets_visible_to
from .states import FINAL_STATUSES, TRANSITIONS, TicketStatus

S = TicketStatus

# Roles that handle complaints and may move tickets within their data scope.
HANDLER_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.ADMINISTRATOR})
# Roles that decide approval requests.
APPROVER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})

CUSTOMER = "customer"
HANDLER = "handler"
APPROVER = "approver"


def _statuses_that_allow(target: TicketStatus) -> frozenset[TicketStatus]:
    return frozenset(current for current, targets in TRANSITIONS.items() if target in targets)


@dataclass(frozen=True)
class ActionRule:
    statuses: frozenset[TicketStatus]
    who: frozenset[str]


_BEFORE_EXECUTION = frozenset({S.REGISTERED, S.VERIFYING, S.AWAITING_INFO, S.ANALYSING, S.PLANNING, S.REOPENED})

# action → in which statuses, by whom. Actions that do not change the status (classify, update
# a measure) are listed too: a final ticket accepts none of them.
ACTIONS: dict[str, ActionRule] = {
    "start_verification": ActionRule(frozenset({S.REGISTERED}), frozenset({HANDLER})),
    "request_information": ActionRule(frozenset({S.VERIFYING}), frozenset({HANDLER})),
    "receive_information": ActionRule(frozenset({S.AWAITING_INFO}), frozenset({HANDLER})),
    "record_verification": ActionRule(frozenset({S.VERIFYING}), frozenset({HANDLER})),
    "classify": ActionRule(_BEFORE_EXECUTION, frozenset({HANDLER})),
    "set_responsibility": ActionRule(_BEFORE_EXECUTION - {S.REGISTERED}, frozenset({HANDLER})),
    "reject": ActionRule(_statuses_that_allow(S.REJECTED), frozenset({HANDLER})),
    "cancel": ActionRule(_statuses_that_allow(S.CANCELLED), frozenset({HANDLER, CUSTOMER})),
    "merge": ActionRule(_statuses_that_allow(S.MERGED), frozenset({HANDLER})),
    "propose_plan": ActionRule(frozenset({S.ANALYSING, S.PLANNING, S.REOPENED}), frozenset({HANDLER})),
    "submit_plan": ActionRule(frozenset({S.PLANNING}), frozenset({HANDLER})),
    "decide_approval": ActionRule(frozenset({S.AWAITING_APPROVAL}), frozenset({APPROVER})),
    "record_agreement": ActionRule(frozenset({S.AWAITING_CUSTOMER}), frozenset({HANDLER, CUSTOMER})),
    "update_measure": ActionRule(frozenset({S.IN_PROGRESS, S.ON_HOLD}), frozenset({HANDLER})),
    "hold": ActionRule(frozenset({S.IN_PROGRESS}), frozenset({HANDLER})),
    "resume": ActionRule(frozenset({S.ON_HOLD}), frozenset({HANDLER})),
    "resolve": ActionRule(frozenset({S.IN_PROGRESS}), frozenset({HANDLER})),
    "confirm_result": ActionRule(frozenset({S.RESOLVED}), frozenset({HANDLER, CUSTOMER})),
    "rate": ActionRule(frozenset({S.RESOLVED}), frozenset({HANDLER, CUSTOMER})),
    "close": ActionRule(frozenset({S.RESOLVED}), frozenset({HANDLER})),
    "reopen": ActionRule(frozenset({S.RESOLVED, S.CLOSED}), frozenset({HANDLER})),
    "restart_analysis": ActionRule(frozenset({S.REOPENED}), frozenset({HANDLER})),
    "resume_plan": ActionRule(frozenset({S.REOPENED}), frozenset({HANDLER})),
}


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
    rule = ACTIONS.get(action)
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
        raise DomainError(_("This ticket is closed and read-only; add a note instead."), code="ticket_final", field="status")
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
    return candidates
