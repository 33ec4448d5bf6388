"""Every write of the billing app: one function per business action (docs/billing.md)."""

from .invoices import invoice_record
from .payments import left_to_pay, payment_collect_on_site, payment_confirm, payment_record, payment_reject
from .receivables import owes, receivable_sync, receivable_waive, receivables_sweep

__all__ = [
    "invoice_record",
    "left_to_pay",
    "owes",
    "payment_collect_on_site",
    "payment_confirm",
    "payment_record",
    "payment_reject",
    "receivable_sync",
    "receivable_waive",
    "receivables_sweep",
]
