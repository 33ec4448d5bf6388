"""The payment of a job's charge on the ticket read (``expand=work_orders``): billing's
receivable as the customer reads it (``billing.selectors.CustomerCharge``), for staff and the
customer alike — amounts, the cash being confirmed, the invoice; never a payment's reference
no., who collected it, nor why a rest was waived (``GET /receivables/{work order}`` is finance's)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

MONEY = "Amount in CNY as text with two decimals."


class WorkOrderPaymentOut(Schema):
    status: str = Field(description="open, partly_paid, paid or waived (the rest waived: nothing more to pay).")
    status_label: str
    amount: str = Field(description=MONEY + " The charge.")
    paid: str = Field(description=MONEY + " Confirmed payments.")
    outstanding: str = Field(description=MONEY + " Still to pay, less the cash being confirmed; 0 when waived.")
    awaiting_confirmation: str = Field(
        description=MONEY + " Cash handed to the technician on site that finance has not confirmed yet."
    )
    paid_at: dt.datetime | None = Field(description="When it was paid in full.")
    invoice_kind: str = Field(description="normal (普通发票), special (增值税专用发票), or empty without an invoice.")
    invoice_number: str
    invoice_issued_on: dt.date | None
    invoice_amount: str | None = Field(description=MONEY + " The invoiced amount; null without an invoice.")
