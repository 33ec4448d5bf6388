"""Parts fitted on a job: consumed from the technician's van, linked to the work order and the
ticket's product unit, with the prices and the part warranty of the day."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.core.i18n import deferred

from .. import permissions as perms
from .. import stock
from ..audit_actions import PartsAudit
from ..models import MovementKind, Part, PartUsage
from .common import add_timeline, clean_lines, lines_text, lock_job, require_open_work_order, ticket_of
from .stock_levels import warehouse_for_technician


@dataclass(frozen=True)
class UsedPartInput:
    """A part fitted on the job: ``serial`` of the new part, ``removed_serial`` of the old one."""

    part: Part
    quantity: int
    serial: str = ""
    removed_serial: str = ""


@transaction.atomic
def parts_record_used(*, work_order: Any, lines: list[UsedPartInput], actor: User) -> list[PartUsage]:
    """Record parts fitted on ``work_order``: consumed from its technician's van (consumption
    movements linked to the work order and the ticket's product unit, with the new serial)."""
    work_order = lock_job(work_order_id=work_order.pk, ticket_id=work_order.ticket_id)
    perms.check_work_order_parts(actor, work_order)
    require_open_work_order(work_order)
    if not lines:
        raise ValidationFailed({"lines": [_("Add at least one part.")]}, code="lines_required")
    clean_lines([(line.part, line.quantity) for line in lines])  # validates quantities and parts
    van = warehouse_for_technician(technician=work_order.technician)
    rows = stock.lock_stock((van.pk, line.part.pk) for line in lines)
    unit = getattr(ticket_of(work_order), "product_unit", None)
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
            action=PartsAudit.PART_USED,
            obj=usage,
            actor=actor,
            changes={"work_order": work_order.pk, "part": usage.part.number, "quantity": usage.quantity, "serial": usage.serial},
        )
    add_timeline(
        work_order=work_order,
        actor=actor,
        body=deferred(_("Parts used: %(lines)s"), lines=lines_text([(u.part, u.quantity) for u in usages])),
        data={"usages": [u.pk for u in usages], "action": "parts_used"},
    )
    return usages
