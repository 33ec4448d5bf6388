"""Who may choose a ticket's remedy: the roles that handle complaints (agents, supervisors,
quality managers, administrators), within their data scope, while the ticket is not archived.
Anyone who sees the ticket (a customer: their own) may read the proposal and the decision."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import PermissionDenied
from aftersales.tickets.models import Ticket
from aftersales.tickets.permissions import HANDLER_ROLES
from aftersales.tickets.services.timeline import archived_refusal
from aftersales.tickets.states import FINAL_STATUSES

from .selectors import user_sees_ticket


def may_decide(user: User) -> bool:
    if not user.is_authenticated or not user.is_active or user.is_customer:
        return False
    return bool(user.is_superuser or user.role in HANDLER_ROLES or user.role == Role.ADMINISTRATOR)


def check_decide(*, user: User, ticket: Ticket) -> None:
    """Raise unless ``user`` may choose the remedy of ``ticket`` now."""
    if not may_decide(user):
        raise PermissionDenied(_("Your role cannot choose a remedy."), code="role_not_allowed")
    if not user_sees_ticket(user=user, ticket=ticket):
        raise PermissionDenied(_("This ticket is outside your data scope."), code="out_of_scope")
    if ticket.status in FINAL_STATUSES:
        raise archived_refusal(ticket.status)
