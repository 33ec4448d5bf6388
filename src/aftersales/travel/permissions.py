"""Who may see and do what with cash advances and reimbursements.

* A technician sees his own advances, claims and reimbursements; he requests an advance for
  himself, cancels it while it is requested, and drafts his own reimbursement.
* A team's leader sees his team's members' and decides their advances.
* Supervisors, finance and administrators see the technicians of their data scope (all, their
  region, their team); supervisors and administrators (dispatchers) and finance decide advances.
* Finance pays an advance, drafts, posts and closes a reimbursement and cancels a draft.
* Nobody decides his own advance; everybody else sees nothing (lists 403, documents 404).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, Team, User
from aftersales.core.errors import PermissionDenied

from .models import AdvanceStatus, CashAdvance, Reimbursement, ReimbursementStatus

A = AdvanceStatus
R = ReimbursementStatus
OVERSEER_ROLES = frozenset({Role.SUPERVISOR, Role.FINANCE, Role.ADMINISTRATOR})
DISPATCHER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def is_active_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def is_overseer(user: User) -> bool:
    return is_active_staff(user) and (user.is_superuser or user.role in OVERSEER_ROLES)


def is_finance(user: User) -> bool:
    return is_active_staff(user) and (user.is_superuser or user.role == Role.FINANCE)


def is_technician(user: User) -> bool:
    return is_active_staff(user) and user.role == Role.TECHNICIAN


def led_team_ids(user: User) -> list[int]:
    if not is_active_staff(user):
        return []
    return list(Team.objects.filter(leader=user).values_list("pk", flat=True))


def technicians_visible_to(user: User) -> QuerySet[User]:
    """The people whose travel money ``user`` sees: himself, the members of the teams he leads,
    and for supervisors, finance and administrators those of their data scope."""
    if not is_active_staff(user):
        return User.objects.none()
    if sees_everyone(user):
        return User.objects.all()
    condition = Q(pk=user.pk) | Q(team__leader=user)
    if user.role in OVERSEER_ROLES:
        if user.data_scope == DataScope.REGION and user.region_id:
            condition |= Q(region_id=user.region_id)
        if user.data_scope == DataScope.TEAM and user.team_id:
            condition |= Q(team_id=user.team_id)
    return User.objects.filter(condition)


def finance_for(technician: User) -> QuerySet[User]:
    """The active finance users whose data scope holds ``technician`` (all; his region; his
    team): who pays his advances and hears that one waits (the mirror of
    ``technicians_visible_to`` for finance)."""
    scope = Q(data_scope=DataScope.ALL)
    if technician.region_id:
        scope |= Q(data_scope=DataScope.REGION, region_id=technician.region_id)
    if technician.team_id:
        scope |= Q(data_scope=DataScope.TEAM, team_id=technician.team_id)
    return User.objects.filter(scope, role=Role.FINANCE, is_active=True).exclude(pk=technician.pk).order_by("id")


def sees_everyone(user: User) -> bool:
    return is_active_staff(user) and (user.is_superuser or (user.role in OVERSEER_ROLES and user.data_scope == DataScope.ALL))


def sees(user: User, technician_id: int, *, reach: Reach | None = None) -> bool:
    if sees_everyone(user):
        return True
    if reach is not None:
        return technician_id in reach.visible
    return technicians_visible_to(user).filter(pk=technician_id).exists()


@dataclass(frozen=True)
class Reach:
    """Which of a page's technicians ``user`` sees and which he leads, read once for the page
    (two queries) instead of once per row."""

    visible: frozenset[int]
    led: frozenset[int]


def reach_of(user: User, technician_ids: Collection[int]) -> Reach:
    ids = set(technician_ids)
    if not ids or not is_active_staff(user):
        return Reach(frozenset(), frozenset())
    visible = frozenset(technicians_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    led = frozenset(User.objects.filter(pk__in=ids, team__leader=user).values_list("pk", flat=True))
    return Reach(visible, led)


def sees_queue(user: User) -> bool:
    """The finance queue ``/travel/``: supervisors, finance, administrators and team leaders."""
    return is_overseer(user) or bool(led_team_ids(user))


def leads_team_of(user: User, technician_id: int, *, reach: Reach | None = None) -> bool:
    if reach is not None:
        return technician_id in reach.led
    return is_active_staff(user) and Team.objects.filter(leader=user, members__pk=technician_id).exists()


def can_decide_advance(user: User, advance: CashAdvance, *, reach: Reach | None = None) -> bool:
    """A dispatcher (supervisor, administrator), finance or the technician's team leader, the
    technician in their scope; never one's own advance. ``reach``: read once for a list."""
    if not is_active_staff(user) or advance.technician_id == user.pk:
        return False
    deciders = user.is_superuser or user.role in DISPATCHER_ROLES or user.role == Role.FINANCE
    if deciders and sees(user, advance.technician_id, reach=reach):
        return True
    return leads_team_of(user, advance.technician_id, reach=reach)


def can_handle_money(user: User, technician_id: int, *, reach: Reach | None = None) -> bool:
    """Pay an advance; draft, post, close a reimbursement: finance, the technician in scope."""
    return is_finance(user) and sees(user, technician_id, reach=reach)


def check_request(user: User) -> None:
    if not is_technician(user):
        raise PermissionDenied(_("Only a technician may request a cash advance."), code="advance_not_allowed")


def check_decide(user: User, advance: CashAdvance) -> None:
    if is_active_staff(user) and advance.technician_id == user.pk:
        raise PermissionDenied(_("Nobody decides their own cash advance."), code="own_advance")
    if not can_decide_advance(user, advance):
        raise PermissionDenied(
            _("Only a dispatcher, the technician's team leader or finance may decide a cash advance."),
            code="advance_decide_not_allowed",
        )


def check_money(user: User, technician_id: int) -> None:
    if not can_handle_money(user, technician_id):
        raise PermissionDenied(_("Only finance may do this."), code="finance_only")


def check_own_advance(user: User, advance: CashAdvance) -> None:
    if not is_active_staff(user) or advance.technician_id != user.pk:
        raise PermissionDenied(_("Only the technician who requested it may cancel a cash advance."), code="not_your_advance")


def check_draft(user: User, technician: User) -> None:
    if is_active_staff(user) and technician.pk == user.pk:
        return
    if not can_handle_money(user, technician.pk):
        raise PermissionDenied(
            _("Only finance or the technician himself may draft a reimbursement."), code="reimbursement_not_allowed"
        )


def check_cancel_reimbursement(user: User, reimbursement: Reimbursement) -> None:
    if is_active_staff(user) and reimbursement.technician_id == user.pk:
        return
    check_money(user, reimbursement.technician_id)


def advance_actions(user: User, advance: CashAdvance, *, reach: Reach | None = None) -> set[str]:
    """The actions ``user`` may take on ``advance`` now (the page's buttons, the API's list;
    ``reach`` as for ``can_decide_advance``)."""
    actions: set[str] = set()
    if advance.status == A.REQUESTED:
        if can_decide_advance(user, advance, reach=reach):
            actions.update({"approve", "reject"})
        if is_active_staff(user) and advance.technician_id == user.pk:
            actions.add("cancel")
    if advance.status == A.APPROVED and can_handle_money(user, advance.technician_id, reach=reach):
        actions.add("pay")
    return actions


def reimbursement_actions(user: User, reimbursement: Reimbursement, *, reach: Reach | None = None) -> set[str]:
    actions: set[str] = set()
    finance = can_handle_money(user, reimbursement.technician_id, reach=reach)
    if reimbursement.status == R.DRAFT:
        if finance:
            actions.add("post")
        if finance or (is_active_staff(user) and reimbursement.technician_id == user.pk):
            actions.add("cancel")
    if reimbursement.status == R.POSTED and finance:
        actions.add("close")
    return actions
