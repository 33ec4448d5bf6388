"""Who may do what with returns and exchanges.

* The ticket's handlers (agents, supervisors, quality managers, administrators) authorise a
  return or exchange of a measure of a ticket in their data scope, arrange the handover, accept
  goods after a failed inspection and cancel.
* Warehouse staff (warehouse, supervisors, administrators) of the receiving warehouse's scope
  (``parts.permissions``) receive and inspect the goods, ship the replacement and record its
  delivery; they may also record the handover (the carrier's tracking number).
* A customer reads their own returns (portal, API); they change nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import DomainError, PermissionDenied
from aftersales.parts.permissions import can_access_warehouse, is_stock_staff
from aftersales.tickets.permissions import ticket_check_action
from aftersales.tickets.selectors import tickets_visible_to
from aftersales.tickets.states import FINAL_STATUSES

from .models import ReturnAuthorization

HANDLER_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.ADMINISTRATOR})


def is_active_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def can_authorise(user: User) -> bool:
    return is_active_staff(user) and (user.is_superuser or user.role in HANDLER_ROLES)


def is_keeper_of(user: User, rma: ReturnAuthorization) -> bool:
    return is_stock_staff(user) and can_access_warehouse(user, rma.warehouse)


def check_keeper(user: User, rma: ReturnAuthorization) -> None:
    """Raise unless ``user`` is warehouse staff of the RMA's receiving warehouse's scope."""
    if not is_stock_staff(user):
        raise PermissionDenied(_("Only warehouse staff, supervisors and administrators may do this."), code="not_stock_staff")
    if not can_access_warehouse(user, rma.warehouse):
        raise PermissionDenied(_("This warehouse is outside your data scope."), code="warehouse_out_of_scope")


def check_handler(user: User, rma: ReturnAuthorization, *, allow_final_ticket: bool = False) -> None:
    """Raise unless ``user`` handles the RMA's ticket (role and data scope)."""
    if not can_authorise(user):
        raise PermissionDenied(_("Your role cannot change returns."), code="role_not_allowed")
    if allow_final_ticket and rma.ticket.status in FINAL_STATUSES:
        # A closed ticket takes no process step, but its open return may still be cancelled.
        if not tickets_visible_to(user).filter(pk=rma.ticket_id).exists():
            raise PermissionDenied(_("This ticket is outside your data scope."), code="out_of_scope")
        return
    ticket_check_action(user=user, ticket=rma.ticket, action="update_measure")


def check_handler_or_keeper(user: User, rma: ReturnAuthorization) -> None:
    if is_keeper_of(user, rma):
        return
    check_handler(user, rma)


def can_handle(user: User, rma: ReturnAuthorization) -> bool:
    try:
        check_handler(user, rma)
    except DomainError:
        return False
    return True
