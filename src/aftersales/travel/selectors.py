"""Reads of the travel app, always scoped to the reader (``permissions.technicians_visible_to``):
a technician his own, a team leader his team's, supervisors, finance and administrators their
data scope's; everybody else nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, User
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import NotFound
from aftersales.core.money import cents
from aftersales.fieldservice.models import ExpenseClaim, ExpenseStatus
from aftersales.fieldservice.permissions import can_decide_expenses, work_orders_visible_to

from .models import (
    ZERO,
    AdvanceStatus,
    CashAdvance,
    Reimbursement,
    ReimbursementLine,
    ReimbursementStatus,
    Trip,
)
from .permissions import technicians_visible_to
from .settlement import overdue_if_paid_before, settle_days

A = AdvanceStatus
R = ReimbursementStatus


def technicians_visible(*, user: User) -> QuerySet[User]:
    """The people whose travel money ``user`` sees (``permissions.technicians_visible_to``)."""
    return technicians_visible_to(user)


def advances_visible_to(user: User) -> QuerySet[CashAdvance]:
    return CashAdvance.objects.filter(technician__in=technicians_visible_to(user).values("pk"))


def reimbursements_visible_to(user: User) -> QuerySet[Reimbursement]:
    return Reimbursement.objects.filter(technician__in=technicians_visible_to(user).values("pk"))


def claims_visible_to(user: User) -> QuerySet[ExpenseClaim]:
    return ExpenseClaim.objects.filter(technician__in=technicians_visible_to(user).values("pk"))


def claims_decidable_by(user: User) -> QuerySet[ExpenseClaim]:
    """The expense claims ``user`` may decide, among the technicians he sees: field service's rule
    (``expense_claim_decide``: a dispatcher or finance, the claim's work order in his data scope
    — ``fieldservice.permissions.in_scope`` — never his own claim). The queue lists these only, so
    that every claim it shows can be decided from it."""
    if not can_decide_expenses(user):
        return ExpenseClaim.objects.none()
    qs = claims_visible_to(user).exclude(technician=user)
    if user.is_superuser or user.data_scope == DataScope.ALL:  # every work order is in his scope
        return qs
    return qs.filter(work_order__in=work_orders_visible_to(user).values("pk"))


def overdue_condition() -> Q | None:
    """Paid advances overdue for settlement today (``settlement``); None when the rule is off."""
    paid_before = overdue_if_paid_before(today=clock.local_today(), days=settle_days())
    if paid_before is None:
        return None
    return Q(status=A.PAID, paid_at__lt=paid_before)


def _search(
    qs: QuerySet[Any], technician: str, fields: tuple[str, ...] = ("technician__username", "technician__display_name")
) -> QuerySet[Any]:
    if not technician:
        return qs
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": technician})
    return qs.filter(condition)


def advance_list(
    *,
    user: User,
    statuses: list[str] | None = None,
    technician: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    overdue: bool = False,
) -> QuerySet[CashAdvance]:
    """Advances visible to ``user``, newest first; filters: statuses, the technician (username or
    name, a part of it), trips ending on or after ``since`` and starting on or before ``until``,
    ``overdue`` for settlement (none when the rule is off)."""
    qs = advances_visible_to(user).select_related("technician")
    if statuses:
        qs = qs.filter(status__in=statuses)
    if overdue:
        condition = overdue_condition()
        qs = qs.filter(condition) if condition is not None else qs.none()
    qs = _search(qs, technician)
    if since is not None:
        qs = qs.filter(trip_until__gte=since)
    if until is not None:
        qs = qs.filter(trip_from__lte=until)
    return qs.order_by("-requested_at", "-id")


def advance_get_for_user(*, user: User, number: str) -> CashAdvance:
    found = (
        advances_visible_to(user)
        .select_related("technician__team", "decided_by", "paid_by")
        .filter(number=number.strip().upper())
        .first()
    )
    if found is None:
        raise NotFound(_("No cash advance with this number is visible to you."), code="advance_not_found")
    return found


def reimbursement_list(*, user: User, statuses: list[str] | None = None, technician: str = "") -> QuerySet[Reimbursement]:
    qs = _search(reimbursements_visible_to(user).select_related("technician"), technician)
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs.order_by("-drafted_at", "-id")


def reimbursement_get_for_user(*, user: User, number: str) -> Reimbursement:
    found = (
        reimbursements_visible_to(user)
        .select_related("technician", "drafted_by", "posted_by", "closed_by")
        .filter(number=number.strip().upper())
        .first()
    )
    if found is None:
        raise NotFound(_("No reimbursement with this number is visible to you."), code="reimbursement_not_found")
    return found


def reimbursement_lines(reimbursement: Reimbursement) -> list[ReimbursementLine]:
    return list(
        ReimbursementLine.objects.filter(reimbursement=reimbursement)
        .select_related("claim__work_order", "advance")
        .order_by("kind", "id")
    )


def claim_list(
    *, user: User, statuses: list[str] | None = None, technician: str = "", decidable: bool = False
) -> QuerySet[ExpenseClaim]:
    """Expense claims across work orders visible to ``user`` (``decidable``: only those he may
    decide, ``claims_decidable_by`` — the queue), oldest first (the queue's order); each with
    ``on_reimbursement``: a live reimbursement holds it."""
    pool = claims_decidable_by(user) if decidable else claims_visible_to(user)
    qs = _search(pool.select_related("work_order", "technician"), technician)
    if statuses:
        qs = qs.filter(status__in=statuses)
    live = ReimbursementLine.objects.filter(claim=OuterRef("pk"), live=True)
    return qs.annotate(on_reimbursement=Exists(live)).order_by("created_at", "id")


def claim_get_for_user(*, user: User, claim_id: int) -> ExpenseClaim:
    """A claim ``user`` may decide (the queue's decision; ``NotFound`` for any other)."""
    found = claims_decidable_by(user).select_related("work_order__ticket").filter(pk=claim_id).first()
    if found is None:
        raise NotFound(_("No expense claim with this number is visible to you."), code="claim_not_found")
    return found


@dataclass(frozen=True)
class Balance:
    """One technician's travel money: advances paid out and not settled (what he owes), approved
    claims not yet on a reimbursement (what he is owed), and their difference."""

    technician: User
    outstanding: Decimal
    open_advances: int
    claims_due: Decimal
    open_claims: int
    overdue_advances: int = 0  # of ``open_advances``, overdue for settlement

    @property
    def net(self) -> Decimal:
        return self.claims_due - self.outstanding


def balances(*, user: User, technician: str = "") -> list[Balance]:
    """Per technician visible to ``user`` with an advance outstanding or a claim to reimburse (two
    queries, whatever the number of technicians)."""
    overdue = overdue_condition()
    advances = (
        _search(advances_visible_to(user).filter(status=A.PAID), technician)
        .values("technician_id")
        .annotate(
            total=Sum("amount"),
            n=Count("id"),
            late=Count("id", filter=overdue) if overdue is not None else Value(0),
        )
    )
    taken = ReimbursementLine.objects.filter(live=True, claim__isnull=False).values("claim_id")
    claims = (
        _search(claims_visible_to(user).filter(status=ExpenseStatus.APPROVED).exclude(pk__in=taken), technician)
        .values("technician_id")
        .annotate(total=Sum("amount"), n=Count("id"))
    )
    rows: dict[int, dict[str, object]] = {}
    for row in advances:
        rows.setdefault(row["technician_id"], {}).update(
            outstanding=cents(row["total"]), open_advances=row["n"], overdue_advances=row["late"]
        )
    for row in claims:
        rows.setdefault(row["technician_id"], {}).update(claims_due=cents(row["total"]), open_claims=row["n"])
    people = {u.pk: u for u in User.objects.filter(pk__in=rows)}
    result = [
        Balance(
            technician=people[pk],
            outstanding=values.get("outstanding") or ZERO,  # type: ignore[arg-type]
            open_advances=values.get("open_advances") or 0,  # type: ignore[arg-type]
            claims_due=values.get("claims_due") or ZERO,  # type: ignore[arg-type]
            open_claims=values.get("open_claims") or 0,  # type: ignore[arg-type]
            overdue_advances=values.get("overdue_advances") or 0,  # type: ignore[arg-type]
        )
        for pk, values in rows.items()
    ]
    return sorted(result, key=lambda b: (-b.outstanding, b.technician.username))


def balance_of(technician: User) -> Balance:
    """The technician's own balance (his page)."""
    found = [b for b in balances(user=technician) if b.technician.pk == technician.pk]
    return found[0] if found else Balance(technician, ZERO, 0, ZERO, 0)


def reimbursement_counts(*, user: User) -> dict[str, int]:
    rows = reimbursements_visible_to(user).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def history(obj: CashAdvance | Reimbursement | Trip) -> list[AuditEvent]:
    """The document's audit rows, oldest first (its page's history)."""
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .select_related("actor")
        .order_by("created_at", "id")
    )


# --- The Today page's cards (desk) --------------------------------------------------------------


@dataclass(frozen=True)
class FinanceDesk:
    """Finance's travel work, counted in its scope: claims to decide (those it may decide), advances
    approved and waiting to be paid, reimbursements posted and waiting to be closed, advances paid
    and overdue for settlement (None when the rule is off: no tile)."""

    claims_to_decide: int
    advances_to_pay: int
    reimbursements_to_close: int
    advances_overdue: int | None = None


def finance_desk(*, user: User) -> FinanceDesk:
    """Four counts (three with the overdue rule off), one query each."""
    overdue = overdue_condition()
    return FinanceDesk(
        claims_to_decide=claims_decidable_by(user).filter(status=ExpenseStatus.SUBMITTED).count(),
        advances_to_pay=advances_visible_to(user).filter(status=A.APPROVED).count(),
        reimbursements_to_close=reimbursements_visible_to(user).filter(status=R.POSTED).count(),
        advances_overdue=advances_visible_to(user).filter(overdue).count() if overdue is not None else None,
    )


@dataclass(frozen=True)
class TechnicianDesk:
    """A technician's own travel money: what he owes on his paid advances, and how many of his
    advances wait for a decision or the payment."""

    outstanding: Decimal
    waiting: int


def technician_desk(*, user: User) -> TechnicianDesk:
    """One query."""
    row = CashAdvance.objects.filter(technician=user, status__in=[A.PAID, A.REQUESTED, A.APPROVED]).aggregate(
        outstanding=Sum("amount", filter=Q(status=A.PAID)),
        waiting=Count("id", filter=Q(status__in=[A.REQUESTED, A.APPROVED])),
    )
    return TechnicianDesk(outstanding=cents(row["outstanding"] or ZERO), waiting=row["waiting"] or 0)
