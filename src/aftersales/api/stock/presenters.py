"""Parts, stock and stock documents → response bodies."""

from __future__ import annotations

from typing import Any

from aftersales.parts.models import (
    FaultyPartReturn,
    Part,
    PartReturn,
    PartUsage,
    Requisition,
    RequisitionStatus,
    Stock,
    Transfer,
    Warehouse,
)

from ..workorders.presenters import money_text
from . import schemas as out


def part(item: Part) -> out.PartOut:
    return out.PartOut(
        number=item.number,
        name=item.name,
        unit_price=money_text(item.unit_price),
        warranty_months=item.warranty_months,
        active=item.active,
        compatible_models=sorted(m.code for m in item.compatible_models.all()),
    )


def warehouse(item: Warehouse) -> out.WarehouseOut:
    return out.WarehouseOut(
        id=item.pk,
        code=item.code,
        name=item.display_name,  # a van: "刘强的车载库" / "Van of 刘强" (Accept-Language)
        kind=item.kind,  # type: ignore[arg-type]
        region=item.region.code if item.region is not None else None,
        technician=item.technician.get_username() if item.technician is not None else None,
    )


def stock(item: Stock) -> out.StockOut:
    available = item.on_hand - item.reserved
    return out.StockOut(
        id=item.pk,
        warehouse_id=item.warehouse_id,
        warehouse=item.warehouse.display_name,
        part_number=item.part.number,
        part_name=item.part.name,
        on_hand=item.on_hand,
        reserved=item.reserved,
        available=available,
        min_level=item.min_level,
        low=available < item.min_level,
    )


def _lines(lines: Any) -> list[out.RequisitionLineOut]:
    return [
        out.RequisitionLineOut(part_number=line.part.number, part_name=line.part.name, quantity=line.quantity) for line in lines
    ]


def requisition(item: Requisition) -> out.RequisitionOut:
    return out.RequisitionOut(
        id=item.pk,
        number=item.number,
        work_order=item.work_order.number,
        status=item.status,  # type: ignore[arg-type]
        status_label=str(RequisitionStatus(item.status).label),
        urgent=item.urgent,
        warehouse_id=item.warehouse_id,
        warehouse=item.warehouse.display_name,
        van=item.van.display_name,
        approver_role=item.approver_role,
        note=item.note,
        requested_by=item.requested_by.get_username() if item.requested_by_id else "",
        decision_comment=item.decision_comment,
        lines=_lines(item.lines.all()),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def part_used(item: PartUsage) -> out.PartUsedOut:
    return out.PartUsedOut(
        part_number=item.part.number,
        part_name=item.part.name,
        quantity=item.quantity,
        serial=item.serial,
        removed_serial=item.removed_serial,
        unit_price=money_text(item.unit_price),
        warranty_months=item.warranty_months,
        installed_on=item.installed_on,
        created_at=item.created_at,
    )


def part_return(item: PartReturn) -> out.ReturnOut:
    return out.ReturnOut(
        id=item.pk,
        number=item.number,
        status=item.status,  # type: ignore[arg-type]
        work_order=item.work_order.number if item.work_order is not None else None,
        technician=item.technician.get_username(),
        van=item.van.display_name,
        warehouse_id=item.warehouse_id,
        warehouse=item.warehouse.display_name,
        unused=_lines(item.lines.all()),
        faulty=[
            out.FaultyOut(part_number=f.part.number, serial=f.serial, condition=f.condition, status=f.status)
            for f in item.faulty.all()
        ],
        created_at=item.created_at,
        received_at=item.received_at,
    )


def transfer(item: Transfer) -> out.TransferOut:
    return out.TransferOut(
        id=item.pk,
        number=item.number,
        status=item.status,  # type: ignore[arg-type]
        from_warehouse_id=item.from_warehouse_id,
        from_warehouse=item.from_warehouse.display_name,
        to_warehouse_id=item.to_warehouse_id,
        to_warehouse=item.to_warehouse.display_name,
        lines=_lines(item.lines.all()),
        note=item.note,
        created_by=item.created_by.get_username(),
        created_at=item.created_at,
        received_at=item.received_at,
    )


def faulty_part(item: FaultyPartReturn) -> out.FaultyPartOut:
    part_return: Any = item.part_return
    return out.FaultyPartOut(
        id=item.pk,
        part_number=item.part.number,
        part_name=item.part.name,
        serial=item.serial,
        condition=item.condition,
        status=item.status,
        return_number=part_return.number,
        work_order=part_return.work_order.number if part_return.work_order_id else None,
        warehouse_id=part_return.warehouse_id,
        appraisal_result=item.appraisal_result,
        appraisal_note=item.appraisal_note,
        appraised_at=item.appraised_at,
    )
