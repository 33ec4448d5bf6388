"""Admin: the catalogue, warehouses, levels and approval rules are configured here; stock levels
and the ledger are read-only (they change only through the services, which write movements)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from aftersales.core.admin import AuditedAdmin, ConfigurationAdmin

from .models import (
    FaultyPartReturn,
    Part,
    PartReturn,
    PartUsage,
    Requisition,
    RequisitionApprovalRule,
    Stock,
    StockMovement,
    Transfer,
    Warehouse,
)
from .services import stock_set_levels


class ReadOnlyAdmin(AuditedAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Part)
class PartAdmin(ConfigurationAdmin):
    list_display = ("number", "name", "unit_cost", "unit_price", "warranty_months", "active")
    list_filter = ("active", "compatible_models__category")
    search_fields = ("number", "name", "compatible_models__code")
    filter_horizontal = ("compatible_models",)


@admin.register(Warehouse)
class WarehouseAdmin(ConfigurationAdmin):
    list_display = ("code", "name", "kind", "region", "technician", "active")
    list_filter = ("kind", "region", "active")
    search_fields = ("code", "name")
    raw_id_fields = ("technician",)


@admin.register(Stock)
class StockAdmin(ConfigurationAdmin):
    """Levels (minimum, emergency reserve) may be set here; quantities only through documents."""

    list_display = ("warehouse", "part", "on_hand", "reserved", "min_level", "emergency_reserve")
    list_filter = ("warehouse__kind", "warehouse")
    search_fields = ("part__number", "part__name")
    readonly_fields = ("warehouse", "part", "on_hand", "reserved", "low_alerted")
    fields = ("warehouse", "part", "on_hand", "reserved", "min_level", "emergency_reserve", "low_alerted")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Stock, form: Any, change: bool) -> None:
        # Through the service: audited, and a new minimum level may raise the low-stock alert.
        stock_set_levels(
            warehouse=obj.warehouse,
            part=obj.part,
            min_level=obj.min_level,
            emergency_reserve=obj.emergency_reserve,
            actor=request.user,  # type: ignore[arg-type]
        )


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "warehouse", "part", "kind", "quantity", "balance_after", "reference", "actor")
    list_filter = ("kind", "warehouse")
    search_fields = ("part__number", "reference", "serial")


@admin.register(RequisitionApprovalRule)
class RequisitionApprovalRuleAdmin(ConfigurationAdmin):
    list_display = ("name", "min_total", "warehouse_kind", "approver_role", "active")


@admin.register(Requisition)
class RequisitionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "work_order", "warehouse", "status", "total_cost", "created_at")
    list_filter = ("status",)


@admin.register(PartUsage)
class PartUsageAdmin(ReadOnlyAdmin):
    list_display = ("work_order", "part", "quantity", "serial", "installed_on")


@admin.register(PartReturn)
class PartReturnAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "technician", "warehouse", "status", "created_at")


@admin.register(FaultyPartReturn)
class FaultyPartReturnAdmin(ReadOnlyAdmin):
    list_display = ("part", "serial", "status", "appraisal_result")


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "from_warehouse", "to_warehouse", "status", "created_at")
