"""Request and response bodies of the parts and stock endpoints: the catalogue, warehouses and
stock levels, requisitions, parts used, returns, and the stock documents (receipts, adjustments,
transfers, faulty-part appraisal). Inputs refuse unknown fields; amounts go out as text."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field

from aftersales.fieldservice.action_schemas import Username
from aftersales.parts.models import AppraisalResult, PartReturnStatus, RequisitionStatus, TransferStatus, WarehouseKind

from ..schemas import Input
from ..workorders.schemas import MONEY

PartNumber = Annotated[str, Field(min_length=1, max_length=40)]
Quantity = Annotated[int, Field(ge=1, le=10_000)]
Serial = Annotated[str, Field(max_length=64)]


class PartOut(Schema):
    number: str
    name: str
    unit_price: str = Field(description=MONEY)
    warranty_months: int
    active: bool
    compatible_models: list[str]


class PartPage(Schema):
    items: list[PartOut]
    next_cursor: str | None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    kind: WarehouseKind
    region: str | None
    technician: str | None


class StockOut(Schema):
    id: int
    warehouse_id: int
    warehouse: str
    part_number: str
    part_name: str
    on_hand: int
    reserved: int
    available: int
    min_level: int
    low: bool


class StockPage(Schema):
    items: list[StockOut]
    next_cursor: str | None


class PartLineIn(Input):
    part_number: PartNumber
    quantity: Quantity


class RequisitionCreate(Input):
    warehouse_id: int = Field(description="The central or regional warehouse to draw from.")
    lines: Annotated[list[PartLineIn], Field(min_length=1, max_length=50)]
    note: Annotated[str, Field(max_length=2000)] = ""


class RequisitionLineOut(Schema):
    part_number: str
    part_name: str
    quantity: int


class RequisitionOut(Schema):
    id: int
    number: str
    work_order: str
    status: RequisitionStatus
    status_label: str
    urgent: bool
    warehouse_id: int
    warehouse: str
    van: str
    approver_role: str
    note: str
    requested_by: str
    decision_comment: str
    lines: list[RequisitionLineOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class RequisitionPage(Schema):
    items: list[RequisitionOut]
    next_cursor: str | None


class DecideInput(Input):
    approve: bool
    comment: Annotated[str, Field(max_length=2000)] = Field("", description="Required when rejecting.")


class CancelRequisitionInput(Input):
    reason: Annotated[str, Field(max_length=2000)] = ""


class UsedPartIn(Input):
    part_number: PartNumber
    quantity: Quantity
    serial: Serial = ""
    removed_serial: Serial = ""


class PartsUsedCreate(Input):
    lines: Annotated[list[UsedPartIn], Field(min_length=1, max_length=50)]


class PartUsedOut(Schema):
    part_number: str
    part_name: str
    quantity: int
    serial: str
    removed_serial: str
    unit_price: str = Field(description=MONEY)
    warranty_months: int
    installed_on: dt.date
    created_at: dt.datetime


class FaultyIn(Input):
    part_number: PartNumber
    serial: Serial = ""
    condition: Annotated[str, Field(max_length=2000)] = ""


class ReturnCreate(Input):
    warehouse_id: int
    work_order: Annotated[str, Field(min_length=1, max_length=32)] | None = Field(
        None, description="Number of the work order the parts come from."
    )
    technician: Username | None = Field(
        None, description="Warehouse staff only: whose van (default: the work order's technician)."
    )
    unused: Annotated[list[PartLineIn], Field(max_length=50)] = []
    faulty: Annotated[list[FaultyIn], Field(max_length=50)] = []


class FaultyOut(Schema):
    part_number: str
    serial: str
    condition: str
    status: str


class ReturnOut(Schema):
    id: int
    number: str
    status: PartReturnStatus
    work_order: str | None
    technician: str
    van: str
    warehouse_id: int
    warehouse: str
    unused: list[RequisitionLineOut]
    faulty: list[FaultyOut]
    created_at: dt.datetime
    received_at: dt.datetime | None


class ReturnPage(Schema):
    items: list[ReturnOut]
    next_cursor: str | None


# --- Stock documents: receipts, adjustments, transfers, faulty-part appraisal -------------------


class StockReceiptCreate(Input):
    warehouse_id: int = Field(ge=1, le=2**31 - 1)
    lines: Annotated[list[PartLineIn], Field(min_length=1, max_length=50)]
    reference: Annotated[str, Field(max_length=40, description="Purchase order or delivery note number.")] = ""
    note: Annotated[str, Field(max_length=200)] = ""


class StockAdjustmentCreate(Input):
    warehouse_id: int = Field(ge=1, le=2**31 - 1)
    part_number: PartNumber
    quantity: Annotated[int, Field(ge=-10_000, le=10_000, description="Signed change (a count found fewer: negative).")]
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class TransferCreate(Input):
    from_warehouse_id: int = Field(ge=1, le=2**31 - 1)
    to_warehouse_id: int = Field(ge=1, le=2**31 - 1)
    lines: Annotated[list[PartLineIn], Field(min_length=1, max_length=50)]
    note: Annotated[str, Field(max_length=200)] = ""
    in_transit: bool = Field(False, description="True: the goods arrive later (POST …/receive); false: in at once.")


class TransferOut(Schema):
    id: int
    number: str
    status: TransferStatus
    from_warehouse_id: int
    from_warehouse: str
    to_warehouse_id: int
    to_warehouse: str
    lines: list[RequisitionLineOut]
    note: str
    created_by: str
    created_at: dt.datetime
    received_at: dt.datetime | None


class TransferPage(Schema):
    items: list[TransferOut]
    next_cursor: str | None


class FaultyPartOut(Schema):
    id: int
    part_number: str
    part_name: str
    serial: str
    condition: str
    status: str
    return_number: str
    work_order: str | None
    warehouse_id: int
    appraisal_result: str
    appraisal_note: str
    appraised_at: dt.datetime | None


class AppraiseInput(Input):
    result: AppraisalResult
    note: Annotated[str, Field(max_length=2000)] = ""
