"""Who may do what with appraisals.

* The ticket's handlers (agents, supervisors, quality managers, administrators) request an
  appraisal on a ticket in their data scope, assign it to an appraiser and cancel it before
  it is signed.
* An appraiser takes an unassigned request of a ticket in their scope ("take it"), and works
  only the appraisals assigned to them: the report, its files, the signature.
* The customer answers a signed report of their own ticket (accept, or ask for re-appraisal).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import PermissionDenied
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import tickets_visible_to

from .models import Appraisal, AppraisalStatus
from .states import REASSIGNABLE, REPORTABLE, SIGNED_STATUSES

HANDLER_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.ADMINISTRATOR})


def is_active_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def is_handler(user: User) -> bool:
    return is_active_staff(user) and (user.is_superuser or user.role in HANDLER_ROLES)


def is_appraiser(user: User) -> bool:
    return is_active_staff(user) and user.role == Role.APPRAISER


def in_scope(user: User, ticket: Ticket) -> bool:
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


def check_request(user: User, ticket: Ticket) -> None:
    if not is_handler(user):
        raise PermissionDenied(_("Only the ticket's handlers may request an appraisal."), code="appraisal_role_not_allowed")
    if not in_scope(user, ticket):
        raise PermissionDenied(_("This ticket is outside your data scope."), code="out_of_scope")


def check_assign(user: User, appraisal: Appraisal, appraiser: User) -> None:
    if is_handler(user):
        if not in_scope(user, appraisal.ticket):
            raise PermissionDenied(_("This ticket is outside your data scope."), code="out_of_scope")
        return
    if is_appraiser(user) and appraiser.pk == user.pk and appraisal.appraiser_id is None:
        if not in_scope(user, appraisal.ticket):
            raise PermissionDenied(_("This ticket is outside your data scope."), code="out_of_scope")
        return
    raise PermissionDenied(_("You may not assign this appraisal."), code="appraisal_assign_not_allowed")


def check_appraiser(user: User, appraisal: Appraisal) -> None:
    """The report, its files and the signature are the assigned appraiser's."""
    if not (is_active_staff(user) and appraisal.appraiser_id is not None and appraisal.appraiser_id == user.pk):
        raise PermissionDenied(_("Only the appraiser assigned to this appraisal may do this."), code="not_the_appraiser")


def check_cancel(user: User, appraisal: Appraisal) -> None:
    if not is_handler(user) or not in_scope(user, appraisal.ticket):
        raise PermissionDenied(_("You may not cancel this appraisal."), code="appraisal_cancel_not_allowed")


def check_customer(user: User, appraisal: Appraisal) -> None:
    if not (user.is_authenticated and user.is_customer and appraisal.ticket.customer.user_id == user.pk):
        raise PermissionDenied(_("This appraisal is not about your request."), code="not_your_appraisal")


# --- What the pages offer (the same rules, as yes/no) ---------------------------------------------


def offered_actions(user: User, appraisal: Appraisal) -> set[str]:
    """The actions ``user`` may take on ``appraisal`` now (the panel's and the detail page's buttons)."""
    actions: set[str] = set()
    status = appraisal.status
    handler = is_handler(user)
    mine = is_active_staff(user) and appraisal.appraiser_id == user.pk
    if status in REASSIGNABLE and handler:
        actions.add("assign")
    if status == AppraisalStatus.REQUESTED and appraisal.appraiser_id is None and is_appraiser(user):
        actions.add("take")
    if mine and status == AppraisalStatus.ASSIGNED:
        actions.add("start")
    if mine and status in REPORTABLE:
        actions.update({"report", "upload"})
    if mine and status == AppraisalStatus.REPORTED:
        actions.add("sign")
    if handler and status not in SIGNED_STATUSES and status != AppraisalStatus.CANCELLED:
        actions.add("cancel")
    if handler and appraisal.previous_id is not None and status != AppraisalStatus.CANCELLED:
        actions.add("upload")  # the outside testing body's report, whoever receives it
    return actions
