"""Receivables in the admin: read only (every change goes through ``services``, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core.admin import AuditedAdmin

from .models import Invoice, Payment, Receivable


class ReadOnly(AuditedAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Receivable)
class ReceivableAdmin(ReadOnly):
    list_display = ("work_order", "ticket", "amount", "paid_amount", "status", "due_from")
    list_filter = ("status",)
    search_fields = ("work_order__number", "ticket__number")
    list_select_related = ("work_order", "ticket")


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ("receivable", "amount", "method", "paid_on", "status", "reference")
    list_filter = ("status", "method")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnly):
    list_display = ("number", "kind", "receivable", "issued_on", "amount")
    list_filter = ("kind",)
