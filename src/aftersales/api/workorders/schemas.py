"""Request and response bodies of the work-order endpoints: the work order, its moves (the
bodies of the actions are declared with each action: ``fieldservice.action_schemas``), charges,
quote, acceptance code and expense claims. Inputs refuse unknown fields; amounts go out as text
("12.50")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field

from aftersales.fieldservice.models import ExpenseKind, ExpenseStatus

from ..schemas import Input, IsoDateTime, ShortText

MONEY = "Amount in CNY as text with two decimals."


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
    quote_declined: bool = Field(
        description="The customer declined the quote (status quote_declined): cancel the job, or give a new quote."
    )
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
    declined_at: dt.datetime | None = Field(description="When the customer declined it; null unless declined.")
    declined_via: str = Field(
        description="on_site (recorded by the technician), portal (the link) or app; empty unless declined."
    )
    decline_reason: str = Field(description="What the customer said, as they said it; may be empty.")


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
