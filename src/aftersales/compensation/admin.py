"""Read-only lists of refunds, compensations and points credits (the purchase
records are the remedies app's): every change
goes through ``services.py`` (the pages and the API); the admin is for looking things up."""

from __future__ import annotations

from django.contrib import admin

from aftersales.core.admin import ReadOnlyAdmin

from .models import Compensation, PointsCredit, Refund


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["number", "ticket", "customer", "amount", "method", "status", "requested_at"]
    list_filter = ["status", "method"]
    search_fields = ["number", "ticket__number", "payment_reference"]
    exclude = ["account_number", "account_name"]


@admin.register(Compensation)
class CompensationAdmin(ReadOnlyAdmin):
    list_display = ["number", "ticket", "customer", "kind", "amount", "status", "requested_at"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "ticket__number", "code", "payment_reference"]


@admin.register(PointsCredit)
class PointsCreditAdmin(ReadOnlyAdmin):
    list_display = ["customer", "compensation", "points", "created_at"]
