"""Who may see and do what with work orders.

* Agents, supervisors, quality managers and administrators (the ticket handlers) create work
  orders from a measure of a ticket in their data scope (the same rule as updating a measure).
* Dispatching (assign, reassign, reschedule, cancel) is for supervisors and administrators, and
  for agents granted the ``fieldservice.dispatch_workorder`` permission (a "dispatch desk"
  agent); always within their data scope: a region-scoped dispatcher dispatches the work
  orders of their region (the work order's service region or the ticket's).
* A technician sees and works only the work orders dispatched to them.
* Expense claims are decided by a dispatcher or finance (never one's own claim).
* Region-scoped stock staff reach the parts of their region's work orders only.
* The customer's address and phone are shown to the technician the job is dispatched to and to
  the roles that handle customers' personal data anyway (``User.sees_personal_data``); masked
  for everyone else (other technicians, warehouse, finance …).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core.errors import PermissionDenied
from aftersales.core.masking import mask_name, mask_phone
from aftersales.parts.permissions import is_stock_staff
from aftersales.tickets.selectors import tickets_visible_to

from .models import WorkOrder
from .states import WITH_TECHNICIAN

HANDLER_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.ADMINISTRATOR})
DISPATCHER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
DISPATCH_PERMISSION = "fieldservice.dispatch_workorder"


def is_active_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def can_dispatch(user: User) -> bool:
    if not is_active_staff(user):
        return False
    if user.is_superuser or user.role in DISPATCHER_ROLES:
        return True
    return user.role == Role.AGENT and user.has_perm(DISPATCH_PERMISSION)


def can_create(user: User) -> bool:
    return is_active_staff(user) and (user.is_superuser or user.role in HANDLER_ROLES)


def is_technician(user: User) -> bool:
    return is_active_staff(user) and user.role == Role.TECHNICIAN


def work_orders_visible_to(user: User) -> QuerySet[WorkOrder]:
    """Every work order ``user`` may see: a technician their own; other staff those of the
    tickets in their data scope, and a region-scoped user also their region's work orders."""
    qs = WorkOrder.objects.all()
    if not is_active_staff(user):
        return qs.none()
    if user.role == Role.TECHNICIAN and not user.is_superuser:
        return qs.filter(technician=user)
    if user.is_superuser or user.data_scope == DataScope.ALL:
        return qs
    condition = Q(ticket__in=tickets_visible_to(user)) | Q(created_by=user)
    if user.data_scope == DataScope.REGION and user.region_id:
        condition |= Q(region_id=user.region_id)
    return qs.filter(condition)


def in_scope(user: User, work_order: WorkOrder) -> bool:
    return work_orders_visible_to(user).filter(pk=work_order.pk).exists()


def can_manage(user: User, work_order: WorkOrder) -> bool:
    """Cancel the work order, attach permits: a dispatcher or a ticket handler in whose data
    scope it is."""
    return (can_dispatch(user) or can_create(user)) and in_scope(user, work_order)


def can_decide_expenses(user: User) -> bool:
    return can_dispatch(user) or user.role == Role.FINANCE or bool(user.is_superuser)


# --- who may take an action (``actions.py``): the work order is one ``user`` sees ----------------


def dispatcher(user: User, work_order: WorkOrder) -> bool:
    return can_dispatch(user)


def its_technician(user: User, work_order: WorkOrder) -> bool:
    """The technician the job is dispatched to."""
    return is_active_staff(user) and work_order.technician_id == user.pk


def technician_or_dispatcher(user: User, work_order: WorkOrder) -> bool:
    return its_technician(user, work_order) or can_dispatch(user)


def dispatcher_or_handler(user: User, work_order: WorkOrder) -> bool:
    return can_dispatch(user) or can_create(user)


def expense_decider(user: User, work_order: WorkOrder) -> bool:
    return can_decide_expenses(user)


# --- checks the services make ---------------------------------------------------------------------


def check_dispatcher(*, user: User, work_order: WorkOrder) -> None:
    if not can_dispatch(user):
        raise PermissionDenied(_("Only a dispatcher can do this."), code="not_dispatcher")
    if not in_scope(user, work_order):
        raise PermissionDenied(_("This work order is outside your data scope."), code="out_of_scope")


def check_technician(*, user: User, work_order: WorkOrder) -> None:
    if not is_active_staff(user) or work_order.technician_id != user.pk:
        raise PermissionDenied(_("Only the technician this job is dispatched to can do this."), code="not_your_job")


def stock_staff_reaches(user: User, work_order: WorkOrder) -> bool:
    """Region-scoped stock staff work on the parts of their region's jobs only (the parts app
    lets any stock staff reach any work order's parts); everyone else as the parts app says."""
    if not is_stock_staff(user) or user.is_superuser or user.role == Role.ADMINISTRATOR:
        return True
    if user.data_scope == DataScope.ALL or not user.region_id:
        return True
    if work_order.technician_id == user.pk or work_orders_visible_to(user).filter(pk=work_order.pk).exists():
        return True
    region_id = work_order.region_id if work_order.region_id is not None else work_order.ticket.region_id
    return bool(region_id == user.region_id)


def sees_site_details(user: User, work_order: WorkOrder) -> bool:
    """Address and contact unmasked? The dispatched technician and personal-data roles."""
    if not is_active_staff(user):
        return False
    if work_order.technician_id == user.pk and work_order.status in WITH_TECHNICIAN:
        return True
    return bool(user.sees_personal_data)


def mask_address(value: str) -> str:
    """``人民路88号3栋502`` → ``人民***``: the street and number are hidden."""
    if not value:
        return ""
    return value[:2] + "***"


def site_details(user: User, work_order: WorkOrder) -> dict[str, str | bool]:
    """Address and contact as ``user`` may see them."""
    area = " ".join(p for p in (work_order.province, work_order.city, work_order.district) if p)
    if sees_site_details(user, work_order):
        return {
            "area": area,
            "address": work_order.address,
            "contact_name": work_order.contact_name,
            "contact_phone": work_order.contact_phone,
            "masked": False,
        }
    return {
        "area": area,
        "address": mask_address(work_order.address),
        "contact_name": mask_name(work_order.contact_name),
        "contact_phone": mask_phone(work_order.contact_phone),
        "masked": True,
    }
