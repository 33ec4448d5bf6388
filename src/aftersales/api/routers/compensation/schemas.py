"""The bodies of the refund and compensation operations (``RefundOut``, ``CompensationOut``…).

No ``from __future__ import annotations``: django-ninja reads the types."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from aftersales.compensation.models import CompensationKind, FulfilmentStatus, RefundMethod

from ..common import MAX_ID


class FormulaOut(Schema):
    price: Decimal
    purchased_on: dt.date
    returned_on: dt.date
    days_used: int
    daily_rate: Decimal
    depreciation: Decimal
    fees: Decimal
    amount: Decimal
    text: str = Field(..., description="price − price × daily rate × days − fees = amount")


class HistoryOut(Schema):
    window_days: int
    recent_count: int = Field(
        ..., description="Refunds and compensations of this customer (not refused or cancelled) in the window, this one excluded."
    )
    recent_total: Decimal
    warning: bool


class FulfilmentOut(Schema):
    number: str
    ticket: str
    measure_id: int
    status: FulfilmentStatus
    version: int
    amount: Decimal
    reason: str
    approver_role: str
    approval_rules: str
    requested_by: str | None
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_comment: str
    fulfilled_at: dt.datetime | None
    payment_reference: str
    done_at: dt.datetime | None
    cancel_reason: str
    history: HistoryOut


class RefundOut(FulfilmentOut):
    method: RefundMethod
    formula: FormulaOut
    bank_name: str
    account_name: str = Field(..., description="Masked unless the caller pays refunds (finance, administrator).")
    account_number: str = Field(..., description="Masked unless the caller pays refunds (finance, administrator).")
    rma_number: str
    price_paid_for_unit: Decimal
    refunded_for_unit: Decimal


class CompensationOut(FulfilmentOut):
    kind: CompensationKind
    points: int
    code: str | None
    gift_part: str | None
    gift_quantity: int
    warehouse: str | None


class RefundPage(Schema):
    items: list[RefundOut]
    next_cursor: str | None


class CompensationPage(Schema):
    items: list[CompensationOut]
    next_cursor: str | None


class RefundCreate(Schema):
    ticket: str = Field(..., max_length=32)
    measure_id: int = Field(..., ge=1, le=MAX_ID)
    method: RefundMethod
    price_paid: Decimal | None = Field(
        None, ge=0, lt=Decimal("1e10"), description="From the proof of purchase; required for the unit's first refund."
    )
    purchased_on: dt.date | None = None
    invoice_number: str = Field("", max_length=64)
    returned_on: dt.date | None = None
    daily_rate: Decimal | None = Field(
        None,
        ge=0,
        le=1,
        description="A fraction a day (0.001 = 0.1 %); left out: the rate of the 三包 policy of the ticket's product "
        "category (docs/remedies.md), the settings' default only when no policy applies.",
    )
    fees: Decimal = Field(Decimal("0"), ge=0, lt=Decimal("1e10"))
    amount: Decimal | None = Field(None, ge=0, lt=Decimal("1e10"), description="Less than computed, if agreed so; never more.")
    bank_name: str = Field("", max_length=64)
    account_name: str = Field("", max_length=64)
    account_number: str = Field("", max_length=40)
    rma_number: str = Field("", max_length=32)
    reason: str = Field("", max_length=2000)


class CompensationCreate(Schema):
    ticket: str = Field(..., max_length=32)
    measure_id: int = Field(..., ge=1, le=MAX_ID)
    kind: CompensationKind
    amount: Decimal = Field(Decimal("0"), ge=0, lt=Decimal("1e10"), description="The value in CNY; approval is judged by it.")
    points: int = Field(0, ge=0, le=10_000_000)
    gift_part: str = Field("", max_length=40, description="The part number of the gift.")
    gift_quantity: int = Field(0, ge=0, le=1000)
    warehouse: str = Field("", max_length=40, description="The code of the warehouse the gift comes from.")
    reason: str = Field("", max_length=2000)


class DecisionIn(Schema):
    decision: Literal["approve", "refuse"]
    comment: str = Field("", max_length=2000)


class PayIn(Schema):
    payment_reference: str = Field(..., min_length=1, max_length=64)


class IssueIn(Schema):
    payment_reference: str = Field("", max_length=64, description="For cash only.")


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)
