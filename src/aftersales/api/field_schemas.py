"""Request and response bodies of the field-service and stock endpoints (work orders, parts,
stock, requisitions, returns). Inputs refuse unknown fields; amounts go out as text ("12.50")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from aftersales.fieldservice.models import AcceptanceMethod, ExpenseKind, ExpenseStatus, WorkOrderStatus
from aftersales.parts.models import AppraisalResult, PartReturnStatus, RequisitionStatus, TransferStatus, WarehouseKind

from .schemas import Input, IsoDateTime, ShortText

Username = Annotated[str, Field(min_length=1, max_length=150)]
PartNumber = Annotated[str, Field(min_length=1, max_length=40)]
Quantity = Annotated[int, Field(ge=1, le=10_000)]
Serial = Annotated[str, Field(max_length=64)]
Hours = Annotated[Decimal, Field(ge=0, le=24, decimal_places=2)]
Kilometres = Annotated[Decimal, Field(ge=0, le=5000, decimal_places=1)]
Latitude = Annotated[Decimal, Field(ge=-90, le=90, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, decimal_places=6)]
MONEY = "Amount in CNY as text with two decimals."


# --- Work orders -------------------------------------------------------------------------------


class SiteOut(Schema):
    area: str
    address: str = Field(description="Masked (人民***) unless the job is dispatched to you or your role handles personal data.")
    contact_name: str
    contact_phone: str
    masked: bool


class WorkOrderFileOut(Schema):
    id: int
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    created_at: dt.datetime


class WorkOrderSummary(Schema):
    number: str
    ticket: str
    kind: str
    status: str
    status_label: str
    technician: str | None = Field(description="Username of the technician the job is dispatched to.")
    region: str | None
    appointment_start: dt.datetime | None
    appointment_end: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class WorkOrderOut(WorkOrderSummary):
    description: str
    measure_id: int | None
    site: SiteOut
    site_requirements: str
    required_skills: list[str]
    dispatched_at: dt.datetime | None
    accepted_at: dt.datetime | None
    departed_at: dt.datetime | None
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    completed_at: dt.datetime | None
    customer_accepted_at: dt.datetime | None
    diagnosis: str
    work_done: str
    labour_hours: str
    travel_km: str
    status_reason: str
    chargeable: bool
    quote_confirmed: bool
    charge_total: str = Field(description=MONEY)
    files: list[WorkOrderFileOut]
    acceptance_form: bool = Field(description="True once the customer accepted: GET …/acceptance.pdf.")
    actions: list[str] = Field(description="Status moves the caller may make now (POST …/actions/<name>).")


class WorkOrderPage(Schema):
    items: list[WorkOrderSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class WorkOrderCreate(Input):
    """A work order for one field measure (on-site repair, installation …) of the ticket's agreed plan."""

    ticket: Annotated[str, Field(min_length=1, max_length=32, description="Ticket number.")]
    measure_id: int = Field(description="Id of a measure of the ticket's current, agreed plan.")
    description: ShortText = ""
    required_skills: Annotated[list[Annotated[str, Field(min_length=1, max_length=32)]], Field(max_length=20)] = []
    address: Annotated[str, Field(max_length=200)] = ""
    contact_name: Annotated[str, Field(max_length=128)] = ""
    contact_phone: Annotated[str, Field(max_length=32)] = ""
    site_requirements: ShortText = ""
    appointment_start: IsoDateTime | None = None
    appointment_end: IsoDateTime | None = None


class FieldMeasureOut(Schema):
    id: int
    kind: str
    description: str
    status: str
    work_orders: list[str] = Field(description="Numbers of the work orders already made for it.")


class WorkOrderActionsOut(Schema):
    number: str
    version: int
    status: str
    actions: list[str]


class DispatchInput(Input):
    technician: Username = Field(description="Username of an active technician.")
    appointment_start: IsoDateTime | None = Field(None, description="Required unless the work order has a window already.")
    appointment_end: IsoDateTime | None = None


class RescheduleInput(Input):
    appointment_start: IsoDateTime
    appointment_end: IsoDateTime
    reason: Annotated[str, Field(min_length=1, max_length=20000)]


class WorkOrderReasonInput(Input):
    reason: Annotated[str, Field(min_length=1, max_length=20000)]


class WorkOrderNoInput(Input):
    pass


class LocationInput(Input):
    share_location: bool = Field(False, description="Your consent: the position is stored only when true.")
    lat: Latitude | None = None
    lng: Longitude | None = None


class RecordWorkInput(Input):
    diagnosis: ShortText
    work_done: ShortText
    labour_hours: Hours
    travel_km: Kilometres = Decimal("0")


class CompleteInput(RecordWorkInput):
    """Record the work and check out in one step (photos before and after must be uploaded)."""

    share_location: bool = False
    lat: Latitude | None = None
    lng: Longitude | None = None


class CustomerAcceptInput(Input):
    method: AcceptanceMethod
    signer_name: Annotated[str, Field(max_length=128)] = ""
    signature: Annotated[
        str, Field(max_length=700_000, description="data:image/png;base64,… (method signature; at most 512 KiB).")
    ] = ""
    code: Annotated[str, Field(max_length=12, description="The one-time code the customer received (method code).")] = ""
    comment: Annotated[str, Field(max_length=2000)] = ""


class ChargeLineOut(Schema):
    kind: str
    description: str
    part_number: str | None
    serial: str
    quantity: str
    unit_price: str = Field(description=MONEY)
    charge_amount: str = Field(description=MONEY)
    free: bool
    reason: str = Field(description="Why the line is free or charged.")


class ChargesOut(Schema):
    number: str
    chargeable: bool
    costed_at: dt.datetime | None
    charge_total: str = Field(description=MONEY)
    lines: list[ChargeLineOut]


WORK_ORDER_STATUS_VALUES = tuple(WorkOrderStatus.values)


# --- Parts and stock ---------------------------------------------------------------------------


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


RequisitionAction = Literal["submit", "decide", "issue", "cancel"]


# --- Quotes, acceptance codes, expenses (work orders) -------------------------------------------

Money = Annotated[Decimal, Field(ge=0, le=1_000_000, decimal_places=2)]


class QuoteInput(Input):
    """The estimate of a chargeable job, sent to the customer (who confirms it on site or in the portal)."""

    estimated_hours: Annotated[Decimal, Field(gt=0, le=24, decimal_places=2)]
    parts_estimate: Money = Decimal("0")
    estimated_km: Kilometres = Decimal("0")


class QuoteLineOut(Schema):
    kind: str
    description: str
    quantity: str
    unit_price: str = Field(description=MONEY)
    charge_amount: str = Field(description=MONEY)
    free: bool
    reason: str


class QuoteOut(Schema):
    number: str
    chargeable: bool
    sent_at: dt.datetime | None
    total: str = Field(description=MONEY)
    lines: list[QuoteLineOut]
    confirmed_at: dt.datetime | None
    confirmed_via: str = Field(description="on_site or portal; empty until confirmed.")


class AcceptanceCodeOut(Schema):
    number: str
    sent_at: dt.datetime
    expires_at: dt.datetime


class ExpenseClaimOut(Schema):
    id: int
    work_order: str
    technician: str
    kind: ExpenseKind
    amount: str = Field(description=MONEY)
    note: str
    receipt: bool
    receipt_content_type: str
    status: ExpenseStatus
    decided_by: str | None
    decided_at: dt.datetime | None
    created_at: dt.datetime


class ExpenseDecideInput(Input):
    approve: bool


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
