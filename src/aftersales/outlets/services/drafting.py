"""Drafting a settlement statement, recalculating a draft and adjusting one of its lines.

A work order enters an outlet's statement when it was dispatched to the outlet (``WorkOrder.outlet``,
frozen at dispatch), accepted by the customer within the period (local days, Asia/Shanghai) and is
on no other live statement. Drafting locks the outlet row first, so two drafts of one outlet never
claim the same work order; the database keeps a work order on one live statement and one live
statement per outlet and period (partial unique constraints).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import ServiceOutlet, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.fieldservice.ftf import FINISHED, REPAIR_KINDS, is_fault_ticket, window_days
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus

from ..audit_actions import OutletAudit
from ..models import Settlement, SettlementLine, SettlementStatus
from ..permissions import check_prepare
from ..states import EDITABLE
from .amounts import Rates, line_amounts, money
from .common import lock_settlement, text

S = SettlementStatus


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month ``day`` falls in: its first and last day."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    return month_of(today.replace(day=1) - dt.timedelta(days=1))


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def _rates_of(outlet: ServiceOutlet) -> Rates:
    return Rates(
        call_out_fee=outlet.call_out_fee,
        labour_rate=outlet.labour_rate,
        travel_rate=outlet.travel_rate,
        repeat_penalty=outlet.repeat_penalty,
    )


def _rates_on(settlement: Settlement) -> Rates:
    return Rates(
        call_out_fee=settlement.call_out_fee,
        labour_rate=settlement.labour_rate,
        travel_rate=settlement.travel_rate,
        repeat_penalty=settlement.repeat_penalty,
    )


def eligible_work_orders(
    *, outlet: ServiceOutlet, start: dt.date, end: dt.date, settlement: Settlement | None = None
) -> QuerySet[WorkOrder]:
    """The outlet's work orders accepted by the customer in ``start`` … ``end`` that no other live
    statement holds."""
    since, until = _bounds(start, end)
    taken = SettlementLine.objects.filter(live=True)
    if settlement is not None:
        taken = taken.exclude(settlement=settlement)
    return (
        WorkOrder.objects.filter(
            outlet=outlet,
            status=WorkOrderStatus.CUSTOMER_ACCEPTED,
            customer_accepted_at__gte=since,
            customer_accepted_at__lt=until,
        )
        .exclude(pk__in=taken.values("work_order_id"))
        .select_related("ticket")
        .order_by("customer_accepted_at", "id")
    )


def repeat_of(work_order: WorkOrder) -> WorkOrder | None:
    """The outlet's earlier repair this job repeats (``fieldservice.ftf``'s definition seen from
    the second job): the same unit, a repair finished by the same outlet within the first-time-fix
    window before this job's ticket — a fault ticket — was opened. None when it is no repeat."""
    ticket = work_order.ticket
    if work_order.outlet_id is None or ticket.product_unit_id is None or not is_fault_ticket(ticket):
        return None
    window = dt.timedelta(days=window_days())
    return (
        WorkOrder.objects.filter(
            outlet_id=work_order.outlet_id,
            kind__in=REPAIR_KINDS,
            status__in=FINISHED,
            ticket__product_unit_id=ticket.product_unit_id,
            completed_at__lt=ticket.created_at,
            completed_at__gte=ticket.created_at - window,
        )
        .exclude(ticket_id=ticket.pk)
        .order_by("-completed_at", "-id")
        .first()
    )


def _fill(line: SettlementLine, work_order: WorkOrder, rates: Rates) -> SettlementLine:
    earlier = repeat_of(work_order)
    assert work_order.customer_accepted_at is not None
    line.completed_at = work_order.customer_accepted_at
    line.visits = 1
    line.labour_hours = work_order.labour_hours
    line.travel_km = work_order.travel_km
    line.repeat_of = earlier.number if earlier else ""
    parts = line_amounts(
        rates=rates,
        visits=line.visits,
        hours=line.labour_hours,
        km=line.travel_km,
        repeat=earlier is not None,
        adjustment=line.adjustment,
    )
    line.call_out_amount, line.labour_amount, line.travel_amount = parts.call_out, parts.labour, parts.travel
    line.penalty_amount, line.amount = parts.penalty, parts.amount
    return line


LINE_FIELDS = [
    "completed_at",
    "visits",
    "labour_hours",
    "travel_km",
    "repeat_of",
    "call_out_amount",
    "labour_amount",
    "travel_amount",
    "penalty_amount",
    "amount",
]


def _totals(settlement: Settlement) -> None:
    sums = SettlementLine.objects.filter(settlement=settlement).aggregate(
        call_out=Sum("call_out_amount"),
        labour=Sum("labour_amount"),
        travel=Sum("travel_amount"),
        penalty=Sum("penalty_amount"),
        adjustment=Sum("adjustment"),
        amount=Sum("amount"),
    )
    zero = Decimal("0.00")
    settlement.line_count = SettlementLine.objects.filter(settlement=settlement).count()
    settlement.total_call_out = sums["call_out"] or zero
    settlement.total_labour = sums["labour"] or zero
    settlement.total_travel = sums["travel"] or zero
    settlement.total_penalty = sums["penalty"] or zero
    settlement.total_adjustment = sums["adjustment"] or zero
    settlement.total_amount = sums["amount"] or zero


TOTAL_FIELDS = [
    "line_count",
    "total_call_out",
    "total_labour",
    "total_travel",
    "total_penalty",
    "total_adjustment",
    "total_amount",
]


def _collect(settlement: Settlement, outlet: ServiceOutlet) -> dict[str, int]:
    """Bring the draft's lines in line with the eligible work orders: new ones added, those that
    no longer qualify removed, every amount computed again (adjustments kept)."""
    rates = _rates_on(settlement)
    wanted = {
        wo.pk: wo
        for wo in eligible_work_orders(
            outlet=outlet, start=settlement.period_start, end=settlement.period_end, settlement=settlement
        )
    }
    existing = {line.work_order_id: line for line in SettlementLine.objects.filter(settlement=settlement)}
    removed = [pk for pk in existing if pk not in wanted]
    SettlementLine.objects.filter(settlement=settlement, work_order_id__in=removed).delete()
    added = 0
    for pk, work_order in wanted.items():
        line = existing.get(pk)
        if line is None:
            _fill(SettlementLine(settlement=settlement, work_order=work_order), work_order, rates).save()
            added += 1
        else:
            _fill(line, work_order, rates).save(update_fields=LINE_FIELDS)
    _totals(settlement)
    return {"added": added, "removed": len(removed)}


def _number(outlet: ServiceOutlet, start: dt.date) -> str:
    base = f"JS{start:%Y%m%d}-{outlet.code[:24].upper()}"
    taken = Settlement.objects.filter(number__startswith=base).count()
    return base if not taken else f"{base}-{taken + 1}"


@dataclass(frozen=True)
class Drafted:
    settlement: Settlement | None
    created: bool


@transaction.atomic
def settlement_draft(
    *,
    outlet: ServiceOutlet,
    actor: User | None,
    period_start: dt.date,
    period_end: dt.date | None = None,
    skip_empty: bool = False,
) -> Drafted:
    """The outlet's statement for the period (a calendar month when ``period_end`` is None), drafted
    with the contract's rates and one line per eligible work order. Idempotent: the live statement
    of the same outlet and period is returned as it is. ``skip_empty`` (the monthly job): no
    statement when there is nothing to settle. ``actor`` None: the system (the monthly job)."""
    if actor is not None:
        check_prepare(actor)
    if period_end is None:
        period_start, period_end = month_of(period_start)
    if period_end < period_start:
        raise ValidationFailed({"period_end": [_("The period cannot end before it starts.")]}, code="period_invalid")
    if period_start > clock.local_today():
        raise ValidationFailed({"period_start": [_("The period has not started yet.")]}, code="period_invalid")
    locked = ServiceOutlet.objects.select_for_update().get(pk=outlet.pk)  # one draft of an outlet at a time
    found = (
        Settlement.objects.filter(outlet=locked, period_start=period_start, period_end=period_end)
        .exclude(status=S.CANCELLED)
        .first()
    )
    if found is not None:
        return Drafted(settlement=found, created=False)
    overlapping = (
        Settlement.objects.filter(outlet=locked, period_start__lte=period_end, period_end__gte=period_start)
        .exclude(status=S.CANCELLED)
        .first()
    )
    if overlapping is not None:
        raise DomainError(
            _("The statement %(number)s already covers part of this period.") % {"number": overlapping.number},
            code="period_overlaps",
            field="period_start",
        )
    if skip_empty and not eligible_work_orders(outlet=locked, start=period_start, end=period_end).exists():
        return Drafted(settlement=None, created=False)
    rates = _rates_of(locked)
    now = clock.now()
    settlement = Settlement.objects.create(
        number=_number(locked, period_start),
        outlet=locked,
        period_start=period_start,
        period_end=period_end,
        call_out_fee=rates.call_out_fee,
        labour_rate=rates.labour_rate,
        travel_rate=rates.travel_rate,
        repeat_penalty=rates.repeat_penalty,
        drafted_by=actor,
        drafted_at=now,
        updated_at=now,
    )
    counts = _collect(settlement, locked)
    settlement.save(update_fields=TOTAL_FIELDS)
    audit_record(
        action=OutletAudit.SETTLEMENT_DRAFTED,
        obj=settlement,
        actor=actor,
        changes={
            "period": [str(period_start), str(period_end)],
            "lines": counts["added"],
            "total_amount": str(settlement.total_amount),
            "rates": {k: str(v) for k, v in vars(rates).items()},
        },
    )
    return Drafted(settlement=settlement, created=True)


def _save(settlement: Settlement, fields: list[str]) -> None:
    settlement.version += 1
    settlement.updated_at = clock.now()
    settlement.save(update_fields=[*fields, "version", "updated_at"])


def _check_editable(settlement: Settlement) -> None:
    if settlement.status not in EDITABLE:
        raise DomainError(
            _("Only a draft statement can be changed; this one is “%(status)s”.") % {"status": settlement.get_status_display()},
            code="settlement_not_draft",
            field="status",
        )


@transaction.atomic
def settlement_recalculate(*, settlement: Settlement, actor: User, expected_version: int | None = None) -> Settlement:
    """A draft again from the work orders and the outlet's current contract rates (work accepted
    since, or moved off the outlet, is taken in or out); manual adjustments are kept."""
    check_prepare(actor)
    outlet = ServiceOutlet.objects.select_for_update().get(pk=settlement.outlet_id)
    locked = lock_settlement(settlement, expected_version=expected_version)
    _check_editable(locked)
    before = str(locked.total_amount)
    rates = _rates_of(outlet)
    locked.call_out_fee, locked.labour_rate = rates.call_out_fee, rates.labour_rate
    locked.travel_rate, locked.repeat_penalty = rates.travel_rate, rates.repeat_penalty
    locked.save(update_fields=["call_out_fee", "labour_rate", "travel_rate", "repeat_penalty"])
    counts = _collect(locked, outlet)
    _save(locked, TOTAL_FIELDS)
    audit_record(
        action=OutletAudit.SETTLEMENT_RECALCULATED,
        obj=locked,
        actor=actor,
        changes={"total_amount": [before, str(locked.total_amount)], **counts},
    )
    return locked


@transaction.atomic
def settlement_adjust_line(
    *, settlement: Settlement, line_id: int, actor: User, adjustment: Any, reason: str, expected_version: int | None = None
) -> SettlementLine:
    """Set a draft line's manual adjustment (positive or negative, replacing the previous one); a
    reason is required unless the adjustment is taken back to 0."""
    check_prepare(actor)
    locked = lock_settlement(settlement, expected_version=expected_version)
    _check_editable(locked)
    line = SettlementLine.objects.select_related("work_order").filter(settlement=locked, pk=line_id).first()
    if line is None:
        raise ValidationFailed({"line": [_("Choose a line of this statement.")]}, code="line_invalid")
    amount = money(adjustment, field="adjustment", allow_negative=True)
    why = text(reason, field="reason", required=amount != 0, message=_("Say why the amount is adjusted."))
    before = [str(line.adjustment), line.adjustment_reason]
    line.adjustment, line.adjustment_reason = amount, why if amount != 0 else ""
    line.amount = line.call_out_amount + line.labour_amount + line.travel_amount - line.penalty_amount + line.adjustment
    line.save(update_fields=["adjustment", "adjustment_reason", "amount"])
    _totals(locked)
    _save(locked, TOTAL_FIELDS)
    audit_record(
        action=OutletAudit.SETTLEMENT_LINE_ADJUSTED,
        obj=locked,
        actor=actor,
        changes={
            "work_order": line.work_order.number,
            "adjustment": [before[0], str(line.adjustment)],
            "reason": [before[1], line.adjustment_reason],
        },
    )
    return line
