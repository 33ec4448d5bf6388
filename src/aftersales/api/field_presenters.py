"""Work orders, parts and stock documents → response bodies. The site's address and contact
go through the field-service app's own masking rule (``site_details``)."""

from __future__ import annotations

from decimal import Decimal

from aftersales.accounts.models import User
from aftersales.fieldservice.models import WorkOrder, WorkOrderChargeLine, WorkOrderFile, WorkOrderStatus
from aftersales.fieldservice.permissions import site_details
from aftersales.fieldservice.selectors import acceptance_for
from aftersales.parts.models import Part, PartReturn, PartUsage, Requisition, RequisitionStatus, Stock, Warehouse

from . import field_schemas as fsch
from .field import work_order_actions


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):.2f}"


def _status_label(value: str) -> str:
    try:
        return str(WorkOrderStatus(value).label)
    except ValueError:
        return value


def work_order_summary(item: WorkOrder) -> fsch.WorkOrderSummary:
    return fsch.WorkOrderSummary(
        number=item.number,
        ticket=item.ticket.number,
        kind=item.kind,
        status=item.status,
        status_label=_status_label(item.status),
        technician=item.technician.get_username() if item.technician is not None else None,
        region=item.region.code if item.region is not None else None,
        appointment_start=item.appointment_start,
        appointment_end=item.appointment_end,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=item.version,
    )


def work_order_file(item: WorkOrderFile) -> fsch.WorkOrderFileOut:
    return fsch.WorkOrderFileOut(
        id=item.pk,
        kind=item.kind,
        original_name=item.original_name,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        created_at=item.created_at,
    )


def work_order_detail(item: WorkOrder, user: User) -> fsch.WorkOrderOut:
    summary = work_order_summary(item).model_dump()
    files = [work_order_file(f) for f in item.files.order_by("created_at", "id")]
    return fsch.WorkOrderOut(
        **summary,
        description=item.description,
        measure_id=item.measure_id,
        site=fsch.SiteOut(**site_details(user, item)),  # type: ignore[arg-type]
        site_requirements=item.site_requirements,
        required_skills=sorted(item.required_skills.values_list("code", flat=True)),
        dispatched_at=item.dispatched_at,
        accepted_at=item.accepted_at,
        departed_at=item.departed_at,
        checked_in_at=item.checked_in_at,
        checked_out_at=item.checked_out_at,
        completed_at=item.completed_at,
        customer_accepted_at=item.customer_accepted_at,
        diagnosis=item.diagnosis,
        work_done=item.work_done,
        labour_hours=f"{item.labour_hours:.2f}",
        travel_km=f"{item.travel_km:.1f}",
        status_reason=item.status_reason,
        chargeable=item.chargeable,
        quote_confirmed=item.quote_confirmed_at is not None,
        charge_total=_money(item.charge_total),
        files=files,
        acceptance_form=acceptance_for(item) is not None,
        actions=work_order_actions(user=user, work_order=item),
    )


def charges(item: WorkOrder) -> fsch.ChargesOut:
    lines: list[WorkOrderChargeLine] = list(item.charge_lines.order_by("position", "id"))
    numbers = dict(Part.objects.filter(pk__in=[x.part_ref for x in lines if x.part_ref]).values_list("pk", "number"))
    return fsch.ChargesOut(
        number=item.number,
        chargeable=item.chargeable,
        costed_at=item.costed_at,
        charge_total=_money(item.charge_total),
        lines=[
            fsch.ChargeLineOut(
                kind=line.kind,
                description=line.description,
                part_number=numbers.get(line.part_ref) if line.part_ref else None,
                serial=line.serial,
                quantity=f"{line.quantity:.2f}",
                unit_price=_money(line.unit_price),
                charge_amount=_money(line.charge_amount),
                free=line.free,
                reason=line.reason,
            )
            for line in lines
        ],
    )


def part(item: Part) -> fsch.PartOut:
    return fsch.PartOut(
        number=item.number,
        name=item.name,
        unit_price=_money(item.unit_price),
        warranty_months=item.warranty_months,
        active=item.active,
        compatible_models=sorted(m.code for m in item.compatible_models.all()),
    )


def warehouse(item: Warehouse) -> fsch.WarehouseOut:
    return fsch.WarehouseOut(
        id=item.pk,
        code=item.code,
        name=item.name,
        kind=item.kind,  # type: ignore[arg-type]
        region=item.region.code if item.region is not None else None,
        technician=item.technician.get_username() if item.technician is not None else None,
    )


def stock(item: Stock) -> fsch.StockOut:
    available = item.on_hand - item.reserved
    return fsch.StockOut(
        id=item.pk,
        warehouse_id=item.warehouse_id,
        warehouse=item.warehouse.name,
        part_number=item.part.number,
        part_name=item.part.name,
        on_hand=item.on_hand,
        reserved=item.reserved,
        available=available,
        min_level=item.min_level,
        low=available < item.min_level,
    )


def requisition(item: Requisition) -> fsch.RequisitionOut:
    return fsch.RequisitionOut(
        id=item.pk,
        number=item.number,
        work_order=item.work_order.number,
        status=item.status,  # type: ignore[arg-type]
        status_label=str(RequisitionStatus(item.status).label),
        urgent=item.urgent,
        warehouse_id=item.warehouse_id,
        warehouse=item.warehouse.name,
        van=item.van.name,
        approver_role=item.approver_role,
        note=item.note,
        requested_by=item.requested_by.get_username() if item.requested_by_id else "",
        decision_comment=item.decision_comment,
        lines=[
            fsch.RequisitionLineOut(part_number=line.part.number, part_name=line.part.name, quantity=line.quantity)
            for line in item.lines.all()
        ],
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def part_used(item: PartUsage) -> fsch.PartUsedOut:
    return fsch.PartUsedOut(
        part_number=item.part.number,
        part_name=item.part.name,
        quantity=item.quantity,
        serial=item.serial,
        removed_serial=item.removed_serial,
        unit_price=_money(item.unit_price),
        warranty_months=item.warranty_months,
        installed_on=item.installed_on,
        created_at=item.created_at,
    )


def part_return(item: PartReturn) -> fsch.ReturnOut:
    return fsch.ReturnOut(
        id=item.pk,
        number=item.number,
        status=item.status,  # type: ignore[arg-type]
        work_order=item.work_order.number if item.work_order is not None else None,
        technician=item.technician.get_username(),
        van=item.van.name,
        warehouse_id=item.warehouse_id,
        warehouse=item.warehouse.name,
        unused=[
            fsch.RequisitionLineOut(part_number=line.part.number, part_name=line.part.name, quantity=line.quantity)
            for line in item.lines.all()
        ],
        faulty=[
            fsch.FaultyOut(part_number=f.part.number, serial=f.serial, condition=f.condition, status=f.status)
            for f in item.faulty.all()
        ],
        created_at=item.created_at,
        received_at=item.received_at,
    )
