"""Resources allocated to a crisis: spare parts reserved from a warehouse's emergency reserve
(through ``parts.stock``: rows locked in key order, never below zero, released when the crisis
is recovered), technicians assigned, the budget and the money spent — and their cost, which the
review reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.i18n import ACTOR_SYSTEM
from aftersales.notifications.services import notify_staff
from aftersales.parts import stock as parts_stock
from aftersales.parts.models import Stock

from ..audit_actions import CrisisAudit
from ..models import PARTS_CURRENCY, Crisis, CrisisStatus, Currency, Expense, PartReservation, TechnicianAssignment
from ..permissions import check_manage
from ..states import OPEN_STATUSES
from .shared import bump, clean_text, lock_crisis

MAX_QUANTITY = 10000
MAX_AMOUNT = Decimal("9999999999.99")


def _require_open(crisis: Crisis) -> None:
    if crisis.status not in OPEN_STATUSES:
        raise Conflict(_("This crisis is no longer open."), code="crisis_closed")


def _amount(value: Any, *, field: str, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed({field: [_("Enter an amount, e.g. 1200.50.")]}, code="amount_invalid") from None
    if amount < 0 or (amount == 0 and not allow_zero) or amount > MAX_AMOUNT:
        raise ValidationFailed({field: [_("Enter an amount greater than zero.")]}, code="amount_invalid")
    return amount


@transaction.atomic
def crisis_reserve_parts(*, crisis: Crisis, actor: User, stock: Stock, quantity: int) -> PartReservation:
    """Reserve ``quantity`` of a stock row that holds an emergency reserve, as urgent work may
    (the emergency reserve included); refused when the row has not that much available."""
    check_manage(actor)
    if not isinstance(quantity, int) or quantity < 1 or quantity > MAX_QUANTITY:
        raise ValidationFailed({"quantity": [_("Enter a quantity of at least 1.")]}, code="quantity_invalid")
    locked = lock_crisis(crisis.pk, None)
    _require_open(locked)
    row = parts_stock.lock_stock([(stock.warehouse_id, stock.part_id)])[(stock.warehouse_id, stock.part_id)]
    if row.emergency_reserve <= 0:
        raise ValidationFailed(
            {"stock": [_("This warehouse keeps no emergency reserve of this part.")]}, code="no_emergency_reserve"
        )
    parts_stock.reserve(row, quantity=quantity, urgent=True)
    now = clock.now()
    reservation = PartReservation.objects.create(
        crisis=locked, stock=row, quantity=quantity, unit_cost=row.part.unit_cost, reserved_by=actor, reserved_at=now
    )
    bump(locked, now)
    audit_record(
        action=CrisisAudit.PARTS_RESERVED,
        obj=locked,
        actor=actor,
        changes={"part": row.part.number, "warehouse": row.warehouse_id, "quantity": quantity},
    )
    return reservation


def _release(reservations: list[PartReservation], *, actor: User | None, now: dt.datetime) -> int:
    """Give the reserved quantities back to their (locked) stock rows; returns how many."""
    if not reservations:
        return 0
    keys = {(r.stock.warehouse_id, r.stock.part_id) for r in reservations}
    rows = parts_stock.lock_stock(keys)
    for reservation in reservations:
        parts_stock.release(rows[(reservation.stock.warehouse_id, reservation.stock.part_id)], quantity=reservation.quantity)
    PartReservation.objects.filter(pk__in=[r.pk for r in reservations]).update(released_at=now, released_by=actor)
    return len(reservations)


@transaction.atomic
def crisis_release_parts(*, reservation: PartReservation, actor: User) -> PartReservation:
    """Give one reservation back before the crisis ends (released already: nothing happens)."""
    check_manage(actor)
    locked = lock_crisis(reservation.crisis_id, None)
    row = PartReservation.objects.select_for_update().select_related("stock").get(pk=reservation.pk)
    if row.released_at is None:
        now = clock.now()
        _release([row], actor=actor, now=now)
        bump(locked, now)
        audit_record(
            action=CrisisAudit.PARTS_RELEASED, obj=locked, actor=actor, changes={"reservation": row.pk, "quantity": row.quantity}
        )
        row.refresh_from_db()
    return row


def release_all_parts(*, crisis: Crisis, actor: User | None, now: dt.datetime) -> int:
    """The crisis is recovered: every reservation still held goes back to stock (inside the
    transition's transaction, the crisis row locked)."""
    held = list(
        PartReservation.objects.select_for_update()
        .filter(crisis=crisis, released_at__isnull=True)
        .select_related("stock")
        .order_by("pk")
    )
    count = _release(held, actor=actor, now=now)
    if count:
        audit_record(
            action=CrisisAudit.PARTS_RELEASED,
            obj=crisis,
            actor=actor,
            actor_label="" if actor else ACTOR_SYSTEM,
            changes={"reservations": [r.pk for r in held], "on": CrisisStatus.RECOVERED},
        )
    return count


@transaction.atomic
def crisis_assign_technician(*, crisis: Crisis, actor: User, user: User, note: str = "") -> TechnicianAssignment:
    check_manage(actor)
    if not user.is_active or user.role != Role.TECHNICIAN:
        raise ValidationFailed({"user": [_("Choose an active technician.")]}, code="user_invalid")
    locked = lock_crisis(crisis.pk, None)
    _require_open(locked)
    now = clock.now()
    assignment, created = TechnicianAssignment.objects.get_or_create(
        crisis=locked,
        user=user,
        defaults={"note": clean_text(note, field="note", required=False, limit=200), "assigned_by": actor, "assigned_at": now},
    )
    if not created:
        return assignment
    bump(locked, now)
    audit_record(action=CrisisAudit.TECHNICIAN_ASSIGNED, obj=locked, actor=actor, changes={"user": user.username})
    notify_staff(
        users=[user],
        template="crisis.technician",  # editable: notifications.template_events
        params={"code": locked.code, "title": locked.title},
        link=f"/crisis/{locked.pk}/",
        link_text=_("Open the crisis:"),
    )
    return assignment


@transaction.atomic
def crisis_set_budget(
    *, crisis: Crisis, actor: User, amount: Any, currency: str = Currency.CNY, expected_version: int | None = None
) -> Crisis:
    check_manage(actor)
    if currency not in Currency.values:
        raise ValidationFailed({"currency": [_("Choose a valid currency.")]}, code="currency_invalid")
    value = _amount(amount, field="amount", allow_zero=True)
    locked = lock_crisis(crisis.pk, expected_version)
    if locked.status == CrisisStatus.REVIEWED:
        raise Conflict(_("This crisis is reviewed; its figures are final."), code="crisis_reviewed")
    if currency != locked.budget_currency and locked.expenses.exists():
        raise ValidationFailed(
            {"currency": [_("Money was already spent in %(currency)s.") % {"currency": locked.budget_currency}]},
            code="currency_fixed",
        )
    before = [str(locked.budget_amount) if locked.budget_amount is not None else None, locked.budget_currency]
    bump(locked, clock.now(), budget_amount=value, budget_currency=currency)
    audit_record(action=CrisisAudit.BUDGET_SET, obj=locked, actor=actor, changes={"budget": [before, [str(value), currency]]})
    return locked


@transaction.atomic
def crisis_record_expense(*, crisis: Crisis, actor: User, amount: Any, description: str) -> Expense:
    """Money spent, in the budget's currency (until the review)."""
    check_manage(actor)
    value = _amount(amount, field="amount")
    text = clean_text(description, field="description", limit=200)
    locked = lock_crisis(crisis.pk, None)
    if locked.status == CrisisStatus.REVIEWED:
        raise Conflict(_("This crisis is reviewed; its figures are final."), code="crisis_reviewed")
    now = clock.now()
    expense = Expense.objects.create(crisis=locked, amount=value, description=text, recorded_by=actor, recorded_at=now)
    bump(locked, now)
    audit_record(
        action=CrisisAudit.EXPENSE_RECORDED,
        obj=locked,
        actor=actor,
        changes={"amount": str(value), "currency": locked.budget_currency, "description": text},
    )
    return expense


def resources_cost(crisis: Crisis) -> dict[str, Any]:
    """The cost of the crisis: the parts reserved (at their unit cost when reserved, in CNY) and
    the money spent against the budget; the total where both are in one currency."""
    parts_value = sum((r.value for r in crisis.part_reservations.all()), Decimal("0"))
    spent = crisis.expenses.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    same = crisis.budget_currency == PARTS_CURRENCY
    return {
        "parts_value": str(parts_value.quantize(Decimal("0.01"))),
        "parts_currency": str(PARTS_CURRENCY),
        "parts_reserved": sum(r.quantity for r in crisis.part_reservations.all()),
        "technicians": crisis.technicians.count(),
        "budget": str(crisis.budget_amount) if crisis.budget_amount is not None else None,
        "spent": str(Decimal(spent).quantize(Decimal("0.01"))),
        "currency": crisis.budget_currency,
        "total": str((parts_value + spent).quantize(Decimal("0.01"))) if same else None,
    }
