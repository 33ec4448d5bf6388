"""Read-only lists of settlement statements and their lines: every change goes through
``services`` (the pages and the API); the admin is for looking things up."""

from __future__ import annotations

from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin

from .models import Settlement, SettlementLine


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["number", "outlet", "period_start", "period_end", "status", "line_count", "total_amount"]
    list_filter = ["status", "outlet"]
    list_select_related = ["outlet"]
    search_fields = ["number", "outlet__code", "outlet__name", "payment_reference"]


@admin.register(SettlementLine)
class SettlementLineAdmin(ReadOnlyAdmin):
    list_display = ["settlement", "work_order", "completed_at", "amount", "live"]
    list_select_related = ["settlement", "work_order"]
    search_fields = ["settlement__number", "work_order__number"]
