"""Receivables in the admin: read only (every change goes through ``services``, audited)."""

from __future__ import annotations

from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin

from .models import Invoice, Payment, Receivable


@admin.register(Receivable)
class ReceivableAdmin(ReadOnlyAdmin):
    list_display = ("work_order", "ticket", "amount", "paid_amount", "status", "due_from")
    list_filter = ("status",)
    search_fields = ("work_order__number", "ticket__number")
    list_select_related = ("work_order", "ticket")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("receivable", "amount", "method", "paid_on", "status", "reference")
    list_filter = ("status", "method")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "receivable", "issued_on", "amount")
    list_filter = ("kind",)
