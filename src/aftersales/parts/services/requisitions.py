"""Requisitions (领料单): parts for a work order from a central or regional warehouse into its
technician's van — draft, submit (to an approver a rule names, or approved at once), decide,
issue, cancel. Every status change goes through ``states.REQUISITION``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred

from .. import permissions as perms
from .. import stock
from ..audit_actions import PartsAudit
from ..models import (
    ApproverRole,
    MovementKind,
    Part,
    Requisition,
    RequisitionApprovalRule,
    RequisitionLine,
    RequisitionStatus,
    Warehouse,
)
from ..states import CANCEL, DECIDE, ISSUE, REQUISITION, SUBMIT
from .common import (
    add_timeline,
    clean_lines,
    is_urgent,
    lines_text,
    lock_job,
    require_open_work_order,
    require_stock_warehouse,
    ticket_of,
)
from .stock_levels import warehouse_for_technician


@transaction.atomic
def requisition_create(
    *, work_order: Any, warehouse: Warehouse, lines: list[tuple[Part, int]], actor: User, note: str = ""
) -> Requisition:
    """A draft requisition for ``work_order`` from ``warehouse`` into its technician's van."""
    work_order = lock_job(work_order_id=work_order.pk, ticket_id=work_order.ticket_id)
    perms.check_work_order_parts(actor, work_order)
    require_open_work_order(work_order)
    require_stock_warehouse(warehouse)
    clean = clean_lines(lines)
    van = warehouse_for_technician(technician=work_order.technician)
    now = clock.now()
    requisition = Requisition.objects.create(
        work_order=work_order,
        warehouse=warehouse,
        van=van,
        urgent=is_urgent(work_order),
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
        action=PartsAudit.REQUISITION_CREATED,
        obj=requisition,
        actor=actor,
        changes={"warehouse": warehouse.pk, "lines": {p.number: q for p, q in clean}, "total_cost": str(requisition.total_cost)},
    )
    add_timeline(
        work_order=work_order,
        actor=actor,
        body=deferred(
            _("Requisition %(number)s from %(warehouse)s: %(lines)s"),
            number=requisition.number,
            warehouse=warehouse.name_text,
            lines=lines_text(clean),
        ),
        data={"requisition": requisition.pk, "action": "requisition_created"},
    )
    return requisition


@transaction.atomic
def requisition_request(
    *, work_order: Any, warehouse: Warehouse, lines: list[tuple[Part, int]], actor: User, note: str = ""
) -> Requisition:
    """Ask for parts in one step: the requisition is created and submitted together, or not at
    all. When the stock is not there (``insufficient_stock``) or the submission is refused for any
    other reason, no draft is left behind: the whole request is rolled back."""
    requisition = requisition_create(work_order=work_order, warehouse=warehouse, lines=lines, actor=actor, note=note)
    return requisition_submit(requisition=requisition, actor=actor)


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


def _lock(requisition: Requisition, outcomes: tuple[str, ...]) -> tuple[Requisition, Any]:
    """Lock the job (ticket, work order), then the requisition; refuse a step whose ``outcomes``
    the table does not allow from the requisition's status. Returns (requisition, work order)."""
    work_order = lock_job(work_order_id=requisition.work_order_id)
    locked = Requisition.objects.select_for_update(of=("self",)).select_related("warehouse", "van").get(pk=requisition.pk)
    REQUISITION.require(locked, *outcomes)
    return locked, work_order


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
    locked, work_order = _lock(requisition, SUBMIT)
    _check_requester(actor, locked, work_order)
    locked.urgent = is_urgent(work_order)
    rule = approval_rule_for(total_cost=locked.total_cost, warehouse=locked.warehouse)
    if rule is not None:
        REQUISITION.move(
            locked,
            to=RequisitionStatus.SUBMITTED,
            actor=actor,
            fields={"approver_role": rule.approver_role, "urgent": locked.urgent},
        )
        body = deferred(_("Requisition %(number)s submitted for approval (%(rule)s)."), number=locked.number, rule=rule.name)
    else:
        _reserve_lines(locked)
        REQUISITION.move(
            locked,
            to=RequisitionStatus.APPROVED,
            actor=actor,
            fields={"approver_role": "", "urgent": locked.urgent, "decided_at": clock.now()},
        )
        body = deferred(_("Requisition %(number)s needs no approval: stock reserved."), number=locked.number)
    add_timeline(
        work_order=work_order, actor=actor, body=body, data={"requisition": locked.pk, "action": "requisition_submitted"}
    )
    return locked


@transaction.atomic
def requisition_decide(*, requisition: Requisition, actor: User, approve: bool, comment: str = "") -> Requisition:
    """Approve (reserving the stock, refused when it is not there) or reject with a reason."""
    locked, work_order = _lock(requisition, DECIDE)
    if not perms.can_decide_requisition(actor, locked):
        raise PermissionDenied(_("You may not decide this requisition."), code="not_requisition_approver")
    comment = (comment or "").strip()[:2000]
    fields = {"decided_by": actor, "decided_at": clock.now(), "decision_comment": comment}
    if approve:
        locked.urgent = is_urgent(work_order)
        _reserve_lines(locked)
        REQUISITION.move(locked, to=RequisitionStatus.APPROVED, actor=actor, fields={**fields, "urgent": locked.urgent})
        body = deferred(_("Requisition %(number)s approved."), number=locked.number)
    else:
        if not comment:
            raise ValidationFailed({"comment": [_("Say why the requisition is rejected.")]}, code="comment_required")
        REQUISITION.move(locked, to=RequisitionStatus.REJECTED, actor=actor, fields=fields)
        body = deferred(_("Requisition %(number)s rejected: %(comment)s"), number=locked.number, comment=comment)
    add_timeline(work_order=work_order, actor=actor, body=body, data={"requisition": locked.pk, "action": "requisition_decided"})
    return locked


@transaction.atomic
def requisition_issue(*, requisition: Requisition, actor: User) -> Requisition:
    """Hand the parts out: warehouse → van (issue movements on both), consuming the reservation."""
    locked, work_order = _lock(requisition, ISSUE)
    perms.check_stock_staff(actor, locked.warehouse)
    lines = list(locked.lines.select_related("part"))
    keys = [(locked.warehouse_id, line.part_id) for line in lines] + [(locked.van_id, line.part_id) for line in lines]
    rows = stock.lock_stock(keys)
    unit = getattr(ticket_of(work_order), "product_unit", None)
    for line in lines:
        common = {"kind": MovementKind.ISSUE, "actor": actor, "reference": locked.number, "work_order": work_order}
        stock.move(rows[(locked.warehouse_id, line.part_id)], quantity=-line.quantity, release_reserved=line.quantity, **common)
        stock.move(rows[(locked.van_id, line.part_id)], quantity=line.quantity, product_unit=unit, **common)
    REQUISITION.move(locked, to=RequisitionStatus.ISSUED, actor=actor, fields={"issued_by": actor, "issued_at": clock.now()})
    add_timeline(
        work_order=work_order,
        actor=actor,
        body=deferred(
            _("Requisition %(number)s issued from %(warehouse)s to %(van)s."),
            number=locked.number,
            warehouse=locked.warehouse.name_text,
            van=locked.van.name_text,
        ),
        data={"requisition": locked.pk, "action": "requisition_issued"},
    )
    return locked


@transaction.atomic
def requisition_cancel(*, requisition: Requisition, actor: User, reason: str = "") -> Requisition:
    """Withdraw a requisition that has not been issued; an approved one frees its reservation."""
    locked, work_order = _lock(requisition, CANCEL)
    _check_requester(actor, locked, work_order)
    if locked.status == RequisitionStatus.APPROVED:
        _release_lines(locked)
    REQUISITION.move(
        locked, to=RequisitionStatus.CANCELLED, actor=actor, fields={"decision_comment": (reason or "").strip()[:2000]}
    )
    add_timeline(
        work_order=work_order,
        actor=actor,
        body=deferred(_("Requisition %(number)s cancelled."), number=locked.number),
        data={"requisition": locked.pk, "action": "requisition_cancelled"},
    )
    return locked
