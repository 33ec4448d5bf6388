"""Who may do what with service outlets and their settlement statements.

* Supervisors, finance and administrators see every outlet, its performance and statements.
* Administrators create and edit outlets (the contract and its rates included).
* Supervisors, finance and administrators draft statements, recalculate and adjust a draft,
  reopen a disputed one and cancel one that is not confirmed; they approve a confirmed statement.
* Finance and administrators record the payment.
* The outlet's leader (the leader of the outlet's team) sees only his outlet, its work orders and
  its statements, and confirms or disputes a draft; an administrator may record that answer on
  the outlet's behalf.
"""

from __future__ import annotations

from collections.abc import Collection

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, ServiceOutlet, User
from aftersales.core.errors import PermissionDenied

from .models import Settlement, SettlementStatus

S = SettlementStatus
OVERSEER_ROLES = frozenset({Role.SUPERVISOR, Role.FINANCE, Role.ADMINISTRATOR})
PAYER_ROLES = frozenset({Role.FINANCE, Role.ADMINISTRATOR})


def is_active_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def is_admin(user: User) -> bool:
    return is_active_staff(user) and (user.is_superuser or user.role == Role.ADMINISTRATOR)


def sees_every_outlet(user: User) -> bool:
    return is_active_staff(user) and (user.is_superuser or user.role in OVERSEER_ROLES)


def led_outlet_ids(user: User) -> list[int]:
    """The outlets whose team ``user`` leads (usually one)."""
    if not is_active_staff(user):
        return []
    return list(ServiceOutlet.objects.filter(team__leader=user).values_list("pk", flat=True))


def can_manage_outlets(user: User) -> bool:
    return is_admin(user)


def can_prepare(user: User) -> bool:
    """Draft, recalculate, adjust, reopen and cancel statements; approve a confirmed one."""
    return sees_every_outlet(user)


def can_pay(user: User) -> bool:
    return is_active_staff(user) and (user.is_superuser or user.role in PAYER_ROLES)


def leads(user: User, outlet_id: int) -> bool:
    return is_active_staff(user) and ServiceOutlet.objects.filter(pk=outlet_id, team__leader=user).exists()


def can_answer(user: User, settlement: Settlement, *, led: Collection[int] | None = None) -> bool:
    """Confirm or dispute: the outlet's leader, or an administrator on its behalf. ``led``: the
    outlets ``user`` leads, when the caller read them already (a list)."""
    if is_admin(user):
        return True
    return settlement.outlet_id in led if led is not None else leads(user, settlement.outlet_id)


def check_manage_outlets(user: User) -> None:
    if not can_manage_outlets(user):
        raise PermissionDenied(_("Only an administrator may create or change service outlets."), code="outlet_not_allowed")


def check_prepare(user: User) -> None:
    if not can_prepare(user):
        raise PermissionDenied(
            _("Only supervisors, finance and administrators may prepare settlement statements."), code="settlement_not_allowed"
        )


def check_answer(user: User, settlement: Settlement) -> None:
    if not can_answer(user, settlement):
        raise PermissionDenied(_("Only the outlet's leader may confirm or dispute its statement."), code="not_the_outlets_leader")


def check_pay(user: User) -> None:
    if not can_pay(user):
        raise PermissionDenied(_("Only finance may record the payment of a statement."), code="settlement_pay_not_allowed")


def offered_actions(user: User, settlement: Settlement, *, led: Collection[int] | None = None) -> set[str]:
    """The actions ``user`` may take on ``settlement`` now (the page's buttons, the API's list;
    ``led`` as for ``can_answer``)."""
    actions: set[str] = set()
    status = settlement.status
    prepare = can_prepare(user)
    answer = can_answer(user, settlement, led=led)
    if status == S.DRAFT and prepare:
        actions.update({"recalculate", "adjust", "cancel"})
    if status == S.DRAFT and answer:
        actions.update({"confirm", "dispute"})
    if status == S.DISPUTED and prepare:
        actions.update({"reopen", "cancel"})
    if status == S.CONFIRMED and prepare:
        actions.update({"approve", "reopen"})
    if status == S.APPROVED and can_pay(user):
        actions.add("pay")
    return actions
