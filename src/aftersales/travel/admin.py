"""Read-only lists of advances, reimbursements and their lines: every change goes through
``services`` (the pages and the API); the admin is for looking things up."""

from __future__ import annotations

from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin

from .models import CashAdvance, Reimbursement, ReimbursementLine, Trip, TripLabour


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


@admin.register(Trip)
class TripAdmin(ReadOnlyAdmin):
    list_display = ["number", "technician", "province", "city", "planned_from", "planned_until", "status"]
    list_filter = ["status"]
    list_select_related = ["technician"]
    search_fields = ["number", "technician__username", "technician__display_name", "city"]


@admin.register(TripLabour)
class TripLabourAdmin(ReadOnlyAdmin):
    list_display = ["trip", "work_order", "work_order_hours", "approved_hours", "rate", "cost"]
    list_select_related = ["trip", "work_order"]
    search_fields = ["trip__number", "work_order__number"]
