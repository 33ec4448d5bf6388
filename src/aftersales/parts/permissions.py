"""Who may see and move which stock.

Stock staff (warehouse, supervisor, administrator) work on the warehouses of their data scope: all
of them with scope "all" or without a region, else the warehouses of their region plus the ones
that serve every region (no region). A technician sees only their own van and the documents of
their own work orders. Warehouse users never see customers' personal data beyond what a
shipment needs (name, masked phone, city): see ``selectors.shipment_contact``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core.errors import PermissionDenied

from .models import ApproverRole, Requisition, Warehouse, WarehouseKind

STOCK_ROLES = frozenset({Role.WAREHOUSE, Role.SUPERVISOR, Role.ADMINISTRATOR})
APPRAISER_ROLES = frozenset({Role.WAREHOUSE, Role.SUPERVISOR, Role.ADMINISTRATOR, Role.QUALITY_MANAGER})


def _active_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def is_stock_staff(user: User) -> bool:
    return _active_staff(user) and (user.is_superuser or user.role in STOCK_ROLES)


def is_technician(user: User) -> bool:
    return _active_staff(user) and user.role == Role.TECHNICIAN


def warehouses_visible_to(user: User) -> QuerySet[Warehouse]:
    qs = Warehouse.objects.all()
    if not _active_staff(user):
        return qs.none()
    if is_stock_staff(user):
        if user.is_superuser or user.role == Role.ADMINISTRATOR or user.data_scope == DataScope.ALL or not user.region_id:
            return qs
        return qs.filter(Q(region_id=user.region_id) | Q(region__isnull=True))
    if is_technician(user):
        return qs.filter(kind=WarehouseKind.VAN, technician=user)
    return qs.none()


def can_access_warehouse(user: User, warehouse: Warehouse) -> bool:
    return warehouses_visible_to(user).filter(pk=warehouse.pk).exists()


def check_stock_staff(user: User, warehouse: Warehouse | None = None) -> None:
    """Raise unless ``user`` is stock staff (and, given a warehouse, it is in their scope)."""
    if not is_stock_staff(user):
        raise PermissionDenied(_("Only warehouse staff, supervisors and administrators may do this."), code="not_stock_staff")
    if warehouse is not None and not can_access_warehouse(user, warehouse):
        raise PermissionDenied(_("This warehouse is outside your data scope."), code="warehouse_out_of_scope")


def is_work_order_technician(user: User, work_order: Any) -> bool:
    return is_technician(user) and work_order.technician_id == user.pk


def stock_staff_covers(user: User, work_order: Any) -> bool:
    """Stock staff with a region scope serve their region's jobs (and jobs without a region);
    stock staff with scope "all", administrators and superusers serve every job."""
    if user.is_superuser or user.role == Role.ADMINISTRATOR or user.data_scope == DataScope.ALL or not user.region_id:
        return True
    region_id = work_order.region_id if work_order.region_id is not None else work_order.ticket.region_id
    return region_id is None or region_id == user.region_id


def can_work_on_parts_of(user: User, work_order: Any) -> bool:
    """Request, use and return parts for ``work_order``: its technician, or stock staff whose
    scope covers the job's region."""
    return is_work_order_technician(user, work_order) or (is_stock_staff(user) and stock_staff_covers(user, work_order))


def check_work_order_parts(user: User, work_order: Any) -> None:
    if not can_work_on_parts_of(user, work_order):
        raise PermissionDenied(
            _("Only the work order's technician or warehouse staff may do this."), code="not_work_order_technician"
        )


def can_decide_requisition(user: User, requisition: Requisition) -> bool:
    if not _active_staff(user):
        return False
    if user.pk == requisition.requested_by_id and not user.is_superuser:
        return False  # nobody approves their own request
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return True
    if requisition.approver_role == ApproverRole.SUPERVISOR:
        return user.role == Role.SUPERVISOR
    if requisition.approver_role == ApproverRole.WAREHOUSE:
        return user.role in (Role.WAREHOUSE, Role.SUPERVISOR) and can_access_warehouse(user, requisition.warehouse)
    return False


def can_appraise(user: User) -> bool:
    return _active_staff(user) and (user.is_superuser or user.role in APPRAISER_ROLES)
