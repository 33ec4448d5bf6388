"""Returns (退料单): unused parts from a technician's van back to a warehouse (they leave the van
at once and enter the warehouse when it receives them) and faulty parts taken out of a
customer's unit, sent back for appraisal (never sellable stock)."""

from __future__ import annotations

from dataclasses import dataclass
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
from ..effects import FAULTY_PARTS_RECEIVED
from ..models import (
    FaultyPartReturn,
    FaultyStatus,
    MovementKind,
    Part,
    PartReturn,
    PartReturnLine,
    PartReturnStatus,
    Warehouse,
)
from ..states import FAULTY, PART_RETURN
from .common import add_timeline, clean_lines, lines_text, lock_job, require_stock_warehouse, ticket_of
from .stock_levels import warehouse_for_technician


@dataclass(frozen=True)
class FaultyInput:
    """A faulty part taken out of the customer's unit, returned for appraisal."""

    part: Part
    serial: str = ""
    condition: str = ""


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
    if work_order is not None:
        work_order = lock_job(work_order_id=work_order.pk, ticket_id=work_order.ticket_id)
    if actor.pk != technician.pk and not perms.is_stock_staff(actor):
        raise PermissionDenied(_("Only the technician or warehouse staff may return parts from a van."), code="not_van_owner")
    if work_order is not None:
        perms.check_work_order_parts(actor, work_order)
        if work_order.technician_id != technician.pk:
            raise ValidationFailed({"technician": [_("The work order was dispatched to someone else.")]}, code="wrong_technician")
    require_stock_warehouse(warehouse)
    clean = clean_lines(unused, field="unused", allow_empty=True)
    if not clean and not faulty:
        raise ValidationFailed({"unused": [_("Add at least one part to return.")]}, code="lines_required")
    van = warehouse_for_technician(technician=technician)
    unit = getattr(ticket_of(work_order), "product_unit", None)
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
        action=PartsAudit.RETURN_CREATED,
        obj=part_return,
        actor=actor,
        changes={"unused": {p.number: q for p, q in clean}, "faulty": [f"{f.part.number} {f.serial}".strip() for f in faulty]},
    )
    if work_order is not None:
        add_timeline(
            work_order=work_order,
            actor=actor,
            body=deferred(
                _("Parts return %(number)s to %(warehouse)s: %(lines)s"),
                number=part_return.number,
                warehouse=warehouse.name_text,
                lines=lines_text(clean + [(f.part, 1) for f in faulty]),
            ),
            data={"part_return": part_return.pk, "action": "return_created"},
        )
    return part_return


@transaction.atomic
def return_receive(*, part_return: PartReturn, actor: User) -> PartReturn:
    """The warehouse receives a return: unused parts into stock, faulty ones await appraisal (an
    appraisal of kind faulty part is requested for each: ``effects.FAULTY_PARTS_RECEIVED``)."""
    work_order = lock_job(work_order_id=part_return.work_order_id) if part_return.work_order_id else None
    locked = PartReturn.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=part_return.pk)
    perms.check_stock_staff(actor, locked.warehouse)
    PART_RETURN.require(locked, PartReturnStatus.RECEIVED)
    lines = list(locked.lines.select_related("part"))
    rows = stock.lock_stock((locked.warehouse_id, line.part_id) for line in lines)
    for line in lines:
        stock.move(
            rows[(locked.warehouse_id, line.part_id)],
            quantity=line.quantity,
            kind=MovementKind.RETURN_UNUSED,
            actor=actor,
            reference=locked.number,
            work_order=work_order,
        )
    faulty_ids = list(locked.faulty.filter(status=FaultyStatus.SENT).order_by("pk").values_list("pk", flat=True))
    FAULTY.move_all(locked.faulty.all(), source=FaultyStatus.SENT, to=FaultyStatus.RECEIVED)
    PART_RETURN.move(locked, to=PartReturnStatus.RECEIVED, actor=actor, fields={"received_by": actor, "received_at": clock.now()})
    if faulty_ids:
        FAULTY_PARTS_RECEIVED.send(faulty_ids=faulty_ids, actor=actor)
    if work_order is not None:
        add_timeline(
            work_order=work_order,
            actor=actor,
            body=deferred(
                _("Parts return %(number)s received by %(warehouse)s."),
                number=locked.number,
                warehouse=locked.warehouse.name_text,
            ),
            data={"part_return": locked.pk, "action": "return_received"},
        )
    return locked
