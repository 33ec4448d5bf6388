"""Read-only lists of settlement statements and their lines: every change goes through
``services`` (the pages and the API); the admin is for looking things up."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core.admin import AuditedAdmin

from .models import Settlement, SettlementLine


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
