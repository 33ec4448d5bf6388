"""Who may see and work on alerts and crises: supervisors, quality managers and administrators
(and superusers). Their data scope applies: "all" (or no region) sees every alert and crisis; a
regional one those of their region and those without one."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core.errors import PermissionDenied

CRISIS_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR, Role.QUALITY_MANAGER})


def can_manage(user: User) -> bool:
    return bool(
        user.is_authenticated and user.is_active and not user.is_customer and (user.is_superuser or user.role in CRISIS_ROLES)
    )


def check_manage(user: User) -> None:
    if not can_manage(user):
        raise PermissionDenied(_("Only supervisors, quality managers and administrators handle crises."), code="forbidden")


def sees_all_regions(user: User) -> bool:
    return bool(user.is_superuser or user.data_scope == DataScope.ALL or not user.region_id)
