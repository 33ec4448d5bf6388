"""Who may see and do what with receivables.

* Finance, supervisors and administrators see the receivables of the work orders in their data
  scope (``fieldservice.permissions.work_orders_visible_to``: all, their region's, their tickets').
* Finance records payments and the invoice, and confirms or rejects the cash a technician
  collected on site.
* A supervisor or an administrator waives what is left (the approval the waiver needs), with a
  reason.
* A technician sees only the receivables of his own jobs and records only the cash he collected
  on site (pending until finance confirms it).
* Everybody else sees nothing (the list 403, a receivable 404).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import PermissionDenied
from aftersales.fieldservice.permissions import work_orders_visible_to

from .models import PaymentStatus, Receivable
from .states import OUTSTANDING

OVERSEER_ROLES = frozenset({Role.SUPERVISOR, Role.FINANCE, Role.ADMINISTRATOR})
WAIVER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def is_active_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def is_overseer(user: User) -> bool:
    """Finance, a supervisor, an administrator: the receivables list."""
    return is_active_staff(user) and (bool(user.is_superuser) or user.role in OVERSEER_ROLES)


def is_finance(user: User) -> bool:
    return is_active_staff(user) and (bool(user.is_superuser) or user.role == Role.FINANCE)


def is_technician(user: User) -> bool:
    return is_active_staff(user) and user.role == Role.TECHNICIAN and not user.is_superuser


def may_waive(user: User) -> bool:
    return is_active_staff(user) and (bool(user.is_superuser) or user.role in WAIVER_ROLES)


def receivables_visible_to(user: User) -> QuerySet[Receivable]:
    """Every receivable ``user`` may see: an overseer's of the work orders in his data scope, a
    technician's of his own jobs; nobody else's."""
    qs = Receivable.objects.all()
    if is_technician(user):
        return qs.filter(work_order__technician=user)
    if not is_overseer(user):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(work_order__in=work_orders_visible_to(user))


def receivable_actions(user: User, receivable: Receivable) -> set[str]:
    """What ``user`` may do with ``receivable`` now (the page's forms, the API's list); the
    receivable is one he sees."""
    actions: set[str] = set()
    outstanding = receivable.status in OUTSTANDING
    if is_finance(user):
        actions.add("invoice")
        if outstanding:
            actions.add("pay")
        if receivable.payments.filter(status=PaymentStatus.PENDING).exists():
            actions.add("confirm")
    if outstanding and may_waive(user):
        actions.add("waive")
    if outstanding and is_technician(user) and receivable.work_order.technician_id == user.pk:
        actions.add("collect")
    return actions


def check_finance(user: User) -> None:
    if not is_finance(user):
        raise PermissionDenied(_("Only finance may do this."), code="finance_only")


def check_waive(user: User) -> None:
    if not may_waive(user):
        raise PermissionDenied(
            _("Only a supervisor or an administrator may waive a customer's charge."), code="waive_not_allowed"
        )


def check_collect(user: User, receivable: Receivable) -> None:
    if not (is_technician(user) and receivable.work_order.technician_id == user.pk):
        raise PermissionDenied(_("Only the job's technician records the cash he collected on site."), code="not_your_job")
