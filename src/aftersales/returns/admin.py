"""Admin: which whole products are kept in stock for exchanges (product model → stock item) is
configured here; RMAs are read-only (they change only through the services)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core.admin import AuditedAdmin, ConfigurationAdmin

from .models import ReplacementProduct, ReturnAuthorization


@admin.register(ReplacementProduct)
class ReplacementProductAdmin(ConfigurationAdmin):
    list_display = ("product_model", "part", "active")
    list_filter = ("active",)
    search_fields = ("product_model__code", "product_model__name", "part__number")
    autocomplete_fields = ("product_model", "part")


@admin.register(ReturnAuthorization)
class ReturnAuthorizationAdmin(AuditedAdmin):
    list_display = ("number", "kind", "status", "ticket", "unit", "warehouse", "created_at")
    list_filter = ("kind", "status", "warehouse")
    search_fields = ("number", "ticket__number", "unit__serial_number", "tracking_number")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
