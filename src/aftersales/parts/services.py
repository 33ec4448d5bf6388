"""Writes for spare parts and stock. Every stock change goes through ``stock.move`` (ledger line
and new level in one transaction, rows locked in primary-key order); every document change is
audited and, when it concerns a work order, appears in its ticket's timeline.

Interface used by field service (all keyword-only):

- ``warehouse_for_technician(*, technician) -> Warehouse`` — the technician's van, created on demand.
- ``requisition_create(*, work_order, warehouse, lines: list[tuple[Part, int]], actor, note="") -> Requisition``
  (领料单, draft; from a central/regional warehouse into the work order technician's van).
- ``requisition_submit(*, requisition, actor) -> Requisition`` — needs approval when a
  ``RequisitionApprovalRule`` matches (status ``submitted``); otherwise approved at once. Approval
  reserves the stock; only an urgent ticket's work order may draw the emergency reserve.
- ``requisition_decide(*, requisition, actor, approve: bool, comment="") -> Requisition``.
- ``requisition_issue(*, requisition, actor) -> Requisition`` — warehouse → van, consumes the reservation.
- ``requisition_cancel(*, requisition, actor, reason="") -> Requisition`` — releases a reservation.
- ``parts_record_used(*, work_order, lines: list[UsedPartInput], actor) -> list[PartUsage]`` — consumes
  from the technician's van, linked to the work order and the ticket's product unit.
- ``return_create(*, work_order, technician, warehouse, unused: list[tuple[Part, int]],
  faulty: list[FaultyInput], actor) -> PartReturn`` (退料单) — unused parts leave the van now and
  enter the warehouse on ``return_receive``; faulty parts go to appraisal (never sellable stock).

Errors: ``DomainError`` codes ``insufficient_stock``, ``requisition_not_<status>``,
``warehouse_inactive``, ``van_not_allowed``, ``no_technician``, ``work_order_closed`` (cancelled,
failed or accepted by the customer), ``part_inactive``;
``ValidationFailed`` for bad lines; ``PermissionDenied`` for the wrong person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed

from . import permissions as perms
from . import stock
from .models import (
    AppraisalResult,
    ApproverRole,
    FaultyPartReturn,
    FaultyStatus,
    MovementKind,
    Part,
    PartReturn,
    PartReturnLine,
    PartReturnStatus,
    PartUsage,
    Requisition,
    RequisitionApprovalRule,
    RequisitionLine,
    RequisitionStatus,
    Stock,
    Transfer,
    TransferLine,
    TransferStatus,
    Warehouse,
    WarehouseKind,
)

MAX_LINES = 50
MAX_QUANTITY = 10_000
# Work order statuses after which no parts are requested or recorded any more.
CLOSED_WORK_ORDER_STATUSES = frozenset({"cancelled", "failed", "customer_accepted"})


@dataclass(frozen=True)
class UsedPartInput:
    """A part fitted on the job: ``serial`` of the new part, ``removed_serial`` of the old one."""

    part: Part
    quantity: int
    serial: str = ""
    removed_serial: str = ""


@dataclass(frozen=True)
class FaultyInput:
    """A faulty part taken out of the customer's unit, returned for appraisal."""

    part: Part
    serial: str = ""
    condition: str = ""


# --- Helpers ----------------------------------------------------------------------------------


def _ticket_of(work_order: Any) -> Any:
    return work_order.ticket if work_order is not None else None


def _is_urgent(work_order: Any) -> bool:
    from aftersales.tickets.choices import Priority

    ticket = _ticket_of(work_order)
    return bool(ticket is not None and ticket.priority == Priority.URGENT)


def _timeline(*, work_order: Any, actor: User | None, body: str, data: dict[str, Any]) -> None:
    """An internal entry on the work order's ticket (parts are not the customer's business)."""
    ticket = _ticket_of(work_order)
    if ticket is None:
        return
    from aftersales.tickets.choices import EventKind
    from aftersales.tickets.process.common import timeline

    timeline(ticket=ticket, actor=actor, body=body, public=False, kind=EventKind.NOTE, data={"parts": True, **data})


def _lines_text(lines: Sequence[tuple[Part, int]]) -> str:
    return "、".join(f"{part.name}×{quantity}" for part, quantity in lines)


def _clean_lines(lines: Sequence[tuple[Part, int]], *, field: str = "lines", allow_empty: bool = False) -> list[tuple[Part, int]]:
    """Merge repeated parts, refuse non-positive quantities, inactive parts and too many lines."""
    merged: dict[int, tuple[Part, int]] = {}
    for part, quantity in lines:
        if not isinstance(quantity, int) or quantity <= 0 or quantity > MAX_QUANTITY:
            raise ValidationFailed(
                {field: [_("Each quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY}]},
                code="quantity_invalid",
            )
        if not part.active:
            raise ValidationFailed({field: [_("%(part)s is no longer in the catalogue.") % {"part": part}]}, code="part_inactive")
        previous = merged.get(part.pk)
        merged[part.pk] = (part, quantity + (previous[1] if previous else 0))
    if not merged and not allow_empty:
        raise ValidationFailed({field: [_("Add at least one part.")]}, code="lines_required")
    if len(merged) > MAX_LINES:
        raise ValidationFailed({field: [_("At most %(max)d parts per document.") % {"max": MAX_LINES}]}, code="too_many_lines")
    return list(merged.values())


def _require_open_work_order(work_order: Any) -> None:
    if work_order.technician_id is None:
        raise DomainError(_("Dispatch the work order to a technician first."), code="no_technician", field="work_order")
    if work_order.status in CLOSED_WORK_ORDER_STATUSES:
        raise DomainError(_("This work order is closed."), code="work_order_closed", field="work_order")


def _require_stock_warehouse(warehouse: Warehouse, *, field: str = "warehouse") -> None:
    if not warehouse.active:
        raise DomainError(_("This warehouse is closed."), code="warehouse_inactive", field=field)
    if warehouse.kind == WarehouseKind.VAN:
        raise DomainError(_("Choose a central or regional warehouse, not a van."), code="van_not_allowed", field=field)


def _locked_requisition(requisition: Requisition, *, allowed: set[str]) -> Requisition:
    locked = Requisition.objects.select_for_update(of=("self",)).select_related("warehouse", "van").get(pk=requisition.pk)
    if locked.status not in allowed:
        raise DomainError(
            _("This cannot be done while the requisition is “%(status)s”.") % {"status": locked.get_status_display()},
            code=f"requisition_not_{'_or_'.join(sorted(allowed))}",
            field="status",
        )
    return locked


def _set_status(requisition: Requisition, *, status: str, actor: User, extra: dict[str, Any] | None = None) -> None:
    before = requisition.status
    fields = {"status": status, "updated_at": clock.now(), **(extra or {})}
    for name, value in fields.items():
        setattr(requisition, name, value)
    requisition.save(update_fields=list(fields))
    audit_record(action=f"parts.requisition_{status}", obj=requisition, actor=actor, changes={"status": [before, status]})


def _work_order_of(requisition: Requisition) -> Any:
    from django.apps import apps

    work_order_model = apps.get_model("fieldservice", "WorkOrder")
    return work_order_model.objects.select_related("ticket").get(pk=requisition.work_order_id)


# --- Warehouses and stock levels ----------------------------------------------------------------


@transaction.atomic
def warehouse_for_technician(*, technician: User) -> Warehouse:
    """The technician's van (车载库), created on first use: one per technician."""
    van = Warehouse.objects.filter(kind=WarehouseKind.VAN, technician=technician).first()
    if van is not None:
        return van
    van, created = Warehouse.objects.get_or_create(
        kind=WarehouseKind.VAN,
        technician=technician,
        defaults={
            "code": f"van-{technician.pk}",
            "name": _t("Van of %(name)s") % {"name": str(technician)},
            "region_id": technician.region_id,
        },
    )
    if created:
        audit_record(action="parts.van_created", obj=van, actor=None, changes={"technician": technician.pk})
    return van


@transaction.atomic
def stock_receive(
    *, warehouse: Warehouse, lines: Sequence[tuple[Part, int]], actor: User, reference: str = "", note: str = ""
) -> list[Stock]:
    """Goods received into a warehouse (purchase, factory delivery): receipt movements."""
    perms.check_stock_staff(actor, warehouse)
    if not warehouse.active:
        raise DomainError(_("This warehouse is closed."), code="warehouse_inactive", field="warehouse")
    clean = _clean_lines(lines)
    rows = stock.lock_stock((warehouse.pk, part.pk) for part, _q in clean)
    for part, quantity in clean:
        stock.move(
            rows[(warehouse.pk, part.pk)],
            quantity=quantity,
            kind=MovementKind.RECEIPT,
            actor=actor,
            reference=reference[:40],
            note=note,
        )
    audit_record(
        action="parts.stock_received",
        obj=warehouse,
        actor=actor,
        changes={"lines": {p.number: q for p, q in clean}, "reference": reference},
    )
    return [rows[(warehouse.pk, p.pk)] for p, _q in clean]


@transaction.atomic
def stock_adjust(*, warehouse: Warehouse, part: Part, quantity: int, actor: User, reason: str) -> Stock:
    """Correct a stock level after a count (盘点): an adjustment movement, never an edit."""
    perms.check_stock_staff(actor, warehouse)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": [_("Say why the stock is corrected.")]}, code="reason_required")
    if quantity == 0:
        raise ValidationFailed({"quantity": [_("The quantity must not be zero.")]}, code="quantity_zero")
    row = stock.lock_stock([(warehouse.pk, part.pk)])[(warehouse.pk, part.pk)]
    stock.move(row, quantity=quantity, kind=MovementKind.ADJUSTMENT, actor=actor, note=reason)
    audit_record(action="parts.stock_adjusted", obj=row, actor=actor, changes={"quantity": quantity, "reason": reason})
    return row


@transaction.atomic
def stock_set_levels(*, warehouse: Warehouse, part: Part, min_level: int, emergency_reserve: int, actor: User) -> Stock:
    """Set the low-stock level and the emergency reserve of one part in one warehouse."""
    perms.check_stock_staff(actor, warehouse)
    if min_level < 0 or emergency_reserve < 0:
        raise ValidationFailed({"min_level": [_("Levels cannot be negative.")]}, code="level_negative")
    row = stock.lock_stock([(warehouse.pk, part.pk)])[(warehouse.pk, part.pk)]
    before = {"min_level": row.min_level, "emergency_reserve": row.emergency_reserve}
    row.min_level = min_level
    row.emergency_reserve = emergency_reserve
    row.save(update_fields=["min_level", "emergency_reserve", "updated_at"])
    stock.save_levels(row)
    audit_record(
        action="parts.levels_set",
        obj=row,
        actor=actor,
        changes={
            "min_level": [before["min_level"], min_level],
            "emergency_reserve": [before["emergency_reserve"], emergency_reserve],
        },
    )
    return row


# --- Requisitions (领料单) -----------------------------------------------------------------------


@transaction.atomic
def requisition_create(
    *, work_order: Any, warehouse: Warehouse, lines: list[tuple[Part, int]], actor: User, note: str = ""
) -> Requisition:
    """A draft requisition for ``work_order`` from ``warehouse`` into its technician's van."""
    perms.check_work_order_parts(actor, work_order)
    _require_open_work_order(work_order)
    _require_stock_warehouse(warehouse)
    clean = _clean_lines(lines)
    van = warehouse_for_technician(technician=work_order.technician)
    now = clock.now()
    requisition = Requisition.objects.create(
        work_order=work_order,
        warehouse=warehouse,
        van=van,
        urgent=_is_urgent(work_order),
        total_cost=sum((part.unit_cost * quantity for part, quantity in clean), Decimal("0")),
        note=(note or "").strip()[:2000],
        requested_by=actor,
        created_at=now,
        updated_at=now,
    )
    RequisitionLine.objects.bulk_create(
        [RequisitionLine(requisition=requisition, part=p, quantity=q, unit_cost=p.unit_cost) for p, q in clean]
    )
    audit_record(
        action="parts.requisition_created",
        obj=requisition,
        actor=actor,
        changes={"warehouse": warehouse.pk, "lines": {p.number: q for p, q in clean}, "total_cost": str(requisition.total_cost)},
    )
    _timeline(
        work_order=work_order,
        actor=actor,
        body=_t("Requisition %(number)s from %(warehouse)s: %(lines)s")
        % {"number": requisition.number, "warehouse": warehouse.name, "lines": _lines_text(clean)},
        data={"requisition": requisition.pk, "action": "requisition_created"},
    )
    return requisition


def approval_rule_for(*, total_cost: Decimal, warehouse: Warehouse) -> RequisitionApprovalRule | None:
    """The active rule that applies, a supervisor's before a warehouse keeper's; None: no approval."""
    matching = [
        rule
        for rule in RequisitionApprovalRule.objects.filter(active=True).order_by("pk")
        if (rule.min_total is None or total_cost >= rule.min_total)
        and (not rule.warehouse_kind or rule.warehouse_kind == warehouse.kind)
    ]
    matching.sort(key=lambda rule: 0 if rule.approver_role == ApproverRole.SUPERVISOR else 1)
    return matching[0] if matching else None


def _reserve_lines(requisition: Requisition) -> None:
    lines = list(requisition.lines.select_related("part"))
    rows = stock.lock_stock((requisition.warehouse_id, line.part_id) for line in lines)
    for line in lines:
        stock.reserve(rows[(requisition.warehouse_id, line.part_id)], quantity=line.quantity, urgent=requisition.urgent)


def _release_lines(requisition: Requisition) -> None:
    lines = list(requisition.lines.all())
    rows = stock.lock_stock((requisition.warehouse_id, line.part_id) for line in lines)
    for line in lines:
        stock.release(rows[(requisition.warehouse_id, line.part_id)], quantity=line.quantity)


def _check_requester(actor: User, requisition: Requisition, work_order: Any) -> None:
    if actor.pk != requisition.requested_by_id and not perms.can_work_on_parts_of(actor, work_order):
        raise PermissionDenied(_("Only the requester, the technician or warehouse staff may do this."), code="not_requester")


@transaction.atomic
def requisition_submit(*, requisition: Requisition, actor: User) -> Requisition:
    """Send a draft on: to the approver a rule names, or approved (and reserved) at once."""
    locked = _locked_requisition(requisition, allowed={RequisitionStatus.DRAFT})
    work_order = _work_order_of(locked)
    _check_requester(actor, locked, work_order)
    locked.urgent = _is_urgent(work_order)
    rule = approval_rule_for(total_cost=locked.total_cost, warehouse=locked.warehouse)
    if rule is not None:
        _set_status(
            locked,
            status=RequisitionStatus.SUBMITTED,
            actor=actor,
            extra={"approver_role": rule.approver_role, "urgent": locked.urgent},
        )
        body = _t("Requisition %(number)s submitted for approval (%(rule)s).") % {"number": locked.number, "rule": rule.name}
    else:
        _reserve_lines(locked)
        _set_status(
            locked,
            status=RequisitionStatus.APPROVED,
            actor=actor,
            extra={"approver_role": "", "urgent": locked.urgent, "decided_at": clock.now()},
        )
        body = _t("Requisition %(number)s needs no approval: stock reserved.") % {"number": locked.number}
    _timeline(work_order=work_order, actor=actor, body=body, data={"requisition": locked.pk, "action": "requisition_submitted"})
    return locked


@transaction.atomic
def requisition_decide(*, requisition: Requisition, actor: User, approve: bool, comment: str = "") -> Requisition:
    """Approve (reserving the stock, refused when it is not there) or reject with a reason."""
    locked = _locked_requisition(requisition, allowed={RequisitionStatus.SUBMITTED})
    if not perms.can_decide_requisition(actor, locked):
        raise PermissionDenied(_("You may not decide this requisition."), code="not_requisition_approver")
    comment = (comment or "").strip()[:2000]
    work_order = _work_order_of(locked)
    extra = {"decided_by": actor, "decided_at": clock.now(), "decision_comment": comment}
    if approve:
        locked.urgent = _is_urgent(work_order)
        _reserve_lines(locked)
        _set_status(locked, status=RequisitionStatus.APPROVED, actor=actor, extra={**extra, "urgent": locked.urgent})
        body = _t("Requisition %(number)s approved.") % {"number": locked.number}
    else:
        if not comment:
            raise ValidationFailed({"comment": [_("Say why the requisition is rejected.")]}, code="comment_required")
        _set_status(locked, status=RequisitionStatus.REJECTED, actor=actor, extra=extra)
        body = _t("Requisition %(number)s rejected: %(comment)s") % {"number": locked.number, "comment": comment}
    _timeline(work_order=work_order, actor=actor, body=body, data={"requisition": locked.pk, "action": "requisition_decided"})
    return locked


@transaction.atomic
def requisition_issue(*, requisition: Requisition, actor: User) -> Requisition:
    """Hand the parts out: warehouse → van (issue movements on both), consuming the reservation."""
    locked = _locked_requisition(requisition, allowed={RequisitionStatus.APPROVED})
    perms.check_stock_staff(actor, locked.warehouse)
    work_order = _work_order_of(locked)
    lines = list(locked.lines.select_related("part"))
    keys = [(locked.warehouse_id, line.part_id) for line in lines] + [(locked.van_id, line.part_id) for line in lines]
    rows = stock.lock_stock(keys)
    unit = getattr(_ticket_of(work_order), "product_unit", None)
    for line in lines:
        common = {"kind": MovementKind.ISSUE, "actor": actor, "reference": locked.number, "work_order": work_order}
        stock.move(rows[(locked.warehouse_id, line.part_id)], quantity=-line.quantity, release_reserved=line.quantity, **common)
        stock.move(rows[(locked.van_id, line.part_id)], quantity=line.quantity, product_unit=unit, **common)
    _set_status(locked, status=RequisitionStatus.ISSUED, actor=actor, extra={"issued_by": actor, "issued_at": clock.now()})
    _timeline(
        work_order=work_order,
        actor=actor,
        body=_t("Requisition %(number)s issued from %(warehouse)s to %(van)s.")
        % {"number": locked.number, "warehouse": locked.warehouse.name, "van": locked.van.name},
        data={"requisition": locked.pk, "action": "requisition_issued"},
    )
    return locked


@transaction.atomic
def requisition_cancel(*, requisition: Requisition, actor: User, reason: str = "") -> Requisition:
    """Withdraw a requisition that has not been issued; an approved one frees its reservation."""
    locked = _locked_requisition(
        requisition, allowed={RequisitionStatus.DRAFT, RequisitionStatus.SUBMITTED, RequisitionStatus.APPROVED}
    )
    work_order = _work_order_of(locked)
    _check_requester(actor, locked, work_order)
    if locked.status == RequisitionStatus.APPROVED:
        _release_lines(locked)
    _set_status(
        locked, status=RequisitionStatus.CANCELLED, actor=actor, extra={"decision_comment": (reason or "").strip()[:2000]}
    )
    _timeline(
        work_order=work_order,
        actor=actor,
        body=_t("Requisition %(number)s cancelled.") % {"number": locked.number},
        data={"requisition": locked.pk, "action": "requisition_cancelled"},
    )
    return locked


# --- Parts used on the job -------------------------------------------------------------------


@transaction.atomic
def parts_record_used(*, work_order: Any, lines: list[UsedPartInput], actor: User) -> list[PartUsage]:
    """Record parts fitted on ``work_order``: consumed from its technician's van (consumption
    movements linked to the work order and the ticket's product unit, with the new serial)."""
    perms.check_work_order_parts(actor, work_order)
    _require_open_work_order(work_order)
    if not lines:
        raise ValidationFailed({"lines": [_("Add at least one part.")]}, code="lines_required")
    _clean_lines([(line.part, line.quantity) for line in lines])  # validates quantities and parts
    van = warehouse_for_technician(technician=work_order.technician)
    rows = stock.lock_stock((van.pk, line.part.pk) for line in lines)
    unit = getattr(_ticket_of(work_order), "product_unit", None)
    now = clock.now()
    usages = []
    for line in lines:
        serial, removed = (line.serial or "").strip()[:64], (line.removed_serial or "").strip()[:64]
        stock.move(
            rows[(van.pk, line.part.pk)],
            quantity=-line.quantity,
            kind=MovementKind.CONSUMPTION,
            actor=actor,
            reference=str(getattr(work_order, "number", ""))[:40],
            work_order=work_order,
            product_unit=unit,
            serial=serial,
        )
        usages.append(
            PartUsage.objects.create(
                work_order=work_order,
                part=line.part,
                quantity=line.quantity,
                van=van,
                product_unit=unit,
                unit_cost=line.part.unit_cost,
                unit_price=line.part.unit_price,
                warranty_months=line.part.warranty_months,
                serial=serial,
                removed_serial=removed,
                installed_on=clock.local_today(),
                recorded_by=actor,
                created_at=now,
            )
        )
    for usage in usages:
        audit_record(
            action="parts.part_used",
            obj=usage,
            actor=actor,
            changes={"work_order": work_order.pk, "part": usage.part.number, "quantity": usage.quantity, "serial": usage.serial},
        )
    _timeline(
        work_order=work_order,
        actor=actor,
        body=_t("Parts used: %(lines)s") % {"lines": _lines_text([(u.part, u.quantity) for u in usages])},
        data={"usages": [u.pk for u in usages], "action": "parts_used"},
    )
    return usages


# --- Returns (退料单) and appraisal ---------------------------------------------------------------


@transaction.atomic
def return_create(
    *,
    work_order: Any | None,
    technician: User,
    warehouse: Warehouse,
    unused: list[tuple[Part, int]],
    faulty: list[FaultyInput],
    actor: User,
) -> PartReturn:
    """Send unused parts from ``technician``'s van back to ``warehouse`` (they leave the van now
    and enter the warehouse when it receives them) and faulty parts taken out for appraisal."""
    if actor.pk != technician.pk and not perms.is_stock_staff(actor):
        raise PermissionDenied(_("Only the technician or warehouse staff may return parts from a van."), code="not_van_owner")
    if work_order is not None:
        perms.check_work_order_parts(actor, work_order)
        if work_order.technician_id != technician.pk:
            raise ValidationFailed({"technician": [_("The work order was dispatched to someone else.")]}, code="wrong_technician")
    _require_stock_warehouse(warehouse)
    clean = _clean_lines(unused, field="unused", allow_empty=True)
    if not clean and not faulty:
        raise ValidationFailed({"unused": [_("Add at least one part to return.")]}, code="lines_required")
    van = warehouse_for_technician(technician=technician)
    unit = getattr(_ticket_of(work_order), "product_unit", None)
    part_return = PartReturn.objects.create(
        work_order=work_order,
        technician=technician,
        van=van,
        warehouse=warehouse,
        created_by=actor,
        created_at=clock.now(),
    )
    PartReturnLine.objects.bulk_create([PartReturnLine(part_return=part_return, part=p, quantity=q) for p, q in clean])
    rows = stock.lock_stock((van.pk, part.pk) for part, _q in clean)
    for part, quantity in clean:
        stock.move(
            rows[(van.pk, part.pk)],
            quantity=-quantity,
            kind=MovementKind.RETURN_UNUSED,
            actor=actor,
            reference=part_return.number,
            work_order=work_order,
        )
    FaultyPartReturn.objects.bulk_create(
        [
            FaultyPartReturn(
                part_return=part_return,
                part=item.part,
                serial=(item.serial or "").strip()[:64],
                condition=(item.condition or "").strip()[:2000],
                product_unit=unit,
            )
            for item in faulty
        ]
    )
    audit_record(
        action="parts.return_created",
        obj=part_return,
        actor=actor,
        changes={"unused": {p.number: q for p, q in clean}, "faulty": [f"{f.part.number} {f.serial}".strip() for f in faulty]},
    )
    if work_order is not None:
        text = _lines_text(clean + [(f.part, 1) for f in faulty])
        _timeline(
            work_order=work_order,
            actor=actor,
            body=_t("Parts return %(number)s to %(warehouse)s: %(lines)s")
            % {"number": part_return.number, "warehouse": warehouse.name, "lines": text},
            data={"part_return": part_return.pk, "action": "return_created"},
        )
    return part_return


@transaction.atomic
def return_receive(*, part_return: PartReturn, actor: User) -> PartReturn:
    """The warehouse receives a return: unused parts into stock, faulty ones await appraisal."""
    locked = PartReturn.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=part_return.pk)
    perms.check_stock_staff(actor, locked.warehouse)
    if locked.status != PartReturnStatus.SENT:
        raise DomainError(_("This return has already been received."), code="return_already_received", field="status")
    lines = list(locked.lines.select_related("part"))
    rows = stock.lock_stock((locked.warehouse_id, line.part_id) for line in lines)
    work_order = locked.work_order if locked.work_order_id else None
    for line in lines:
        stock.move(
            rows[(locked.warehouse_id, line.part_id)],
            quantity=line.quantity,
            kind=MovementKind.RETURN_UNUSED,
            actor=actor,
            reference=locked.number,
            work_order=work_order,
        )
    locked.faulty.filter(status=FaultyStatus.SENT).update(status=FaultyStatus.RECEIVED)
    locked.status, locked.received_by, locked.received_at = PartReturnStatus.RECEIVED, actor, clock.now()
    locked.save(update_fields=["status", "received_by", "received_at"])
    audit_record(action="parts.return_received", obj=locked, actor=actor, changes={"status": ["sent", "received"]})
    if work_order is not None:
        _timeline(
            work_order=work_order,
            actor=actor,
            body=_t("Parts return %(number)s received by %(warehouse)s.")
            % {"number": locked.number, "warehouse": locked.warehouse.name},
            data={"part_return": locked.pk, "action": "return_received"},
        )
    return locked


@transaction.atomic
def faulty_appraise(*, faulty: FaultyPartReturn, actor: User, result: str, note: str = "") -> FaultyPartReturn:
    """Record the appraisal (鉴定) of a received faulty part."""
    locked = FaultyPartReturn.objects.select_for_update(of=("self",)).select_related("part_return__warehouse").get(pk=faulty.pk)
    if not perms.can_appraise(actor) or (
        perms.is_stock_staff(actor) and not perms.can_access_warehouse(actor, locked.part_return.warehouse)
    ):
        raise PermissionDenied(_("You may not appraise this part."), code="not_appraiser")
    if locked.status != FaultyStatus.RECEIVED:
        raise DomainError(
            _("Only a received faulty part awaiting appraisal can be appraised."), code="faulty_not_received", field="status"
        )
    if result not in AppraisalResult.values:
        raise ValidationFailed({"result": [_("Choose the appraisal result.")]}, code="result_invalid")
    locked.status, locked.appraisal_result = FaultyStatus.APPRAISED, result
    locked.appraisal_note, locked.appraised_by, locked.appraised_at = (note or "").strip()[:2000], actor, clock.now()
    locked.save(update_fields=["status", "appraisal_result", "appraisal_note", "appraised_by", "appraised_at"])
    audit_record(
        action="parts.faulty_appraised", obj=locked, actor=actor, changes={"result": result, "note": locked.appraisal_note}
    )
    work_order = locked.part_return.work_order if locked.part_return.work_order_id else None
    if work_order is not None:
        _timeline(
            work_order=work_order,
            actor=actor,
            body=_t("Faulty %(part)s %(serial)s appraised: %(result)s")
            % {"part": locked.part.name, "serial": locked.serial, "result": locked.get_appraisal_result_display()},
            data={"faulty": locked.pk, "action": "faulty_appraised"},
        )
    return locked


# --- Transfers (调拨) -----------------------------------------------------------------------------


@transaction.atomic
def transfer_create(
    *,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    lines: list[tuple[Part, int]],
    actor: User,
    note: str = "",
    in_transit: bool = False,
) -> Transfer:
    """Move stock between warehouses: out at once; in at once, or on receipt when ``in_transit``.
    A transfer never draws the source's emergency reserve."""
    perms.check_stock_staff(actor, from_warehouse)
    if from_warehouse.pk == to_warehouse.pk:
        raise ValidationFailed({"to_warehouse": [_("Choose two different warehouses.")]}, code="same_warehouse")
    if not from_warehouse.active or not to_warehouse.active:
        raise DomainError(_("This warehouse is closed."), code="warehouse_inactive", field="to_warehouse")
    clean = _clean_lines(lines)
    transfer = Transfer.objects.create(
        from_warehouse=from_warehouse,
        to_warehouse=to_warehouse,
        note=(note or "").strip()[:200],
        created_by=actor,
        created_at=clock.now(),
    )
    TransferLine.objects.bulk_create([TransferLine(transfer=transfer, part=p, quantity=q) for p, q in clean])
    keys = [(from_warehouse.pk, p.pk) for p, _q in clean]
    if not in_transit:
        keys += [(to_warehouse.pk, p.pk) for p, _q in clean]
    rows = stock.lock_stock(keys)
    for part, quantity in clean:
        stock.move(
            rows[(from_warehouse.pk, part.pk)],
            quantity=-quantity,
            kind=MovementKind.TRANSFER_OUT,
            actor=actor,
            reference=transfer.number,
            keep_emergency_reserve=not from_warehouse.is_van,
        )
    audit_record(
        action="parts.transfer_created",
        obj=transfer,
        actor=actor,
        changes={"from": from_warehouse.pk, "to": to_warehouse.pk, "lines": {p.number: q for p, q in clean}},
    )
    if not in_transit:
        _transfer_in(transfer, rows=rows, actor=actor)
    return transfer


def _transfer_in(transfer: Transfer, *, rows: dict[stock.StockKey, Stock], actor: User) -> None:
    for line in transfer.lines.select_related("part"):
        stock.move(
            rows[(transfer.to_warehouse_id, line.part_id)],
            quantity=line.quantity,
            kind=MovementKind.TRANSFER_IN,
            actor=actor,
            reference=transfer.number,
        )
    transfer.status, transfer.received_by, transfer.received_at = TransferStatus.RECEIVED, actor, clock.now()
    transfer.save(update_fields=["status", "received_by", "received_at"])
    audit_record(action="parts.transfer_received", obj=transfer, actor=actor, changes={"status": ["in_transit", "received"]})


@transaction.atomic
def transfer_receive(*, transfer: Transfer, actor: User) -> Transfer:
    locked = Transfer.objects.select_for_update(of=("self",)).select_related("to_warehouse").get(pk=transfer.pk)
    perms.check_stock_staff(actor, locked.to_warehouse)
    if locked.status != TransferStatus.IN_TRANSIT:
        raise DomainError(_("This transfer has already been received."), code="transfer_already_received", field="status")
    rows = stock.lock_stock((locked.to_warehouse_id, line.part_id) for line in locked.lines.all())
    _transfer_in(locked, rows=rows, actor=actor)
    return locked
