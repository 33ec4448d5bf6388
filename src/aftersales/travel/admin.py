"""Read-only lists of advances, reimbursements and their lines: every change goes through
``services`` (the pages and the API); the admin is for looking things up."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core.admin import AuditedAdmin

from .models import CashAdvance, Reimbursement, ReimbursementLine


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CashAdvance)
class CashAdvanceAdmin(ReadOnlyAdmin):
    list_display = ["number", "technician", "amount", "trip_from", "trip_until", "status"]
    list_filter = ["status"]
    list_select_related = ["technician"]
    search_fields = ["number", "technician__username", "technician__display_name", "payment_reference"]


@admin.register(Reimbursement)
class ReimbursementAdmin(ReadOnlyAdmin):
    list_display = ["number", "technician", "total_claims", "total_advances", "net", "status"]
    list_filter = ["status"]
    list_select_related = ["technician"]
    search_fields = ["number", "technician__username", "technician__display_name", "payout_reference"]


@admin.register(ReimbursementLine)
class ReimbursementLineAdmin(ReadOnlyAdmin):
    list_display = ["reimbursement", "kind", "claim", "advance", "amount", "live"]
    list_select_related = ["reimbursement", "claim", "advance"]
    search_fields = ["reimbursement__number", "advance__number"]
